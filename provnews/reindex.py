"""`provnews reindex`: rebuild the store from the record, then swap it in atomically; searches keep working.

Sources:
- `topics` replays the event log: `articles.extracted`, or `articles.raw` through the extractor when any
  extracted event was made by another ENGINE_VERSION than the installed one (or with --reextract).
- `store` replays what the store itself keeps: every article keeps its whole extracted event (SQLite's
  `doc` column, Elasticsearch's `doc` field), re-extracted from its `raw_text` when ENGINE_VERSION changed.
  This is the one that works after the embedded broker restarted, since Tansu keeps its log in memory.
- `auto` is `topics`: the event log is the record.

The target is the configured store, rebuilt through its StoreRebuild (common.stores.ports), which this module
only drives: SQLite builds a new file and copies it into the live one in one transaction; Elasticsearch builds
the next index versions (provnews-articles-vN+1, …) and moves the three aliases in one request. Articles the
running indexer wrote while the rebuild ran are carried over before (and, for Elasticsearch, after) the swap.
The store is a projection: reindexing publishes nothing, so subscribers are not alerted twice.
"""
from __future__ import annotations

import asyncio
import re
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from common.kafka import consumer_options, partitions_of
from common.logs import get_logger
from common.settings import Settings
from common.stores.factory import make_store
from common.stores.ports import RebuildRefused, StoreRebuild
from schemas.events import ArticleExtracted, ArticleReceived, ExtractedArticle, ReceivedArticle
from services.extract.engine import ENGINE_VERSION, extract
from services.extract.policies import assign_story, extracted_article

log = get_logger(__name__)
SourceName = Literal["auto", "topics", "store"]
BATCH = 200
_ENGINE = re.compile(rb'"engine_version"\s*:\s*"([^"]*)"')


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


async def _refreshed(articles: AsyncIterator[ExtractedArticle], reextractor: Reextractor,
                     ) -> AsyncIterator[ExtractedArticle]:
    async for article in articles:
        yield reextractor.refresh(article)


# -- the command -----------------------------------------------------------------------------------------

async def reindex(settings: Settings, *, source: SourceName = "auto", reextract: bool = False,
                  allow_fewer: bool = False, delete_old: bool = False, progress: bool = True,
                  out: Callable[[str], None] = print) -> Outcome:
    if source == "auto":  # the event log is the record; the store's own copies are the fallback a user asks for
        source = "topics"
    reextractor = Reextractor(force=reextract)
    outcome = Outcome(source=source, target=settings.storage)
    started = datetime.now(UTC)
    topic_log = TopicLog(settings) if source == "topics" else None
    store = make_store(settings)
    build = store.rebuild(delete_old=delete_old)
    try:
        await build.begin()
        total, articles = await _source(topic_log, build, settings, reextractor, outcome)
        outcome.target = build.name
        out(f"source: {outcome.source}")
        out(f"target: {outcome.target}")
        await _copy(articles, total, build, outcome, progress)
        outcome.reextracted, outcome.failed_extractions = reextractor.reextracted, reextractor.failed
        swapped = await build.finish(since=started, prepare=reextractor.refresh_all, allow_fewer=allow_fewer)
        outcome.carried_over += swapped.carried_over
        outcome.notes += swapped.notes
    except RebuildRefused as exc:
        await build.abort()
        raise ReindexError(str(exc)) from exc
    except BaseException:
        await build.abort()
        raise
    finally:
        if topic_log is not None:
            await topic_log.stop()
        await build.close()
        await store.close()
    out(f"written {outcome.written} articles ({outcome.reextracted} re-extracted with engine {ENGINE_VERSION}, "
        f"{outcome.skipped} undecodable events skipped, {outcome.rejected} rejected, "
        f"{outcome.failed_extractions} kept their old extraction after an engine error)")
    out(f"carried over {outcome.carried_over} articles indexed while the rebuild ran")
    for note in outcome.notes:
        out(note)
    return outcome


async def _source(topic_log: TopicLog | None, build: StoreRebuild, settings: Settings, reextractor: Reextractor,
                  outcome: Outcome) -> tuple[int, AsyncIterator[ExtractedArticle]]:
    """The event log when there is a TopicLog, else the articles the store keeps: how many, and the articles."""
    if topic_log is not None:
        await topic_log.start()
        return await topic_articles(topic_log, settings, reextractor, outcome)
    kept = await build.kept_articles()
    outcome.source = f"store: {kept.where}"
    return kept.total, _refreshed(kept.articles, reextractor)


async def _copy(articles: AsyncIterator[ExtractedArticle], total: int, build: StoreRebuild, outcome: Outcome,
                progress: bool) -> None:
    columns = (TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("events", total=total)
        batch: list[ExtractedArticle] = []

        async def flush() -> None:
            outcome.rejected += len(await build.write(batch))
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
