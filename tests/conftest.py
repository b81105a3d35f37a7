"""Shared fixtures: real processes on free loopback ports, always stopped afterwards."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(config, items) -> None:
    """Each test is marked with its tier, the folder it lives in: `pytest -m unit` is the fast loop."""
    tests = ROOT / "tests"
    for item in items:
        parts = Path(item.path).resolve().relative_to(tests).parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to a port the kernel picks and already listening: no other process can take the port
    between choosing it and serving on it. Hand it to the server and read the port off it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test: bound (so no one else can take it) but
    never listening. For "the server is down" tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def unused_port() -> int:
    """A loopback port nothing is bound to at this moment. Only for the Kafka broker, which must know its port
    before it starts (it advertises it) and cannot be handed a socket; another process may take the port in
    between, which KafkaNode.start survives by trying again on other ports."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortTaken(Exception):
    pass


@dataclass
class KafkaNode:
    """A local Apache Kafka node (one KRaft process) on free ports, its log in a folder of its own."""

    data_dir: Path
    port: int = field(default_factory=unused_port)
    controller_port: int = field(default_factory=unused_port)
    process: subprocess.Popen | None = None
    starts: int = 0  # processes started, counting those that lost their port to another process

    START_TRIES = 5

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "broker.log"

    def settings(self):
        from common.settings import Settings

        return Settings(data_dir=self.data_dir, broker_port=self.port, kafka_controller_port=self.controller_port,
                        kafka_bootstrap=self.bootstrap)

    def start(self) -> KafkaNode:
        """Start the node; when one of its ports was taken before it could bind it, start again on others."""
        for _ in range(self.START_TRIES):
            try:
                self._start_once()
                return self
            except PortTaken:
                self.port, self.controller_port = unused_port(), unused_port()
        raise RuntimeError(f"Kafka lost its ports {self.START_TRIES} times in a row; see {self.log_path}")

    def _start_once(self) -> None:
        from provnews.local_kafka import PORT_TAKEN_LINE, STARTED_LINE, local_kafka

        argv = local_kafka(self.settings(), out=lambda line: print(line, file=sys.stderr)).prepare()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1
        deadline = time.monotonic() + 90

        def this_start() -> str:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")

        # Wait for the node to say it serves, not for the port to answer: the port may be another process's.
        while STARTED_LINE not in this_start():
            if self.process.poll() is not None:
                if PORT_TAKEN_LINE in this_start():
                    raise PortTaken
                raise RuntimeError("Kafka exited while starting:\n" + this_start()[-3000:])
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError("Kafka did not start:\n" + this_start()[-3000:])
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def kafka_node(tmp_path_factory) -> Iterator[KafkaNode]:
    """The broker users run: Apache Kafka from the official artifacts (deploy/kafka/pom.xml), one KRaft node."""
    node = KafkaNode(tmp_path_factory.mktemp("kafka")).start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def broker(kafka_node) -> str:
    """host:port of the session's Apache Kafka node."""
    return kafka_node.bootstrap


@pytest.fixture
def settings(tmp_path, broker):
    """Settings for in-process components: the test broker, fresh topic names, a temporary data dir."""
    from common.kafka import ensure_topics
    from common.settings import Settings

    suffix = os.urandom(4).hex()
    s = Settings(data_dir=tmp_path / "data", kafka_bootstrap=broker, topic_partitions=1,
                 topic_raw=f"raw-{suffix}", topic_extracted=f"extracted-{suffix}", topic_mentions=f"mentions-{suffix}",
                 topic_dlq=f"dlq-{suffix}", publish_timeout_s=5.0)
    asyncio.run(ensure_topics(s))
    return s


class ServerThread:
    """A real uvicorn server for an ASGI app, in a thread of its own, serving on a socket bound to loopback
    port 0 before it starts: `port` and `url` say where. `config` is passed on to uvicorn.Config."""

    scheme = "http"

    def __init__(self, app, **config):
        self.sock = listening_socket()
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, **{"log_level": "warning", "lifespan": "on", **config}))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


@pytest.fixture
def serve():
    servers: list[ServerThread] = []

    def start(app) -> ServerThread:
        server = ServerThread(app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@dataclass
class Stack:
    """A whole `provnews up` run: broker and services as supervised processes. Every port is 0 in `env` (the
    supervisor binds the services' ports and picks the broker's); `ports` has the real ones once started."""

    data_dir: Path
    env: dict[str, str]
    ports: dict[str, int]
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports['broker']}"

    def start(self, *args: str, timeout: float = 120) -> None:
        self.output = []
        self.process = subprocess.Popen([sys.executable, "-m", "provnews.cli", "up", *args], cwd=ROOT, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        while "ready" not in self.output:
            if self.process.poll() is not None:
                reader.join(10)  # until its output has all been read
                raise RuntimeError("provnews up exited:\n" + "\n".join(self.output))
            if time.monotonic() > deadline:
                raise TimeoutError("provnews up was not ready:\n" + "\n".join(self.output))
            time.sleep(0.1)
        bound = json.loads((self.data_dir / "run" / "ports.json").read_text())
        self.ports.update({name: port for name, port in bound.items() if name in self.ports})

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def log_tail(self, *services: str, lines: int = 30) -> str:
        """The last lines of each service's log, for a failure message."""
        out = []
        for name in services:
            path = self.data_dir / "logs" / f"{name}.log"
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else ["(no log)"]
            out.append(f"--- {name}.log ---\n" + "\n".join(text))
        return "\n".join(out + ["--- provnews up ---", *self.output[-lines:]])

    def pid(self, service: str) -> int:
        return int((self.data_dir / "run" / f"{service}.pid").read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def settings(self):
        from common.settings import Settings

        return Settings(data_dir=self.data_dir, kafka_bootstrap=self.bootstrap,
                        **{f"{n}_port": p for n, p in self.ports.items()})


SERVICES = ("ingest", "query", "extract", "indexer", "alerts", "feeds")


def make_stack(tmp: Path) -> Stack:
    ports = dict.fromkeys(("broker", "kafka_controller", *SERVICES), 0)  # the supervisor picks, and says
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    env.update({f"PROVNEWS_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    env["PROVNEWS_DATA_DIR"] = str(tmp / "data")
    env["PROVNEWS_FEEDS_FILE"] = str(tmp / "feeds.toml")  # the feeds service runs only where a test writes this file
    return Stack(data_dir=tmp / "data", env=env, ports=ports)


@pytest.fixture
def stack(tmp_path) -> Iterator[Stack]:
    """A fresh `provnews up --no-seeds` for one test."""
    s = make_stack(tmp_path)
    s.start("--no-seeds")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def shared_stack(tmp_path_factory) -> Iterator[Stack]:
    """One `provnews up --no-seeds` shared by the tests of a module."""
    s = make_stack(tmp_path_factory.mktemp("stack"))
    s.start("--no-seeds")
    try:
        yield s
    finally:
        s.stop()


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.2, message: str = "condition", explain=None):
    """Poll until `predicate()` is truthy; on time-out fail with `message` and whatever `explain()` tells."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}" + (f"\n{explain()}" if explain else ""))
        time.sleep(interval)


async def wait_until_async(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "condition"):
    """wait_until inside an event loop: `predicate()` may return a value or an awaitable of one."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(interval)


def search(base_url: str, **params) -> dict:
    response = httpx.get(f"{base_url}/v1/search", params=params, timeout=10)
    response.raise_for_status()
    return response.json()
