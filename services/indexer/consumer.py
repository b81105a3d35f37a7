"""The indexer loop: consume `articles.extracted`, write through the store, then commit.

Offsets are committed only after the store says the batch is durable, so a crash replays rather
than loses; replays are harmless because writes are upserts by article id. Messages that cannot be
decoded, or that the store rejects as malformed, go to `articles.dlq` with the reason.
"""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from common.consume import AtLeastOnce, Consumer, Producer, next_offsets
from common.kafka import consumer_options, make_producer
from common.logs import get_logger
from common.settings import Settings
from common.stores.ports import ArticleStore, StoreUnavailable
from schemas.events import ArticleExtracted, ExtractedArticle

log = get_logger(__name__)
GROUP_ID = "provnews-indexer"


class Indexer:
    def __init__(self, settings: Settings, store: ArticleStore, *, consumer: Consumer | None = None,
                 producer: Producer | None = None):
        self.settings = settings
        self.store = store
        self._consumer, self._producer = consumer, producer  # made from the settings unless a test passes others
        self.indexed = 0
        self.ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop: AtLeastOnce | None = None

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        consumer = self._consumer or AIOKafkaConsumer(
            self.settings.topic_extracted,
            **consumer_options(self.settings),
            group_id=GROUP_ID,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        # Whatever arrived since the last round, from every partition, is one write and one commit: the
        # batch is as large as the load makes it (up to indexer_batch_size), never waited for.
        self._loop = AtLeastOnce(
            consumer, self._producer or make_producer(self.settings), stage="index", dlq_topic=self.settings.topic_dlq,
            log=log, max_records=self.settings.indexer_batch_size, retry_on=(StoreUnavailable,),
            stopping=self._stopping, assigned=self.ready)
        topic = self.settings.topic_extracted
        await self._loop.run(self._index,
                             started=lambda: log.info("indexer.started", topic=topic, group=GROUP_ID))

    async def _index(self, batches):
        loop = self._loop
        articles: list[tuple[ExtractedArticle, object]] = []
        for message in (m for messages in batches.values() for m in messages):
            try:
                articles.append((ArticleExtracted.model_validate_json(message.value or b"").data, message))
            except ValidationError as exc:
                await loop.dead_letter(message, "undecodable_event", str(exc), None)
        if articles:
            durable, rejected = await loop.retry(lambda: self.store.write([a for a, _ in articles]))
            if not durable:
                return None  # stopping: leave the offsets uncommitted, the batch is replayed next time
            by_id = {a.article_id: m for a, m in articles}
            for r in rejected:
                await loop.dead_letter(by_id[r.article_id], r.error, r.reason, r.article_id)
            refused = {r.article_id for r in rejected}
            for article, message in articles:
                if article.article_id not in refused:
                    self.indexed += 1
                    log.info("article.indexed", article_id=article.article_id, story_id=article.story_id,
                             partition=message.partition, offset=message.offset)
        return next_offsets(batches)
