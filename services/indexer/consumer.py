"""The indexer loop: consume `articles.extracted`, write through the store, then commit.

Offsets are committed only after the store says the batch is durable, so a crash replays rather
than loses; replays are harmless because writes are upserts by article id. Messages that cannot be
decoded, or that the store rejects as malformed, go to `articles.dlq` with the reason.
"""
from __future__ import annotations

import asyncio
import random

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError

from provnews.indexer.ports import ArticleStore, StoreUnavailable
from provnews.kafka import consumer_options, dead_letter_event, make_producer, start_with_retry
from provnews.logs import get_logger
from provnews.schemas.events import ArticleExtracted, ExtractedArticle
from provnews.settings import Settings

log = get_logger(__name__)
GROUP_ID = "provnews-indexer"


class Indexer:
    def __init__(self, settings: Settings, store: ArticleStore):
        self.settings = settings
        self.store = store
        self.ready = asyncio.Event()
        self.indexed = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            self.settings.topic_extracted,
            **consumer_options(self.settings),
            group_id=GROUP_ID,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        producer = make_producer(self.settings)
        await start_with_retry(consumer, self._stopping, log)
        try:
            await start_with_retry(producer, self._stopping, log)
            log.info("indexer.started", topic=self.settings.topic_extracted, group=GROUP_ID)
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=self.settings.indexer_batch_size)
                if consumer.assignment():
                    self.ready.set()
                # Whatever arrived since the last round, from every partition, is one write and one commit: the
                # batch is as large as the load makes it (up to indexer_batch_size), never waited for.
                if batches and await self._index([m for messages in batches.values() for m in messages], producer):
                    await self._commit(consumer, {tp: messages[-1].offset + 1 for tp, messages in batches.items()})
        finally:
            await consumer.stop()
            await producer.stop()

    async def _index(self, messages, producer) -> bool:
        articles: list[tuple[ExtractedArticle, object]] = []
        for message in messages:
            try:
                articles.append((ArticleExtracted.model_validate_json(message.value or b"").data, message))
            except ValidationError as exc:
                await self._dead_letter(producer, message, "undecodable_event", str(exc), None)
        attempt = 0
        while articles:
            try:
                rejected = await self.store.write([a for a, _ in articles])
                break
            except StoreUnavailable as exc:
                attempt += 1
                delay = min(30.0, 0.5 * 2 ** min(attempt, 6)) * (0.5 + random.random() / 2)
                log.warning("store.unavailable", reason=str(exc), attempt=attempt, retry_in_s=round(delay, 2))
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                    return False  # stopping: leave the offsets uncommitted, the batch is replayed next time
                except asyncio.TimeoutError:
                    continue
        else:
            return True
        by_id = {a.article_id: m for a, m in articles}
        for r in rejected:
            await self._dead_letter(producer, by_id[r.article_id], r.error, r.reason, r.article_id)
        refused = {r.article_id for r in rejected}
        for article, message in articles:
            if article.article_id not in refused:
                self.indexed += 1
                log.info("article.indexed", article_id=article.article_id, story_id=article.story_id,
                         partition=message.partition, offset=message.offset)
        return True

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took a partition away: its new owner replays from the last commit; writes are idempotent.
            log.warning("offsets.not_committed", offsets={f"{tp.topic}/{tp.partition}": o for tp, o in offsets.items()},
                        reason=str(exc))

    async def _dead_letter(self, producer, message, error: str, reason: str, article_id: str | None) -> None:
        event = dead_letter_event("index", message, error, reason, article_id)
        await producer.send_and_wait(self.settings.topic_dlq, value=event.to_bytes(), key=message.key)
        log.warning("article.dead_lettered", article_id=article_id, error=error, reason=reason[:300])
