"""The `provnews` command."""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from provnews.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Follow administrative reform in Vietnamese provincial news.")
SERVICES = ("ingest", "extract", "indexer", "query", "alerts")


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
    from provnews.supervisor import StartupError, Supervisor, seed_files, wait_until_indexed
    from provnews.ingest_client import ingest_files

    settings = get_settings()
    supervisor = Supervisor(settings, out=lambda line: print(line, flush=True))

    async def run() -> int:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in ("SIGINT", "SIGTERM"):
            loop.add_signal_handler(getattr(__import__("signal"), sig), stop.set)
        try:
            await supervisor.start()
        except StartupError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 2
        if seeds and (files := seed_files(seeds_dir)):
            summary = await asyncio.to_thread(ingest_files, files, settings.url(settings.ingest_port), show_progress=False)
            missing = await wait_until_indexed(settings, summary.accepted)
            print(f"seeds: {len(summary.accepted) - len(missing)} of {len(files)} articles searchable", flush=True)
        for name, url in supervisor.urls():
            print(f"{name:<8} {url}", flush=True)
        docs = "  ".join(f"{settings.url(port)}/docs" for port in (settings.ingest_port, settings.query_port, settings.alerts_port))
        print(f"docs     {docs}", flush=True)
        print(f"explorer {settings.url(settings.query_port)}/  (open in a browser)", flush=True)
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
    from provnews.logs import configure_logging

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {', '.join(SERVICES)}")
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level, service=service)
    if service in ("ingest", "query"):
        import uvicorn

        if service == "ingest":
            from provnews.ingest.app import create_app
        else:
            from provnews.query.app import create_app
        port = settings.ingest_port if service == "ingest" else settings.query_port
        from provnews.http import SERVER_OPTIONS

        uvicorn.run(create_app(settings), host=settings.host, port=port, log_level="warning", access_log=False,
                    **SERVER_OPTIONS)
    elif service == "extract":
        from provnews.extract.stream import run_worker

        run_worker(settings)
    elif service == "alerts":
        from provnews.alerts.service import serve as serve_alerts

        asyncio.run(serve_alerts(settings))
    else:
        from provnews.indexer.service import serve as serve_indexer

        asyncio.run(serve_indexer(settings))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .json or .ndjson articles.")],
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
def extract(paths: Annotated[list[Path], typer.Argument(help="Plain-text articles, files or folders.")]) -> None:
    """Print what the engine extracts from each article, one JSON object per line."""
    from provnews.extract.engine import extract as run_engine, to_contract

    for file in _text_files(paths):
        result = run_engine(file.read_text(encoding="utf-8"))
        sys.stdout.write(json.dumps(to_contract(result, file.name), ensure_ascii=False) + "\n")


@app.command()
def schemas() -> None:
    """Regenerate the JSON Schema files in schemas/ from the event models."""
    from provnews.schemas.generate import write_schemas

    for path in write_schemas():
        typer.echo(f"wrote {path.name}")


@app.command()
def setup(
    topics: Annotated[bool, typer.Option(help="Create the Kafka topics, PROVNEWS_TOPIC_PARTITIONS partitions each.")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker and Elasticsearch.")] = 120.0,
) -> None:
    """Create the Kafka topics and, with PROVNEWS_STORAGE=elasticsearch, the index templates, indices and aliases.

    Idempotent: what exists is kept. Says when an index has an older mapping than its template (run `reindex`).
    """
    from provnews.kafka import ensure_topics, topic_names

    settings = get_settings()

    async def run() -> None:
        if topics:
            await ensure_topics(settings, timeout_s=timeout)
            typer.echo(f"topics {', '.join(topic_names(settings))} ({settings.topic_partitions} partitions)")
        if settings.storage == "elasticsearch":
            from provnews.indexer.elasticsearch_store import ElasticsearchStore

            store = ElasticsearchStore.from_settings(settings)
            try:
                await store.wait_until_reachable(timeout)
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
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Kibana to be available.")] = 300.0,
) -> None:
    """Wait for Kibana, then import the data views, the dashboard and the topic searches (overwriting them)."""
    from provnews.kibana import DASHBOARD_ID, DEFAULT_QUERY_URL, import_saved_objects, saved_objects, to_ndjson

    settings = get_settings()
    ndjson = to_ndjson(saved_objects(settings.es_index_prefix, settings.public_url or DEFAULT_QUERY_URL))
    if print_only:
        sys.stdout.write(ndjson)
        return
    try:
        result = asyncio.run(import_saved_objects(settings, ndjson, timeout_s=timeout))
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
    ENGINE_VERSION changed; it works after the embedded broker restarted, since that broker keeps its topics in memory.
    `auto` is store for SQLite, topics for Elasticsearch.
    """
    from provnews.reindex import ReindexError, reindex as run_reindex

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


@bench_app.command("pipeline")
def bench_pipeline(
    articles: Annotated[int, typer.Option(help="How many new articles to post.")] = 500,
    ingest_url: Annotated[str | None, typer.Option(help="The ingest service (default: from settings).")] = None,
    query_url: Annotated[str | None, typer.Option(help="The query API (default: from settings).")] = None,
    seeds_dir: Annotated[Path, typer.Option(help="Texts to post, cycled.")] = Path("seeds"),
) -> None:
    """POST-to-searchable throughput and latency of a running pipeline (start it with `provnews up`)."""
    from provnews.bench_pipeline import pipeline_benchmark

    settings = get_settings()
    texts = [f.read_text(encoding="utf-8") for f in _text_files([seeds_dir])]
    pipeline_benchmark(texts, ingest_url=ingest_url or settings.url(settings.ingest_port),
                       query_url=query_url or settings.url(settings.query_port), articles=articles)


if __name__ == "__main__":
    app()
