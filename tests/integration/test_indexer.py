"""The indexer loop on a real broker and a real SQLite file."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from structlog.testing import capture_logs

from common.stores.sqlite_store import SqliteStore
from schemas.events import ArticleExtracted
from services.indexer.consumer import GROUP_ID, Indexer
from tests.article_helpers import ARTICLES
from tests.conftest import wait_until_async
from tests.kafka_helpers import produce, read_topic


def extracted_event(article) -> bytes:
    return ArticleExtracted.wrap(article, subject=article.article_id, event_id=f"e-{article.article_id}",
                                 time=datetime.now(UTC)).to_bytes()


async def committed(settings) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=GROUP_ID, enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(settings.topic_extracted, 0))
    finally:
        await consumer.stop()


async def run_until(indexer: Indexer, condition, timeout: float = 30.0) -> None:
    task = asyncio.create_task(indexer.run())

    async def reached() -> bool:
        assert not task.done(), task.exception()
        return await condition()

    try:
        await wait_until_async(reached, timeout, message="the condition")
    finally:
        indexer.stop()
        await task


def test_poison_goes_to_the_dlq_and_good_articles_are_indexed(settings, tmp_path):
    produce(settings.kafka_bootstrap, settings.topic_extracted, b'{"not": "an event"}', key=b"bad")
    produce(settings.kafka_bootstrap, settings.topic_extracted, extracted_event(ARTICLES[0]), key=b"a1")
    store = SqliteStore(tmp_path / "idx.sqlite3")

    async def scenario():
        indexer = Indexer(settings, store)
        await run_until(indexer, lambda: _has(store, "a1"))
        assert await committed(settings) == 2
        await store.close()

    asyncio.run(scenario())
    letters = read_topic(settings.kafka_bootstrap, settings.topic_dlq, want=lambda m: len(m) >= 1, timeout=10)
    letter = json.loads(letters[0].value)
    assert letter["data"]["stage"] == "index" and letter["data"]["error"] == "undecodable_event"
    assert letters[0].key == b"bad"


def test_offsets_wait_until_the_write_is_durable(settings, tmp_path):
    path = tmp_path / "locked.sqlite3"
    SqliteStore(path)._db()  # create the schema
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database: writes fail for now
    produce(settings.kafka_bootstrap, settings.topic_extracted, extracted_event(ARTICLES[1]), key=b"a2")
    store = SqliteStore(path, busy_timeout_s=0.2)

    async def scenario():
        indexer = Indexer(settings, store)
        task = asyncio.create_task(indexer.run())
        try:
            await wait_until_async(lambda: len([e for e in logs if e["event"] == "store.unavailable"]) >= 3,
                                   timeout=60, message="three failed writes")
            assert not task.done(), task.exception()
            assert await committed(settings) is None, "an offset was committed before the write succeeded"
            blocker.execute("ROLLBACK")
            await wait_until_async(lambda: _has(store, "a2"), timeout=60, message="the article written")

            async def committed_one() -> bool:
                return await committed(settings) == 1

            await wait_until_async(committed_one, timeout=60, message="its offset committed")
        finally:
            indexer.stop()
            await task
            await store.close()

    with capture_logs() as logs:
        asyncio.run(scenario())


async def _has(store, article_id) -> bool:
    return await store.get(article_id) is not None
