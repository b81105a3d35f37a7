"""Speed of the whole pipeline: POST to searchable, beside the engine alone and a raw floor on the same broker.

Run by hand (`provnews bench pipeline`), never asserted in tests. Each article is a seed text with a run
tag appended, so every run posts new articles rather than re-posting known ones.

Two modes:
- burst (`--articles N`): posts to a running `provnews up` (or compose) and prints the ingest rate, the
  end-to-end rate and the latency from acknowledgement to searchable for a sample of the articles.
- steady (`--rate R --duration S`, or `--sweep`): starts its own `provnews up` on free loopback ports, once
  per extract worker count asked for (`--workers 1,2`), and prints in one run the ingest acknowledgement
  rate and the sustained end-to-end rate (a burst), p50/p95/p99 from acknowledgement to searchable over
  every article at a steady rate, the engine alone on one core over the same texts, the raw floor over
  the same payloads, their ratios, and the counts of articles lost and duplicated.
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BATCH = 50
SAMPLE = 20
STORE_POLL_S = 0.005
SWEEP_RATES = (25, 50, 100, 150, 200, 250, 300, 400, 500, 600, 800)
P99_LIMIT_S = 1.0
FLOOR_ARTICLES = 5000  # enough that the start-up of its clients does not count


def pipeline_benchmark(texts: Sequence[str], *, ingest_url: str, query_url: str, articles: int,
                       timeout_s: float = 600.0) -> None:
    run = uuid.uuid4().hex[:8]
    bodies = [json.dumps({"text": f"{texts[i % len(texts)]}\n\nbench {run} {i}"}, ensure_ascii=False).encode()
              for i in range(articles)]
    with httpx.Client(timeout=60) as client:
        before = client.get(f"{query_url}/v1/stats").json()["articles"]
        acked_at: dict[str, float] = {}
        started = time.perf_counter()
        for start in range(0, articles, BATCH):
            chunk = bodies[start:start + BATCH]
            response = client.post(f"{ingest_url}/v1/articles:batch", content=b"\n".join(chunk),
                                   headers={"content-type": "application/x-ndjson"})
            now = time.perf_counter()
            for result in response.json()["results"]:
                if result["status"] == 202:
                    acked_at[result["id"]] = now
        ingest_s = time.perf_counter() - started
        print(f"ingest:   {len(acked_at)} of {articles} acknowledged in {ingest_s:.1f} s "
              f"({len(acked_at) / ingest_s:.0f} articles/s)")

        sample = list(acked_at)[:: max(1, len(acked_at) // SAMPLE)][:SAMPLE]
        searchable: dict[str, float] = {}
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            for article_id in sample:
                if article_id not in searchable and client.get(f"{query_url}/v1/articles/{article_id}").status_code == 200:
                    searchable[article_id] = time.perf_counter()
            if len(searchable) == len(sample) and client.get(f"{query_url}/v1/stats").json()["articles"] >= before + len(acked_at):
                break
            time.sleep(0.05)
        total_s = time.perf_counter() - started
        indexed = client.get(f"{query_url}/v1/stats").json()["articles"] - before
    print(f"pipeline: {indexed} of {len(acked_at)} searchable after {total_s:.1f} s ({indexed / total_s:.0f} articles/s end to end)")
    latencies = sorted(searchable[i] - acked_at[i] for i in searchable)
    if latencies:
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        print(f"latency:  acknowledged -> searchable, {len(latencies)} sampled: "
              f"median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")


# -- steady mode ---------------------------------------------------------------------------------------------

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest rank; of an empty list, nan."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n * q / 100), at least the first
    return sorted_values[int(min(rank, len(sorted_values))) - 1]


@dataclass
class Counts:
    """What happened to the acknowledged articles, read from the store and the topic at the end."""
    acknowledged: int = 0
    refused: int = 0
    searchable: int = 0
    lost: int = 0
    duplicated: int = 0
    extracted_events: int = 0
    extracted_twice: int = 0

    def line(self) -> str:
        return (f"acked {self.acknowledged}, refused {self.refused}, searchable {self.searchable}, lost {self.lost}, "
                f"duplicated in the store {self.duplicated}, extracted events {self.extracted_events} "
                f"({self.extracted_twice} articles extracted twice)")


@dataclass
class SteadyResult:
    rate: float
    duration_s: float
    latencies: list[float] = field(default_factory=list)  # acknowledgement -> searchable, every article, sorted
    ack_rate: float = 0.0
    ack_p50_ms: float = 0.0
    unfinished: int = 0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    def row(self) -> str:
        worst = self.latencies[-1] if self.latencies else float("nan")
        return (f"{self.rate:>7.0f}{self.ack_rate:>9.0f}{self.ack_p50_ms:>10.1f}{len(self.latencies):>8}"
                f"{self.unfinished:>7}{self.p50:>8.3f}{self.p95:>8.3f}{self.p99:>8.3f}{worst:>8.3f}")


STEADY_HEAD = (f"{'rate/s':>7}{'acked/s':>9}{'ack p50ms':>10}{'articles':>8}{'late':>7}"
               f"{'p50 s':>8}{'p95 s':>8}{'p99 s':>8}{'max s':>8}")


@dataclass
class WorkersResult:
    workers: int
    burst_articles: int = 0
    ingest_rate: float = 0.0
    end_to_end_rate: float = 0.0
    steady: list[SteadyResult] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    floor_rate: float | None = None


class StoreWatch:
    """Notes when each article becomes visible in the SQLite store the query API reads (committed there),
    by polling it for new rows every few milliseconds from a thread of its own."""

    def __init__(self, path: Path):
        self.path = path
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="store-watch")

    def __enter__(self) -> StoreWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        con = None
        last = 0
        while not self._stop.is_set():
            try:
                if con is None:
                    con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
                rows = con.execute("SELECT rowid, id FROM articles WHERE rowid > ? ORDER BY rowid", (last,)).fetchall()
            except sqlite3.Error:
                rows = []
            now = time.monotonic()
            for rowid, article_id in rows:
                self.seen.setdefault(article_id, now)
                last = max(last, rowid)
            self._stop.wait(STORE_POLL_S)
        if con is not None:
            con.close()

    def wait_for(self, ids: Sequence[str], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(i in self.seen for i in ids):
                return True
            time.sleep(0.05)
        return all(i in self.seen for i in ids)


class Bodies:
    """New article bodies, each a text of the set with a unique tag, in order."""

    def __init__(self, texts: Sequence[str]):
        self.texts = list(texts)
        self.run = uuid.uuid4().hex[:8]
        self.n = 0

    def text(self, i: int) -> str:
        return f"{self.texts[i % len(self.texts)]}\n\nbench {self.run} {i}"

    def take(self, count: int) -> list[bytes]:
        out = [json.dumps({"text": self.text(self.n + i)}, ensure_ascii=False).encode() for i in range(count)]
        self.n += count
        return out


async def _post_burst(ingest_url: str, bodies: list[bytes], in_flight: int = 4) -> tuple[dict[str, float], int, float]:
    """Posts NDJSON batches, a few at a time, as fast as ingest answers; (id -> ack time, refused, seconds)."""
    acked: dict[str, float] = {}
    refused = 0
    chunks = [bodies[i:i + BATCH] for i in range(0, len(bodies), BATCH)]
    queue = asyncio.Queue()
    for chunk in chunks:
        queue.put_nowait(chunk)

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal refused
        while not queue.empty():
            chunk = queue.get_nowait()
            try:
                response = await client.post("/v1/articles:batch", content=b"\n".join(chunk),
                                             headers={"content-type": "application/x-ndjson"})
                results = response.json()["results"]
            except (httpx.HTTPError, ValueError, KeyError):
                refused += len(chunk)
                continue
            now = time.monotonic()
            for result in results:
                if result.get("status") == 202:
                    acked[result["id"]] = now
                else:
                    refused += 1

    started = time.monotonic()
    async with httpx.AsyncClient(base_url=ingest_url, timeout=120) as client:
        await asyncio.gather(*(sender(client) for _ in range(in_flight)))
    return acked, refused, time.monotonic() - started


async def _post_steady(ingest_url: str, bodies: list[bytes], rate: float) -> tuple[dict[str, float], int, list[float]]:
    """Posts one article at a time on a fixed schedule (open loop: a slow answer does not slow the schedule)."""
    acked: dict[str, float] = {}
    took: list[float] = []
    refused = 0

    async def post(client: httpx.AsyncClient, body: bytes) -> None:
        nonlocal refused
        sent = time.monotonic()
        try:
            response = await client.post("/v1/articles", content=body, headers={"content-type": "application/json"})
        except httpx.HTTPError:
            refused += 1
            return
        now = time.monotonic()
        if response.status_code == 202:
            acked[response.json()["id"]] = now
            took.append(now - sent)
        else:
            refused += 1

    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=ingest_url, timeout=60, limits=limits) as client:
        tasks = []
        start = time.monotonic()
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(client, body)))
        await asyncio.gather(*tasks)
    return acked, refused, sorted(took)


def texts_of_about(texts: Sequence[str], kilobytes: float) -> list[str]:
    """The texts cut at paragraph ends into pieces of at least `kilobytes` (the genre's short news items);
    0 keeps them whole. A piece keeps its text's first line, the title."""
    if kilobytes <= 0:
        return list(texts)
    pieces = []
    for text in texts:
        title, _, body = text.partition("\n")
        piece: list[str] = []
        for paragraph in body.split("\n"):
            piece.append(paragraph)
            if len("\n".join(piece).encode()) >= kilobytes * 1024:
                pieces.append(title + "\n" + "\n".join(piece))
                piece = []
        if piece and pieces and len("\n".join(piece).encode()) < kilobytes * 512:
            pieces[-1] += "\n" + "\n".join(piece)
        elif piece:
            pieces.append(title + "\n" + "\n".join(piece))
    return pieces


def engine_alone(texts: Sequence[str], seconds: float) -> float:
    """Articles/s of the engine over `texts` in this process, pinned to one core."""
    from provnews.bench import _measure, _one_core
    from services.extract.engine import extract

    with _one_core():
        extract(texts[0])  # imports and compiled patterns warm before the clock starts
        return _measure("engine", extract, texts, seconds).articles_per_second


async def raw_floor(bootstrap: str, payloads: Sequence[bytes], folder: Path, *, partitions: int,
                    timeout_s: float = 300.0) -> float:
    """Articles/s of the least a pipeline must do: produce with acks=all (idempotent) -> consume in a group ->
    insert into SQLite FTS5 (WAL, synchronous=FULL) -> commit the offsets, over the same payloads."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from common.settings import Settings

    settings = Settings(kafka_bootstrap=bootstrap)
    from common.kafka import _wait_for_metadata, consumer_options, make_producer

    topic = f"bench.floor.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                            topic_configs={"max.message.bytes": str(settings.max_message_bytes)})])
        await _wait_for_metadata(admin, [topic], asyncio.get_running_loop().time() + 30)  # every partition led
    finally:
        await admin.close()
    db = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body)")
    consumer = AIOKafkaConsumer(topic, **consumer_options(settings), group_id=f"{topic}.group",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    producer = make_producer(settings)
    await consumer.start()
    await producer.start()
    try:
        deadline = time.monotonic() + 60
        while not consumer.assignment() and time.monotonic() < deadline:
            await consumer.getmany(timeout_ms=100)
        started = time.monotonic()

        async def produce() -> None:
            pending = [await producer.send(topic, value=p, key=str(i).encode()) for i, p in enumerate(payloads)]
            await asyncio.gather(*pending)

        producing = asyncio.create_task(produce())
        done = 0
        while done < len(payloads) and time.monotonic() - started < timeout_s:
            batches = await consumer.getmany(timeout_ms=100, max_records=500)
            rows = [(m.key.decode(), json.loads(m.value)["text"]) for messages in batches.values() for m in messages]
            if not rows:
                continue
            db.execute("BEGIN")
            db.executemany("INSERT INTO docs (id, body) VALUES (?, ?)", rows)
            db.execute("COMMIT")
            await consumer.commit({tp: messages[-1].offset + 1 for tp, messages in batches.items()})
            done += len(rows)
        await producing
        return done / (time.monotonic() - started)
    finally:
        await producer.stop()
        await consumer.stop()
        db.close()


def extracted_events(bootstrap: str, topic: str, ids: set[str]) -> tuple[int, int]:
    """(events in `topic` for these articles, articles with more than one) — read from the start."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from common.kafka import consumer_options, partitions_of
    from common.settings import Settings

    async def count() -> tuple[int, int]:
        consumer = AIOKafkaConsumer(**consumer_options(Settings(kafka_bootstrap=bootstrap)), group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        try:
            tps = [TopicPartition(topic, p) for p in await partitions_of(consumer, topic)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            per_id: dict[str, int] = {}
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and any([await consumer.position(tp) < ends[tp] for tp in tps]):
                for messages in (await consumer.getmany(timeout_ms=200, max_records=2000)).values():
                    for m in messages:
                        key = (m.key or b"").decode()
                        if key in ids:
                            per_id[key] = per_id.get(key, 0) + 1
            return sum(per_id.values()), sum(1 for n in per_id.values() if n > 1)
        finally:
            await consumer.stop()

    return asyncio.run(count())


def _store_counts(path: Path, ids: Sequence[str]) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = dict(con.execute("SELECT id, COUNT(*) FROM articles GROUP BY id").fetchall())
        fts = dict(con.execute("SELECT a.id, COUNT(*) FROM articles a JOIN articles_fts f ON f.rowid = a.rowid "
                               "GROUP BY a.id").fetchall())
    finally:
        con.close()
    return {i: max(rows.get(i, 0), fts.get(i, 0)) for i in ids}


def process_cpu(data_dir: Path) -> dict[str, float]:
    """CPU seconds used so far by each part of a running `provnews up`, from /proc: every component named by a
    pid file under data_dir/run, with its children (the extract engine's process is counted on its own)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))

    def cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    out: dict[str, float] = {}
    for pid_file in sorted((data_dir / "run").glob("*.pid")):
        name = pid_file.stem.split("-")[0]  # extract-2 counts as extract
        try:
            pid = int(pid_file.read_text())
        except (OSError, ValueError):
            continue
        todo = [pid]
        while todo:
            current = todo.pop()
            todo.extend(children.get(current, []))
            try:
                engine = current != pid and b"multiprocessing" in Path(f"/proc/{current}/cmdline").read_bytes() \
                    and b"resource_tracker" not in Path(f"/proc/{current}/cmdline").read_bytes()
            except OSError:
                engine = False
            key = f"{name} engine" if engine else name
            out[key] = out.get(key, 0.0) + cpu(current)
    return out


def cpu_line(before: dict[str, float], after: dict[str, float], articles: int) -> str:
    spent = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    parts = sorted(spent.items(), key=lambda kv: -kv[1])
    return ("CPU ms per article: " + ", ".join(f"{k} {1000 * v / max(1, articles):.1f}" for k, v in parts)
            + f"; total {1000 * sum(spent.values()) / max(1, articles):.1f}")


def start_profiles(data_dir: Path, folder: Path, seconds: float) -> list:
    """py-spy (`pip install py-spy`) on every Python service for `seconds`, raw stacks into `folder`."""
    import shutil
    import subprocess
    import sys

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    running = []
    for pid_file in sorted((data_dir / "run").glob("*.pid")):
        if pid_file.stem == "broker":
            continue
        running.append(subprocess.Popen([spy, "record", "--pid", pid_file.read_text().strip(), "--subprocesses",
                                         "--duration", str(max(1, int(seconds))), "--rate", "100", "--format", "raw",
                                         "--nonblocking", "--output", str(folder / f"{pid_file.stem}.txt")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return running


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def steady_benchmark(texts: Sequence[str], *, rates: Sequence[float], duration_s: float, sweep: bool,
                     workers: Sequence[int], burst: int, engine_seconds: float, stack_env: dict[str, str],
                     warmup: int = 500, profile_dir: Path | None = None,
                     out: Callable[[str], None] = print) -> list[WorkersResult]:
    from provnews.faults import UpProcess

    bodies = Bodies(texts)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    size_kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
    out(f"provnews bench pipeline (steady): {cores} cores, load average {_load_average()} at the start; "
        f"{len(texts)} texts cycled (mean {size_kb:.1f} KB), each posted with a unique tag")
    out("searchable = committed in the SQLite store the query API reads (polled every "
        f"{STORE_POLL_S * 1000:.0f} ms); latency = from the 202 reaching the client to that")
    engine_rate = engine_alone([bodies.text(i) for i in range(len(texts))], engine_seconds)
    out(f"engine alone, one core, same texts: {engine_rate:.0f} articles/s")
    results: list[WorkersResult] = []
    for n_workers in workers:
        result = WorkersResult(n_workers)
        results.append(result)
        with tempfile.TemporaryDirectory(prefix="provnews-bench-") as folder:
            env = {"PROVNEWS_EXTRACT_WORKERS": str(n_workers), **stack_env}
            up = UpProcess(Path(folder) / "data", extra_env=env)
            out(f"\n== {n_workers} extract worker(s): starting provnews up on free loopback ports, then {warmup} "
                "articles at 50/s to warm it up (not timed) …")
            up.start()
            store = Path(folder) / "data" / "provnews.sqlite3"
            acked_all: dict[str, float] = {}
            refused_all = 0
            try:
                with StoreWatch(store) as watch:
                    # Warm-up, not timed: articles through every stage (connections, the engine's first calls, and
                    # the broker's JIT compiler, which costs it several times the CPU per article in its first minute).
                    acked, refused, _ = asyncio.run(_post_burst(up.url("ingest"), bodies.take(20)))
                    watch.wait_for(list(acked), 120)
                    acked_all.update(acked)
                    acked, refused, _ = asyncio.run(_post_steady(up.url("ingest"), bodies.take(warmup), 50))
                    watch.wait_for(list(acked), max(120.0, warmup / 10))
                    acked_all.update(acked)
                    refused_all += refused
                    # Burst: the ingest acknowledgement rate, and the sustained end-to-end rate.
                    payloads = bodies.take(burst)
                    started = time.monotonic()
                    acked, refused, ingest_s = asyncio.run(_post_burst(up.url("ingest"), payloads))
                    acked_all.update(acked)
                    refused_all += refused
                    done = watch.wait_for(list(acked), max(120.0, burst / 10))
                    last = max((watch.seen[i] for i in acked if i in watch.seen), default=time.monotonic())
                    result.burst_articles = len(acked)
                    result.ingest_rate = len(acked) / ingest_s
                    result.end_to_end_rate = sum(i in watch.seen for i in acked) / (last - started)
                    out(f"burst of {burst}: ingest acknowledged {len(acked)} in {ingest_s:.1f} s "
                        f"({result.ingest_rate:.0f}/s); all searchable after {last - started:.1f} s "
                        f"({result.end_to_end_rate:.0f}/s end to end){'' if done else ' (NOT all: timed out)'}")
                    # Steady load at each rate: latency over every article.
                    out(f"steady load, {duration_s:g} s per rate, acknowledgement -> searchable over every article:")
                    out(STEADY_HEAD)
                    for rate in (SWEEP_RATES if sweep else rates):
                        count = max(1, int(rate * duration_s))
                        cpu_before = process_cpu(up.data_dir)
                        spies = start_profiles(up.data_dir, profile_dir / f"{n_workers}w-{rate:g}", duration_s) \
                            if profile_dir else []
                        step_started = time.monotonic()
                        acked, refused, took = asyncio.run(_post_steady(up.url("ingest"), bodies.take(count), rate))
                        posting_s = time.monotonic() - step_started
                        acked_all.update(acked)
                        refused_all += refused
                        watch.wait_for(list(acked), max(60.0, count / 20))
                        step = SteadyResult(rate, duration_s, sorted(watch.seen[i] - at for i, at in acked.items()
                                                                     if i in watch.seen))
                        step.ack_rate = len(acked) / posting_s
                        step.ack_p50_ms = percentile(took, 50) * 1000
                        step.unfinished = len(acked) - len(step.latencies)
                        result.steady.append(step)
                        out(step.row())
                        out("        " + cpu_line(cpu_before, process_cpu(up.data_dir), len(acked)))
                        for spy in spies:
                            spy.wait(60)
                        if sweep and (step.p99 > P99_LIMIT_S or step.unfinished):
                            break
                    watch.wait_for(list(acked_all), 60)
                # Counts: every acknowledged article once in the store, and once in articles.extracted.
                counts = _store_counts(store, list(acked_all))
                bootstrap = f"127.0.0.1:{up.ports['broker']}"
                events, twice = extracted_events(bootstrap, "articles.extracted", set(acked_all))
                result.counts = Counts(acknowledged=len(acked_all), refused=refused_all,
                                       searchable=sum(1 for n in counts.values() if n >= 1),
                                       lost=sum(1 for n in counts.values() if n == 0),
                                       duplicated=sum(1 for n in counts.values() if n > 1),
                                       extracted_events=events, extracted_twice=twice)
                out("counts: " + result.counts.line())
                # The raw floor on the same broker, the pipeline idle, over the burst's payloads.
                partitions = int(stack_env.get("PROVNEWS_TOPIC_PARTITIONS", 0)) or _partitions(bootstrap)
                floor_payloads = [payloads[i % len(payloads)] for i in range(max(len(payloads), FLOOR_ARTICLES))]
                result.floor_rate = asyncio.run(raw_floor(bootstrap, floor_payloads, Path(folder),
                                                          partitions=partitions))
                out(f"raw floor over {len(floor_payloads)} of the burst's payloads ({partitions} partitions): "
                    f"{result.floor_rate:.0f} articles/s")
            finally:
                up.stop()
    out("\n" + summary(results, engine_rate))
    out(f"load average {_load_average()} at the end")
    return results


def _partitions(bootstrap: str) -> int:
    from aiokafka import AIOKafkaConsumer

    from common.kafka import partitions_of

    async def count() -> int:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
        await consumer.start()
        try:
            return len(await partitions_of(consumer, "articles.raw"))
        finally:
            await consumer.stop()

    return asyncio.run(count())


def summary(results: Sequence[WorkersResult], engine_rate: float) -> str:
    """The one table a reader needs: rates, their ratios to the engine and the floor, latency at each rate."""
    lines = ["summary (targets: p50 < 0.3 s and p99 < 1 s at 100/s; end to end >= 0.8 x engine x workers; "
             "2 workers >= 1.5 x 1; nothing lost or duplicated)",
             f"{'workers':>7}{'ingest/s':>10}{'e2e/s':>8}{'engine/s':>10}{'e2e÷(engine×w)':>16}{'floor/s':>9}"
             f"{'e2e÷floor':>11}{'lost':>6}{'dup':>5}  latency p50/p99 s by rate"]
    for r in results:
        ratio_engine = r.end_to_end_rate / (engine_rate * r.workers) if engine_rate else float("nan")
        ratio_floor = r.end_to_end_rate / r.floor_rate if r.floor_rate else float("nan")
        by_rate = ", ".join(f"{s.rate:g}/s {s.p50:.2f}/{s.p99:.2f}" for s in r.steady)
        lines.append(f"{r.workers:>7}{r.ingest_rate:>10.0f}{r.end_to_end_rate:>8.0f}{engine_rate:>10.0f}"
                     f"{ratio_engine:>16.2f}{r.floor_rate or 0:>9.0f}{ratio_floor:>11.3f}"
                     f"{r.counts.lost:>6}{r.counts.duplicated + r.counts.extracted_twice:>5}  {by_rate}")
    if len(results) > 1 and results[0].end_to_end_rate:
        first, last = results[0], results[-1]
        lines.append(f"scaling: {last.workers} workers ÷ {first.workers}: "
                     f"{last.end_to_end_rate / first.end_to_end_rate:.2f}x end to end")
    return "\n".join(lines)
