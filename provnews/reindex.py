"""`provnews reindex`: rebuild the store from the record, then swap it in atomically; searches keep working.

Sources:
- `topics` replays the event log: `articles.extracted`, or `articles.raw` through the extractor when any
  extracted event was made by another ENGINE_VERSION than the installed one (or with --reextract).
- `store` replays what the store itself keeps: every article keeps its whole extracted event (SQLite's
  `doc` column, Elasticsearch's `doc` field), re-extracted from its `raw_text` when ENGINE_VERSION changed.
  This is the one that works after the embedded broker restarted, since Tansu keeps its log in memory.
- `auto` is `store` for SQLite and `topics` for Elasticsearch.

Targets: SQLite builds a new file and copies it into the live one in one transaction; Elasticsearch builds
the next index versions (provnews-articles-vN+1, …) and moves the three aliases in one request. Articles the
running indexer wrote while the rebuild ran are carried over before (and, for Elasticsearch, after) the swap.
The store is a projection: reindexing publishes nothing, so subscribers are not alerted twice.
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from provnews.extract.engine import ENGINE_VERSION, extract
from provnews.extract.policies import assign_story, extracted_article
from provnews.kafka import consumer_options, partitions_of
from provnews.logs import get_logger
from provnews.schemas.events import ArticleExtracted, ArticleReceived, ExtractedArticle, ReceivedArticle
from provnews.settings import Settings

log = get_logger(__name__)
SourceName = Literal["auto", "topics", "store"]
BATCH = 200
_ENGINE = re.compile(rb'"engine_version"\s*:\s*"([^"]*)"')
# A write stamped just before the rebuild started may commit after it read its snapshot; and on Elasticsearch the
# indexer's clock is another host's. Carrying over a margin more costs a few idempotent rewrites.
SQLITE_MARGIN = timedelta(seconds=5)
ELASTICSEARCH_MARGIN = timedelta(seconds=60)


class ReindexError(Exception):
    """Why a rebuild was not swapped in; the live store is unchanged."""


@dataclass
class Outcome:
    source: str
    target: str
    written: int = 0
    reextracted: int = 0
    skipped: int = 0
    failed_extractions: int = 0
    rejected: int = 0
    carried_over: int = 0
    notes: list[str] = field(default_factory=list)


class Reextractor:
    """Brings articles to the installed ENGINE_VERSION, assigning stories as the extract stream does."""

    def __init__(self, force: bool = False):
        self.force = force
        self.bands: dict[str, str] = {}
        self.reextracted = 0
        self.failed = 0

    def needs(self, article: ExtractedArticle) -> bool:
        return self.force or article.extraction.engine_version != ENGINE_VERSION

    def from_received(self, received: ReceivedArticle) -> ExtractedArticle:
        published_hint = received.published_at.date() if received.published_at else None
        extraction = extract(received.text, title=received.title, published_hint=published_hint,
                             source_hint=received.source, url=received.url)
        story_id, new_keys = assign_story(received.article_id, extraction.fingerprint, self.bands.get)
        for key in new_keys:
            self.bands[key] = story_id
        self.reextracted += 1
        return extracted_article(received, extraction, story_id)

    def refresh(self, article: ExtractedArticle) -> ExtractedArticle:
        if not self.needs(article):
            for key in article.extraction.fingerprint:
                self.bands.setdefault(key, article.story_id)
            return article
        # What the extracted event kept of the submission; a posted title survives as the fallback title.
        received = ReceivedArticle(article_id=article.article_id, text=article.raw_text, url=article.url,
                                   source=article.source, published_at=article.published_at,
                                   province_hint=article.province_hint, received_at=article.received_at)
        try:
            fresh = self.from_received(received)
        except Exception:  # an engine bug must not lose the article: it keeps its old extraction
            self.failed += 1
            log.warning("reindex.extraction_failed", article_id=article.article_id, error=traceback.format_exc(limit=3))
            return article
        if not fresh.extraction.title and article.extraction.title:
            fresh = fresh.model_copy(update={"extraction": fresh.extraction.model_copy(
                update={"title": article.extraction.title})})
        return fresh

    def refresh_all(self, articles: list[ExtractedArticle]) -> list[ExtractedArticle]:
        return [self.refresh(a) for a in articles]


# -- sources -------------------------------------------------------------------------------------------

class TopicLog:
    """Reads topics from the beginning up to the end offsets of a snapshot, with a consumer of no group."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.consumer = AIOKafkaConsumer(**consumer_options(settings), enable_auto_commit=False,
                                         group_id=None, auto_offset_reset="earliest")

    async def start(self) -> None:
        try:
            await asyncio.wait_for(self.consumer.start(), 20)
        except Exception as exc:
            raise ReindexError(f"cannot read the event log at {self.settings.kafka_bootstrap} ({exc or type(exc).__name__}); "
                               "is the broker running? `--source store` rebuilds from the store itself") from exc

    async def stop(self) -> None:
        await self.consumer.stop()

    async def bounds(self, topic: str) -> dict[TopicPartition, tuple[int, int]]:
        partitions = [TopicPartition(topic, p) for p in await partitions_of(self.consumer, topic)]
        if not partitions:
            return {}
        starts = await self.consumer.beginning_offsets(partitions)
        ends = await self.consumer.end_offsets(partitions)
        return {tp: (starts[tp], ends[tp]) for tp in partitions}

    async def read(self, bounds: dict[TopicPartition, tuple[int, int]]) -> AsyncIterator[bytes]:
        wanted = {tp: span for tp, span in bounds.items() if span[0] < span[1]}
        if not wanted:
            return
        self.consumer.assign(list(wanted))
        for tp, (start, _) in wanted.items():
            self.consumer.seek(tp, start)
        remaining = set(wanted)
        idle = 0
        while remaining:
            batches = await self.consumer.getmany(*remaining, timeout_ms=1000, max_records=500)
            idle = 0 if batches else idle + 1
            if idle > 30:
                raise ReindexError(f"the broker stopped answering while replaying {sorted(str(tp) for tp in remaining)}")
            for tp, messages in batches.items():
                end = wanted[tp][1]
                for message in messages:
                    if message.offset < end:
                        yield message.value or b""
            for tp in list(remaining):
                if await self.consumer.position(tp) >= wanted[tp][1]:
                    remaining.discard(tp)


def _count(bounds: dict[TopicPartition, tuple[int, int]]) -> int:
    return sum(end - start for start, end in bounds.values())


async def topic_articles(log_: TopicLog, settings: Settings, reextractor: Reextractor, outcome: Outcome,
                         ) -> tuple[int, AsyncIterator[ExtractedArticle]]:
    """Decides between articles.extracted and articles.raw; returns (events to replay, the articles)."""
    extracted = await log_.bounds(settings.topic_extracted)
    raw = await log_.bounds(settings.topic_raw)
    versions: set[str] = set()
    if not reextractor.force and _count(extracted):
        async for value in log_.read(extracted):
            found = _ENGINE.search(value)
            versions.add(found.group(1).decode() if found else "?")
    use_raw = bool(_count(raw)) and (reextractor.force or versions - {ENGINE_VERSION} or not _count(extracted))
    if not _count(raw) and not _count(extracted):
        raise ReindexError(f"the topics {settings.topic_raw} and {settings.topic_extracted} are empty (a Tansu broker "
                           "keeps them in memory only); `--source store` rebuilds from the store itself")
    if use_raw:
        why = "--reextract" if reextractor.force else (
            f"extracted by engine {', '.join(sorted(versions - {ENGINE_VERSION}))}, installed {ENGINE_VERSION}"
            if versions else f"{settings.topic_extracted} is empty")
        outcome.source = f"topics: {settings.topic_raw} through the extractor ({why})"
        return _count(raw), _decode_raw(log_, raw, reextractor, outcome)
    outcome.source = f"topics: {settings.topic_extracted} (engine {ENGINE_VERSION} throughout)"
    if versions - {ENGINE_VERSION}:
        outcome.source = (f"topics: {settings.topic_extracted}, re-extracting raw_text where the engine differs "
                          f"({settings.topic_raw} is empty)")
    return _count(extracted), _decode_extracted(log_, extracted, reextractor, outcome)


async def _decode_raw(log_, bounds, reextractor: Reextractor, outcome: Outcome) -> AsyncIterator[ExtractedArticle]:
    async for value in log_.read(bounds):
        try:
            received = ArticleReceived.model_validate_json(value).data
        except ValidationError:
            outcome.skipped += 1  # the live stream dead-lettered it already
            continue
        try:
            yield reextractor.from_received(received)
        except Exception:
            reextractor.failed += 1
            log.warning("reindex.extraction_failed", article_id=received.article_id, error=traceback.format_exc(limit=3))


async def _decode_extracted(log_, bounds, reextractor: Reextractor, outcome: Outcome) -> AsyncIterator[ExtractedArticle]:
    async for value in log_.read(bounds):
        try:
            article = ArticleExtracted.model_validate_json(value).data
        except ValidationError:
            outcome.skipped += 1
            continue
        yield reextractor.refresh(article)


async def sqlite_rows(path: Path, reextractor: Reextractor) -> tuple[int, AsyncIterator[ExtractedArticle]]:
    if not path.exists():
        raise ReindexError(f"no SQLite store at {path}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    total = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    async def rows() -> AsyncIterator[ExtractedArticle]:
        try:
            cursor = db.execute("SELECT doc FROM articles ORDER BY rowid")
            while chunk := await asyncio.to_thread(cursor.fetchmany, BATCH):
                for (doc,) in chunk:
                    yield reextractor.refresh(ExtractedArticle.model_validate_json(doc))
        finally:
            db.close()

    return total, rows()


# -- targets -------------------------------------------------------------------------------------------

class SqliteTarget:
    def __init__(self, settings: Settings):
        from provnews.stores.sqlite_store import SqliteStore

        self.live_path = settings.sqlite_file
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = self.live_path.with_name(f"{self.live_path.name}.rebuild-{stamp}")
        self.store: SqliteStore | None = SqliteStore(self.path)
        self.name = f"sqlite {self.live_path}"
        # What the rebuild must at least hold; articles indexed after this are carried over at the swap.
        self.live_at_start = _sqlite_count(self.live_path) if self.live_path.exists() else 0

    async def write(self, articles: list[ExtractedArticle]) -> int:
        return len(await self.store.write(articles))

    async def finish(self, reextractor: Reextractor, since: datetime, allow_fewer: bool, outcome: Outcome) -> None:
        from provnews.stores.sqlite_store import SqliteStore

        await self._close_build()
        built, live = _sqlite_count(self.path), self.live_at_start
        if built < live and not allow_fewer:
            raise ReindexError(f"the rebuild has {built} articles, the live store {live}: not swapped "
                               "(--allow-fewer swaps anyway)")
        target = SqliteStore(self.live_path)
        try:
            outcome.carried_over = await target.swap_from(self.path, changed_since=(since - SQLITE_MARGIN).isoformat(),
                                                          prepare=reextractor.refresh_all)
        finally:
            await target.close()
        outcome.notes.append(f"swapped the rebuilt store into {self.live_path} ({built} articles)")
        self.cleanup()

    async def abort(self) -> None:
        await self._close_build()
        self.cleanup()

    async def _close_build(self) -> None:
        if self.store is not None:
            store, self.store = self.store, None
            await store.close()

    def cleanup(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _sqlite_count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        db.close()


class ElasticsearchTarget:
    def __init__(self, settings: Settings, delete_old: bool):
        from provnews.stores.elasticsearch_store import ElasticsearchStore

        self.settings = settings
        self.delete_old = delete_old
        self.admin = ElasticsearchStore(settings)
        self.aliases = self.admin.aliases
        self.new = None
        self.writer = None
        self.live: dict[str, list[str]] = {}
        self.swapped = False
        self.live_at_start = 0
        self.name = f"elasticsearch {settings.es_url}"

    async def begin(self) -> None:
        from provnews.stores.elasticsearch_store import ElasticsearchStore, index_version

        for line in await self.admin.setup():  # the templates of this checkout, so a mapping change lands
            log.info("elasticsearch.setup", step=line)
        client = self.admin.client
        self.live = {alias: await self.admin.live_indices(alias) for alias in self.aliases.all()}
        await client.indices.refresh(index=self.aliases.articles)
        self.live_at_start = (await client.count(index=self.aliases.articles))["count"]
        existing = await client.indices.get(index=",".join(f"{a}-v*" for a in self.aliases.all()),
                                            expand_wildcards="all", allow_no_indices=True)
        version = max((index_version(name) or 0 for name in existing.body), default=0) + 1
        self.new = self.aliases.version(version)
        for index in self.new.all():
            # No refreshes while building: faster, and nobody searches the new indices before the swap.
            await client.indices.create(index=index, settings={"index": {"refresh_interval": "-1"}})
        self.writer = ElasticsearchStore(self.settings, targets=self.new, wait_for_refresh=False)
        self.name = f"elasticsearch {', '.join(self.new.all())}"

    async def source(self, reextractor: Reextractor) -> tuple[int, AsyncIterator[ExtractedArticle]]:
        return await self._documents(self.live[self.aliases.articles], None, reextractor)

    async def _documents(self, indices: list[str], since: datetime | None, reextractor: Reextractor):
        from elasticsearch.helpers import async_scan

        client = self.admin.client
        query = {"range": {"indexed_at": {"gte": since.isoformat()}}} if since else {"match_all": {}}
        await client.indices.refresh(index=",".join(indices))
        total = (await client.count(index=",".join(indices), query=query))["count"]

        async def docs() -> AsyncIterator[ExtractedArticle]:
            async for hit in async_scan(client, index=",".join(indices), query={"query": query, "_source": ["doc"]},
                                        size=BATCH):
                yield reextractor.refresh(ExtractedArticle.model_validate(hit["_source"]["doc"]))

        return total, docs()

    async def write(self, articles: list[ExtractedArticle]) -> int:
        return len(await self.writer.write(articles))

    async def _carry_over(self, since: datetime, reextractor: Reextractor) -> int:
        _, docs = await self._documents(self.live[self.aliases.articles], since - ELASTICSEARCH_MARGIN, reextractor)
        carried, batch = 0, []
        async for article in docs:
            batch.append(article)
            if len(batch) >= BATCH:
                carried += len(batch) - await self.write(batch)
                batch = []
        if batch:
            carried += len(batch) - await self.write(batch)
        return carried

    async def finish(self, reextractor: Reextractor, since: datetime, allow_fewer: bool, outcome: Outcome) -> None:
        client = self.admin.client
        await client.indices.put_settings(index=",".join(self.new.all()), settings={"index": {"refresh_interval": None}})
        outcome.carried_over += await self._carry_over(since, reextractor)
        await client.indices.refresh(index=",".join(self.new.all()))
        built, live = (await client.count(index=self.new.articles))["count"], self.live_at_start
        if built < live and not allow_fewer:
            raise ReindexError(f"the rebuild has {built} articles, the live indices {live}: not swapped "
                               "(--allow-fewer swaps anyway)")
        swapped_at = datetime.now(UTC)
        actions = []
        for alias, index in zip(self.aliases.all(), self.new.all()):
            actions += [{"remove": {"index": old, "alias": alias}} for old in self.live[alias]]
            actions.append({"add": {"index": index, "alias": alias}})
        await client.indices.update_aliases(actions=actions)  # one request: all three move at once
        self.swapped = True
        outcome.notes.append("aliases: " + ", ".join(f"{a} -> {i}" for a, i in zip(self.aliases.all(), self.new.all())))
        # What the indexer wrote into the old indices while the aliases moved.
        outcome.carried_over += await self._carry_over(min(since, swapped_at), reextractor)
        old = [index for indices in self.live.values() for index in indices]
        if old and self.delete_old:
            await asyncio.sleep(2)  # searches that resolved the aliases just before the swap finish first
            await client.indices.delete(index=",".join(old))
            outcome.notes.append(f"deleted {', '.join(old)}")
        elif old:
            outcome.notes.append(f"kept {', '.join(old)} (--delete-old removes them)")

    async def abort(self) -> None:
        if self.new is not None and not self.swapped:  # once swapped, the new indices are the live ones
            await self.admin.client.indices.delete(index=",".join(self.new.all()), ignore_unavailable=True)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        await self.admin.close()


# -- the command -----------------------------------------------------------------------------------------

async def reindex(settings: Settings, *, source: SourceName = "auto", reextract: bool = False,
                  allow_fewer: bool = False, delete_old: bool = False, progress: bool = True,
                  out: Callable[[str], None] = print) -> Outcome:
    target_kind = settings.storage
    if source == "auto":  # the event log is the record; the store's own copies are the fallback a user asks for
        source = "topics"
    reextractor = Reextractor(force=reextract)
    outcome = Outcome(source=source, target=target_kind)
    started = datetime.now(UTC)
    topic_log = TopicLog(settings) if source == "topics" else None
    target = SqliteTarget(settings) if target_kind == "sqlite" else ElasticsearchTarget(settings, delete_old)
    try:
        if isinstance(target, ElasticsearchTarget):
            await target.begin()
        if topic_log is not None:
            await topic_log.start()
            total, articles = await topic_articles(topic_log, settings, reextractor, outcome)
        elif isinstance(target, SqliteTarget):
            outcome.source = f"store: the articles in {settings.sqlite_file}"
            total, articles = await sqlite_rows(settings.sqlite_file, reextractor)
        else:
            outcome.source = f"store: the articles in {', '.join(target.live[target.aliases.articles])}"
            total, articles = await target.source(reextractor)
        outcome.target = target.name
        out(f"source: {outcome.source}")
        out(f"target: {outcome.target}")
        await _copy(articles, total, target, outcome, progress)
        outcome.reextracted, outcome.failed_extractions = reextractor.reextracted, reextractor.failed
        await target.finish(reextractor, started, allow_fewer, outcome)
    except BaseException:
        await target.abort()
        raise
    finally:
        if topic_log is not None:
            await topic_log.stop()
        if isinstance(target, ElasticsearchTarget):
            await target.close()
    out(f"written {outcome.written} articles ({outcome.reextracted} re-extracted with engine {ENGINE_VERSION}, "
        f"{outcome.skipped} undecodable events skipped, {outcome.rejected} rejected, "
        f"{outcome.failed_extractions} kept their old extraction after an engine error)")
    out(f"carried over {outcome.carried_over} articles indexed while the rebuild ran")
    for note in outcome.notes:
        out(note)
    return outcome


async def _copy(articles: AsyncIterator[ExtractedArticle], total: int, target, outcome: Outcome, progress: bool) -> None:
    columns = (TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("events", total=total)
        batch: list[ExtractedArticle] = []

        async def flush() -> None:
            outcome.rejected += await target.write(batch)
            outcome.written += len(batch)
            bar.advance(task, len(batch))
            batch.clear()

        async for article in articles:
            batch.append(article)
            if len(batch) >= BATCH:
                await flush()
        if batch:
            await flush()
        bar.update(task, completed=total)
