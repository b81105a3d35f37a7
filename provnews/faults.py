"""Fault injection: the whole stack under a steady load, one component SIGKILLed at a random point.

Used by the fault suite (`tests/e2e/test_faults.py`, marker `faults`) and by `provnews bench faults`.
Everything runs on loopback: `provnews up` on free ports, a webhook receiver, the load. Each scenario
posts new articles at a steady rate, kills one component, lets the supervisor restart it, and then
counts: articles acknowledged (202), indexed, lost, duplicated; stories alerted and alerted twice; and
the seconds from the kill until an article posted after it is searchable.
"""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ("broker", "ingest", "extract", "indexer", "alerts", "query")
API_KEY = "fault-suite-key"
SUBSCRIPTION_FILTER = {"keywords": ["biên chế"]}

# Words of the genre; each article draws its own sequence, so no two articles look like one story.
_VOCABULARY = """tỉnh huyện xã phường thị trấn thôn bản ấp sở ban ngành phòng chi cục trung tâm ủy ban nhân dân hội đồng
đảng ủy mặt trận đoàn thể cán bộ công chức viên chức người lao động hợp đồng nhiệm vụ chức năng quyền hạn kế hoạch
đề án nghị quyết kết luận chỉ thị quyết định hướng dẫn thông báo chương trình báo cáo sơ kết tổng kết triển khai
thực hiện rà soát đánh giá kiểm tra giám sát phân công phối hợp chỉ đạo lãnh đạo điều hành quản lý tổ chức sắp xếp
kiện toàn tinh gọn hiệu lực hiệu quả chất lượng năng suất dịch vụ công trực tuyến hồ sơ thủ tục hành chính một cửa
liên thông chuyển đổi số dữ liệu nền tảng hạ tầng giao thông thủy lợi nông nghiệp công nghiệp thương mại du lịch
giáo dục y tế văn hóa thể thao môi trường tài nguyên đất đai xây dựng quy hoạch đô thị nông thôn mới an sinh xã hội
việc làm thu nhập ngân sách đầu tư công vốn giải ngân tăng trưởng kinh tế doanh nghiệp hợp tác xã kinh tế tư nhân
tháng quý năm giai đoạn nhiệm kỳ đầu năm cuối năm thời gian tới trước mắt lâu dài cơ bản hoàn thành đúng tiến độ""".split()
_PROVINCES = ["Quảng Ninh", "Nghệ An", "Thanh Hóa", "Lào Cai", "Cà Mau", "Gia Lai", "Sơn La", "Hà Tĩnh"]


def article_text(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(_VOCABULARY) for _ in range(90))
    return (f"Tỉnh {rng.choice(_PROVINCES)} giảm {rng.randint(2, 90)} phòng, ban và tinh giản {rng.randint(10, 900)} "
            f"biên chế trong đợt {n}. {words.capitalize()}.")


@dataclass
class UpProcess:
    """`provnews up --no-seeds` on free loopback ports, its data in a folder of its own; `ports` has the real
    ones once started."""

    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.ports:
            # 0: `provnews up` binds the services' ports and picks the broker's; run/ports.json says which
            self.ports = dict.fromkeys((*COMPONENTS, "kafka_controller"), 0)
        self._env_ports = dict(self.ports)  # what `provnews up` is told, kept for restarts

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
        env.update({f"PROVNEWS_{name.upper()}_PORT": str(port) for name, port in self._env_ports.items()})
        env.update({
            "PROVNEWS_DATA_DIR": str(self.data_dir),
            "PROVNEWS_ALERTS_API_KEYS": json.dumps({"faults": API_KEY}),
            "PROVNEWS_ALERTS_WEBHOOK_ALLOWLIST": json.dumps(["127.0.0.1"]),
            "PROVNEWS_ALERTS_BACKOFF_BASE_S": "0.2",
            "PROVNEWS_ALERTS_BACKOFF_MAX_S": "2",
            "PROVNEWS_ALERTS_POLL_INTERVAL_S": "0.2",
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout_s: float = 240) -> UpProcess:
        self.output = []
        self.process = subprocess.Popen([sys.executable, "-m", "provnews.cli", "up", "--no-seeds"], cwd=ROOT,
                                        env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while "ready" not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("provnews up did not get ready:\n" + "\n".join(self.output[-40:]))
            time.sleep(0.1)
        bound = json.loads((self.data_dir / "run" / "ports.json").read_text())
        self.ports.update({name: port for name, port in bound.items() if name in self.ports})
        return self

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def pid(self, component: str) -> int | None:
        try:
            return int((self.data_dir / "run" / f"{component}.pid").read_text())
        except (FileNotFoundError, ValueError):  # between a stop and the next start
            return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def broker_kind(self) -> str:
        line = next((line for line in self.output if line.startswith("broker ")), "")
        return "tansu" if "Tansu" in line else "kafka"


class Receiver:
    """A webhook receiver on loopback: records (delivery id, article ids) of every alert it is sent."""

    def __init__(self):
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        self.lock = threading.Lock()
        self.deliveries: list[tuple[str, list[str]]] = []

        async def hook(request):
            event = json.loads(await request.body())
            data = event["data"]
            with self.lock:
                self.deliveries.append((data["delivery_id"], [a["article_id"] for a in data["articles"]]))
            return Response(status_code=204)

        self.sock = socket.socket()  # bound before the server starts, so the port stays ours
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def by_article(self) -> dict[str, set[str]]:
        """Article id -> the distinct delivery ids that carried it."""
        out: dict[str, set[str]] = {}
        with self.lock:
            for delivery_id, article_ids in self.deliveries:
                for article_id in article_ids:
                    out.setdefault(article_id, set()).add(delivery_id)
        return out


@dataclass
class FaultResult:
    component: str
    acknowledged: int = 0
    refused: int = 0
    indexed: int = 0
    lost: int = 0
    duplicated: int = 0
    stories: int = 0
    alerted: int = 0
    alerts_missing: int = 0
    alerts_duplicated: int = 0
    recovery_s: float | None = None
    new_after_recovery: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.lost == 0 and self.duplicated == 0 and self.alerts_missing == 0 and self.alerts_duplicated == 0
                and self.new_after_recovery)


def subscribe(up: UpProcess, receiver: Receiver) -> str:
    response = httpx.post(f"{up.url('alerts')}/v1/subscriptions", timeout=30,
                          headers={"Authorization": f"Bearer {API_KEY}"},
                          json={"name": "fault suite", "webhook_url": receiver.url, "filter": SUBSCRIPTION_FILTER,
                                "mode": "instant"})
    response.raise_for_status()
    return response.json()["id"]


class Load:
    """Posts new articles at a steady rate from a thread; keeps what each answer said."""

    def __init__(self, up: UpProcess, rate: float, seed: int):
        self.up = up
        self.rate = rate
        self.rng = random.Random(seed)
        self.acknowledged: dict[str, float] = {}  # id -> when acknowledged
        self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.sent = 0

    def start(self) -> Load:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.up.url("ingest"), timeout=15) as client:
            next_at = time.monotonic()
            while not self._stop.is_set():
                self.post(client)
                next_at += 1 / self.rate
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def post(self, client: httpx.Client) -> str | None:
        self.sent += 1
        text = article_text(self.rng, self.sent)
        try:
            response = client.post("/v1/articles", json={"text": text})
        except httpx.HTTPError:
            self.refused += 1  # not acknowledged: a client would retry; nothing is promised for it
            return None
        if response.status_code == 202:
            article_id = response.json()["id"]
            self.acknowledged[article_id] = time.monotonic()
            return article_id
        self.refused += 1
        return None


def searchable(up: UpProcess, article_id: str) -> bool:
    try:
        return httpx.get(f"{up.url('query')}/v1/articles/{article_id}", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def store_counts(up: UpProcess, ids: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Documents per article id in the SQLite store (rows and full-text rows), and each article's story."""
    con = sqlite3.connect(f"file:{up.data_dir / 'provnews.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        rows = dict(con.execute("SELECT id, COUNT(*) FROM articles GROUP BY id").fetchall())
        fts = dict(con.execute("SELECT a.id, COUNT(*) FROM articles a JOIN articles_fts f ON f.rowid = a.rowid "
                               "GROUP BY a.id").fetchall())
        stories = dict(con.execute("SELECT id, story_id FROM articles").fetchall())
    finally:
        con.close()
    return {i: max(rows.get(i, 0), fts.get(i, 0)) for i in ids}, stories


def wait_for(predicate, timeout_s: float, interval_s: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return bool(predicate())


class RecoveryProbe:
    """From the kill on, watches the first article acknowledged after it until it is searchable."""

    def __init__(self, up: UpProcess, load: Load, killed: float):
        self.up, self.load, self.killed = up, load, killed
        self.seconds: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            after = sorted((at, i) for i, at in list(self.load.acknowledged.items()) if at > self.killed)
            if after and searchable(self.up, after[0][1]):
                self.seconds = round(time.monotonic() - self.killed, 1)
                return
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def run_scenario(up: UpProcess, receiver: Receiver, component: str, *, rate: float = 10.0, duration_s: float = 12.0,
                 settle_s: float = 240.0, seed: int | None = None, out=lambda line: None) -> FaultResult:
    """Load for `duration_s`, SIGKILL `component` at a random point in the middle, then count."""
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    result = FaultResult(component)
    load = Load(up, rate, seed).start()
    kill_at = duration_s * rng.uniform(0.3, 0.6)
    time.sleep(kill_at)
    old_pid = up.pid(component)
    if old_pid is None:
        raise RuntimeError(f"{component} is not running")
    os.kill(old_pid, signal.SIGKILL)
    killed = time.monotonic()
    probe = RecoveryProbe(up, load, killed)
    out(f"{component}: killed pid {old_pid} after {kill_at:.1f} s of load (seed {seed})")
    time.sleep(max(0.0, duration_s - kill_at))
    load.stop()
    if not wait_for(lambda: up.pid(component) not in (None, old_pid), 60):
        result.notes.append("the supervisor did not restart it within 60 s")
    # After recovery the stream takes new articles: one more, posted now, must become searchable.
    canary = None
    with httpx.Client(base_url=up.url("ingest"), timeout=15) as client:
        deadline = time.monotonic() + settle_s
        while canary is None and time.monotonic() < deadline:
            canary = load.post(client)
            if canary is None:
                time.sleep(1)
    ids = list(load.acknowledged)
    pending = set(ids)

    def all_indexed() -> bool:
        for article_id in list(pending):
            if searchable(up, article_id):
                pending.discard(article_id)
        return not pending

    wait_for(all_indexed, settle_s, 1.0)
    probe.stop()
    result.recovery_s = probe.seconds
    result.new_after_recovery = canary is not None and canary not in pending
    counts, stories = store_counts(up, ids)
    result.acknowledged = len(ids)
    result.refused = load.refused
    result.indexed = sum(1 for i in ids if counts[i] >= 1)
    result.lost = sum(1 for i in ids if counts[i] == 0)
    result.duplicated = sum(1 for i in ids if counts[i] > 1)
    # Alerts: every story of these articles reaches the receiver once. Repeats of one delivery id are allowed by
    # the contract (receivers drop them by id); two delivery ids for one story would be a duplicate alert.
    wanted_stories = {stories[i] for i in ids if i in stories}
    result.stories = len(wanted_stories)

    def story_deliveries() -> dict[str, set[str]]:
        per_story: dict[str, set[str]] = {}
        for article_id, deliveries in receiver.by_article().items():
            if article_id in stories:
                per_story.setdefault(stories[article_id], set()).update(deliveries)
        return per_story

    wait_for(lambda: wanted_stories <= set(story_deliveries()), settle_s, 1.0)
    delivered = story_deliveries()
    result.alerted = len(wanted_stories & set(delivered))
    result.alerts_missing = len(wanted_stories - set(delivered))
    result.alerts_duplicated = sum(1 for s in wanted_stories if len(delivered.get(s, ())) > 1)
    return result


def format_table(results: list[FaultResult], broker: str) -> str:
    head = (f"broker: {broker}\n"
            f"{'killed':<9}{'acked':>7}{'indexed':>9}{'lost':>6}{'dup':>5}{'stories':>9}{'alerted':>9}"
            f"{'missing':>9}{'alert dup':>11}{'recover s':>11}  new after")
    lines = [head]
    for r in results:
        recover = f"{r.recovery_s:.1f}" if r.recovery_s is not None else "-"
        lines.append(f"{r.component:<9}{r.acknowledged:>7}{r.indexed:>9}{r.lost:>6}{r.duplicated:>5}{r.stories:>9}"
                     f"{r.alerted:>9}{r.alerts_missing:>9}{r.alerts_duplicated:>11}{recover:>11}  "
                     f"{'yes' if r.new_after_recovery else 'NO'}" + (f"  ({'; '.join(r.notes)})" if r.notes else ""))
    return "\n".join(lines)
