"""The `provnews` command."""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from common.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Follow administrative reform in Vietnamese provincial news.")
SERVICES = ("ingest", "extract", "indexer", "query", "alerts", "feeds")


@app.callback()
def main() -> None:
    """Follow administrative reform in Vietnamese provincial news."""


def _text_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise typer.BadParameter(f"no such file or folder: {path}")
    return files


@app.command()
def up(
    seeds: Annotated[bool, typer.Option(help="Ingest the sample articles once everything is ready.")] = True,
    seeds_dir: Annotated[Path, typer.Option(help="Where the sample articles are.")] = Path("seeds"),
) -> None:
    """Start the broker and every service locally, ingest the seeds, print the URLs, then `ready`."""
    from provnews.ingest_client import ingest_files
    from provnews.supervisor import StartupError, Supervisor, seed_files, wait_until_indexed

    settings = get_settings()
    supervisor = Supervisor(settings, out=lambda line: print(line, flush=True))

    async def run() -> int:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in ("SIGINT", "SIGTERM"):
            loop.add_signal_handler(getattr(__import__("signal"), sig), stop.set)
        starting = asyncio.create_task(supervisor.start())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # Ctrl-C while starting: stop at once, the `finally` below stops what started
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return 130
        stopped.cancel()
        try:
            starting.result()
        except StartupError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 2
        bound = supervisor.settings  # with the ports the supervisor bound (a port set to 0 is one the kernel picked)
        if seeds and (files := seed_files(seeds_dir)):
            summary = await asyncio.to_thread(ingest_files, files, bound.url(bound.ingest_port), show_progress=False)
            missing = await wait_until_indexed(bound, summary.accepted)
            print(f"seeds: {len(summary.accepted) - len(missing)} of {len(files)} articles searchable", flush=True)
        for name, url in supervisor.urls():
            print(f"{name:<8} {url}", flush=True)
        docs = "  ".join(f"{bound.url(port)}/docs" for port in (bound.ingest_port, bound.query_port, bound.alerts_port))
        print(f"docs     {docs}", flush=True)
        print(f"explorer {bound.url(bound.query_port)}/  (open in a browser)", flush=True)
        print("ready", flush=True)
        watcher = asyncio.create_task(supervisor.watch())
        await stop.wait()
        watcher.cancel()
        return 0

    try:
        code = asyncio.run(run())
    finally:
        print("stopping …", flush=True)
        supervisor.stop()
        print("stopped", flush=True)
    raise typer.Exit(code)


@app.command()
def serve(service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}.")]) -> None:
    """Run one service in the foreground (what `up` and the Docker images run)."""
    from common.logs import configure_logging

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {', '.join(SERVICES)}")
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level, service=service)
    if service in ("ingest", "query", "feeds"):
        import uvicorn

        if service == "ingest":
            from services.ingest.app import create_app
        elif service == "feeds":
            from services.feeds.app import create_app
        else:
            from services.query.app import create_app
        port = {"ingest": settings.ingest_port, "query": settings.query_port, "feeds": settings.feeds_port}[service]
        from common.http import SERVER_OPTIONS, inherited_sockets

        server = uvicorn.Server(uvicorn.Config(create_app(settings), host=settings.host, port=port,
                                               log_level="warning", access_log=False, **SERVER_OPTIONS))
        server.run(sockets=inherited_sockets(settings.listen_fd))
    elif service == "extract":
        from services.extract.stream import run_worker

        run_worker(settings)
    elif service == "alerts":
        from services.alerts.service import serve as serve_alerts

        asyncio.run(serve_alerts(settings))
    else:
        from services.indexer.service import serve as serve_indexer

        asyncio.run(serve_indexer(settings))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .html, .json or .ndjson articles.")],
    url: Annotated[str | None, typer.Option(help="The ingest service (default: from settings).")] = None,
) -> None:
    """Post articles to a running ingest service, with a progress bar and a summary."""
    from provnews.ingest_client import ingest_files

    settings = get_settings()
    try:
        key = settings.ingest_api_key.get_secret_value() if settings.ingest_api_key else None
        summary = ingest_files(paths, url or settings.url(settings.ingest_port), api_key=key)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from exc
    for where, why in summary.rejected:
        typer.echo(f"rejected {where}: {why}", err=True)
    typer.echo(f"accepted {len(summary.accepted)}, rejected {len(summary.rejected)}")
    raise typer.Exit(1 if summary.rejected else 0)


@app.command()
def follow(
    feeds: Annotated[Path | None, typer.Option(help="The list of feeds (default: PROVNEWS_FEEDS_FILE, feeds.toml).")] = None,
    once: Annotated[bool, typer.Option(help="Poll every feed once, ingest what is new, and stop.")] = False,
    url: Annotated[str | None, typer.Option(help="The ingest service (default: from settings).")] = None,
) -> None:
    """Follow RSS/Atom feeds: poll each at its interval and ingest every new item's page (Ctrl-C stops)."""
    from common.logs import configure_logging
    from services.feeds.bootstrap import bootstrap, close
    from services.feeds.feedlist import FeedListError, load_feeds

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level, service="feeds")
    try:
        feed_list = load_feeds(feeds or settings.feeds_file)
    except FeedListError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from exc

    async def run() -> None:
        follower = bootstrap(settings, feed_list, ingest_url=url)
        try:
            if once:
                await follower.round(all_feeds=True)
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in ("SIGINT", "SIGTERM"):
                loop.add_signal_handler(getattr(__import__("signal"), sig), stop.set)
            await follower.run(stop)
        finally:
            await close(follower)

    asyncio.run(run())


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Plain-text articles, files or folders.")],
    explain: Annotated[bool, typer.Option(help="Print each finding with the rules that read it and its evidence.")] = False,
) -> None:
    """Print what the engine extracts from each article, one JSON object per line."""
    from provnews.rule_report import explain_lines
    from services.extract.engine import extract as run_engine
    from services.extract.engine import to_contract

    for file in _text_files(paths):
        result = run_engine(file.read_text(encoding="utf-8"))
        if explain:
            sys.stdout.write(f"== {file.name}\n" + "".join(line + "\n" for line in explain_lines(result)))
        else:
            sys.stdout.write(json.dumps(to_contract(result, file.name), ensure_ascii=False) + "\n")


@app.command()
def rules(
    precision: Annotated[bool, typer.Option(help="Score each rule's findings against the gold sets.")] = False,
    gold: Annotated[list[str] | None, typer.Option(
        help="ARTICLES_DIR:GOLD_DIR, repeatable (default: the seeds', the genre fixtures' and the real corpus's gold sets).")] = None,
) -> None:
    """List the engine's rules; with --precision, how often each one's findings are right."""
    from provnews.rule_report import DEFAULT_GOLD_SETS, precision_lines, rule_precision
    from services.extract.engine.rules import all_rules

    if not precision:
        for rule in all_rules():
            typer.echo(f"{rule.id:<44} {rule.kind:<7} {rule.summary}")
        return
    sets = DEFAULT_GOLD_SETS
    if gold:
        pairs = [g.split(":", 1) for g in gold]
        if any(len(p) != 2 for p in pairs):
            raise typer.BadParameter("give each gold set as ARTICLES_DIR:GOLD_DIR")
        sets = tuple((Path(a), Path(b)) for a, b in pairs)
    for _articles, golds in sets:
        if not golds.is_dir():
            raise typer.BadParameter(f"no gold folder: {golds}")
    for line in precision_lines(rule_precision(sets)):
        typer.echo(line)


@app.command("metric-classes")
def metric_classes() -> None:
    """Score the scoreboard's metric classes on the gold sets (run from the project root)."""
    from provnews.metric_class_report import report

    for line in report():
        print(line)


@app.command()
def schemas() -> None:
    """Regenerate the JSON Schema files in schemas/ from the event models."""
    from schemas.generate import write_schemas

    for path in write_schemas():
        typer.echo(f"wrote {path.name}")


@app.command()
def setup(
    topics: Annotated[bool, typer.Option(help="Create the Kafka topics, PROVNEWS_TOPIC_PARTITIONS partitions each.")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker and Elasticsearch.")] = 120.0,
) -> None:
    """Create the Kafka topics and, with PROVNEWS_STORAGE=elasticsearch, the index templates, indices and aliases.

    Idempotent: what exists is kept. First checks that Elasticsearch answers with a supported version (a
    refusal it cannot outwait, such as a version mismatch or bad credentials, fails at once with the
    cluster's reason). A newer mapping that only adds fields is applied to the live index; any other
    change says to run `reindex`.
    """
    from common.kafka import ensure_topics, topic_names

    settings = get_settings()

    async def run() -> None:
        if topics:
            for change in await ensure_topics(settings, timeout_s=timeout):
                typer.echo(f"topics: {change}")
            typer.echo(f"topics {', '.join(topic_names(settings))} ({settings.topic_partitions} partitions, "
                       f"replication {settings.topic_replication}, configs checked)")
        if settings.storage == "elasticsearch":
            from common.stores.elasticsearch_store import ElasticsearchStore

            store = ElasticsearchStore.from_settings(settings)
            try:
                version = await store.wait_until_reachable(timeout)
                typer.echo(f"elasticsearch {version} at {settings.es_url}")
                for line in await store.setup():
                    typer.echo(line)
            finally:
                await store.close()

    try:
        asyncio.run(run())
    except Exception as exc:  # one line for the operator, not a traceback
        typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command("kibana-setup")
def kibana_setup(
    print_only: Annotated[bool, typer.Option("--print", help="Print the saved objects as NDJSON, import nothing.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Kibana to be ready.")] = 300.0,
) -> None:
    """Wait for Kibana (available, or degraded by a plugin), then import the data views, the dashboard and the
    topic searches (overwriting them)."""
    from provnews.kibana import (
        DASHBOARD_ID,
        DEFAULT_QUERY_URL,
        KibanaStatus,
        import_saved_objects,
        saved_objects,
        to_ndjson,
    )

    settings = get_settings()
    ndjson = to_ndjson(saved_objects(settings.es_index_prefix, settings.public_url or DEFAULT_QUERY_URL))
    if print_only:
        sys.stdout.write(ndjson)
        return
    def ready(status: KibanaStatus) -> None:
        version = status.version or "(version not shown without credentials)"
        typer.echo(f"kibana {version} at {settings.kibana_url}: {status.level}")
        for problem in status.not_available:  # a degraded plugin does not stop the import, but say which
            typer.echo(f"warning: {problem}")

    try:
        result = asyncio.run(import_saved_objects(settings, ndjson, timeout_s=timeout, on_ready=ready))
    except (TimeoutError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"imported {result.get('successCount', 0)} saved objects; dashboard "
               f"{settings.kibana_url.rstrip('/')}/app/dashboards#/view/{DASHBOARD_ID}")


@app.command()
def reindex(
    source: Annotated[str, typer.Option(help="auto, topics or store (see above).")] = "auto",
    reextract: Annotated[bool, typer.Option(help="Re-run extraction even where ENGINE_VERSION is unchanged.")] = False,
    allow_fewer: Annotated[bool, typer.Option(help="Swap even if the rebuild holds fewer articles than the live store.")] = False,
    delete_old: Annotated[bool, typer.Option(help="Elasticsearch: delete the previous index versions after the swap.")] = False,
) -> None:
    """Rebuild the store (PROVNEWS_STORAGE) by replaying events, then swap it in atomically; searches keep working.

    Sources, and the command prints which one it used:
    `topics` replays the event log: articles.extracted, or articles.raw through the extractor when ENGINE_VERSION changed.
    `store` replays the articles the store keeps (each with its whole extracted event), re-extracting raw_text when
    ENGINE_VERSION changed; for a Tansu broker, which keeps its topics in memory only.
    `auto` is topics: the event log is the record.
    """
    from provnews.reindex import ReindexError
    from provnews.reindex import reindex as run_reindex

    if source not in ("auto", "topics", "store"):
        raise typer.BadParameter(f"unknown source {source!r}; choose auto, topics or store")
    settings = get_settings()
    try:
        asyncio.run(run_reindex(settings, source=source, reextract=reextract, allow_fewer=allow_fewer,  # type: ignore[arg-type]
                                delete_old=delete_old, progress=sys.stdout.isatty(), out=typer.echo))
    except ReindexError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks: measure speed, never asserted in tests.")
app.add_typer(bench_app, name="bench")


@bench_app.command("extract")
def bench_extract(
    paths: Annotated[list[Path] | None, typer.Argument(help="Articles to run over (default: seeds/).")] = None,
    seconds: Annotated[float, typer.Option(help="How long to run the engine.")] = 10.0,
    baseline: Annotated[bool, typer.Option(help="Also time underthesea's ner on the same texts.")] = True,
) -> None:
    """Articles/s and KB/s of the engine on one core, and the ratio to underthesea's NER."""
    from provnews.bench import extract_benchmark

    texts = [f.read_text(encoding="utf-8") for f in _text_files(paths or [Path("seeds")])]
    extract_benchmark(texts, seconds=seconds, baseline=baseline)


@bench_app.command("pages")
def bench_pages(
    paths: Annotated[list[Path] | None, typer.Argument(help="HTML pages (default: tests/fixtures/pages).")] = None,
    seconds: Annotated[float, typer.Option(help="How long to read each set of pages.")] = 5.0,
) -> None:
    """Pages/s and KB/s of reading web pages (trafilatura and htmldate) on one core, as written and made heavy."""
    from provnews.bench_sources import pages_benchmark

    files = [p for p in (paths or sorted(Path("tests/fixtures/pages").glob("*.html"))) if "index" not in p.name]
    pages_benchmark(files, seconds)


@bench_app.command("exports")
def bench_exports(
    articles: Annotated[int, typer.Option(help="Articles in the temporary SQLite store.")] = 5000,
    metrics_each: Annotated[int, typer.Option(help="Metrics per article.")] = 4,
) -> None:
    """Rows/s and peak memory of streaming the exports, and the time to build the scoreboard, on a SQLite store."""
    import tempfile

    from provnews.bench_sources import exports_benchmark

    with tempfile.TemporaryDirectory(prefix="provnews-bench-") as folder:
        exports_benchmark(Path(folder), articles, metrics_each)


@bench_app.command("pipeline")
def bench_pipeline(
    articles: Annotated[int, typer.Option(help="Burst mode: how many new articles to post to a running stack.")] = 500,
    ingest_url: Annotated[str | None, typer.Option(help="Burst mode: the ingest service (default: from settings).")] = None,
    query_url: Annotated[str | None, typer.Option(help="Burst mode: the query API (default: from settings).")] = None,
    seeds_dir: Annotated[Path, typer.Option(help="Texts to post, cycled.")] = Path("seeds"),
    rate: Annotated[list[float] | None, typer.Option(help="Steady mode: articles/s (repeat for several rates).")] = None,
    duration: Annotated[float, typer.Option(help="Steady mode: seconds of load at each rate.")] = 20.0,
    sweep: Annotated[bool, typer.Option(help="Steady mode: step the rate up until p99 passes 1 s.")] = False,
    workers: Annotated[str, typer.Option(help="Steady mode: extract worker counts to run, e.g. 1,2 "
                                              "(default: 1 and the number of cores).")] = "",
    burst: Annotated[int, typer.Option(help="Steady mode: articles in the burst that measures the rates.")] = 1500,
    engine_seconds: Annotated[float, typer.Option(help="Steady mode: how long to time the engine alone.")] = 5.0,
    stack_env: Annotated[list[str] | None, typer.Option(help="Steady mode: KEY=VALUE for the stack it starts.")] = None,
    warmup: Annotated[int, typer.Option(help="Steady mode: articles posted (at 50/s, not timed) before measuring.")] = 500,
    profile: Annotated[Path | None, typer.Option(help="Steady mode: py-spy every service at each rate, raw stacks "
                                                      "into this folder (pip install py-spy).")] = None,
    text_kb: Annotated[float, typer.Option(help="Steady mode: cut the texts at paragraphs into pieces of about "
                                                "this many KB (0: whole files).")] = 2.0,
) -> None:
    """Throughput and latency of the pipeline. With --rate/--sweep (steady mode) it starts its own stack on free
    loopback ports and prints everything in one run; without, it posts a burst to a running `provnews up`."""
    import os

    from provnews.bench_pipeline import pipeline_benchmark, steady_benchmark, texts_of_about

    settings = get_settings()
    texts = [f.read_text(encoding="utf-8") for f in _text_files([seeds_dir])]
    if rate or sweep:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        counts = [int(w) for w in workers.split(",") if w.strip()] if workers else sorted({1, cores})
        env = dict(item.split("=", 1) for item in stack_env or [])
        steady_benchmark(texts_of_about(texts, text_kb), rates=rate or [], duration_s=duration, sweep=sweep, workers=counts, burst=burst,
                         engine_seconds=engine_seconds, stack_env=env, warmup=warmup,
                         profile_dir=profile, out=typer.echo)
        return
    pipeline_benchmark(texts, ingest_url=ingest_url or settings.url(settings.ingest_port),
                       query_url=query_url or settings.url(settings.query_port), articles=articles)


if __name__ == "__main__":
    app()


@bench_app.command("faults")
def bench_faults(
    components: Annotated[list[str] | None, typer.Argument(help="Which to kill (default: all, one at a time).")] = None,
    rate: Annotated[float, typer.Option(help="Articles posted per second during each scenario.")] = 20.0,
    duration: Annotated[float, typer.Option(help="Seconds of load per scenario; the kill falls in its middle.")] = 30.0,
    broker: Annotated[str, typer.Option(help="kafka, or tansu for the fallback (losses expected there).")] = "kafka",
    seed: Annotated[int | None, typer.Option(help="Seed for the kill points and the articles.")] = None,
) -> None:
    """The fault suite, longer: a fresh `provnews up` on free loopback ports, one component SIGKILLed at a time."""
    import random
    import tempfile

    from provnews.faults import COMPONENTS, Receiver, UpProcess, format_table, run_scenario, subscribe

    chosen = components or list(COMPONENTS)
    if unknown := [c for c in chosen if c not in COMPONENTS]:
        raise typer.BadParameter(f"unknown component(s) {', '.join(unknown)}; choose from {', '.join(COMPONENTS)}")
    if broker not in ("kafka", "tansu"):
        raise typer.BadParameter("broker is kafka or tansu")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="provnews-faults-") as folder:
        up = UpProcess(Path(folder) / "data", extra_env={"PROVNEWS_LOCAL_BROKER": broker})
        typer.echo(f"starting provnews up ({broker}) …")
        up.start()
        results = []
        try:
            with Receiver() as receiver:
                subscribe(up, receiver)
                for component in chosen:
                    results.append(run_scenario(up, receiver, component, rate=rate, duration_s=duration,
                                                seed=rng.randrange(2**32), out=typer.echo))
                    typer.echo(format_table(results[-1:], up.broker_kind).splitlines()[-1])
        finally:
            up.stop()
    typer.echo("")
    typer.echo(format_table(results, up.broker_kind))
