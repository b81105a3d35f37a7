"""The indexer's handler in the real at-least-once loop, with the in-memory consumer, producer and store:
what is decoded and written, what goes to the dead-letter topic, and which offsets are acknowledged."""
from __future__ import annotations

import asyncio
import json

from common.settings import Settings
from schemas.events import ArticleExtracted
from services.indexer.bootstrap import bootstrap
from tests.article_helpers import ARTICLES
from tests.fakes_kafka import TP, MemoryConsumer, MemoryProducer, Message
from tests.fakes_stores import FakeArticleStore

A1, A2, A3 = ARTICLES[:3]


def event(article, offset: int) -> Message:
    value = ArticleExtracted.wrap(article, subject=article.article_id, event_id=f"x-{article.article_id}").to_bytes()
    return Message(TP.topic, TP.partition, offset, value, article.article_id.encode())


def dead_letters(producer: MemoryProducer, topic: str) -> list[dict]:
    return [json.loads(value)["data"] for sent_to, value, _ in producer.sent if sent_to == topic]


async def run_until(indexer, consumer: MemoryConsumer, done) -> None:
    """Runs the indexer until `done()` holds (checked as the loop goes; bounded), then stops it."""
    task = asyncio.create_task(indexer.run())
    try:
        async with asyncio.timeout(10):
            while not (done() or task.done()):
                await asyncio.sleep(0.01)
    finally:
        indexer.stop()
        await task


async def test_a_batch_is_written_once_its_refusals_dead_lettered_and_all_of_it_acknowledged(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = FakeArticleStore(refuse={A2.article_id: "a field the mapping refuses"})
    consumer, producer = MemoryConsumer([{TP: [event(A1, 0), Message(TP.topic, 0, 1, b"not an event"),
                                               event(A2, 2), event(A3, 3)]}]), MemoryProducer()
    indexer = bootstrap(settings, store=store, consumer=consumer, producer=producer)
    await run_until(indexer, consumer, consumer.drained.is_set)

    assert store.writes == [[A1.article_id, A2.article_id, A3.article_id]]  # one write for the batch
    assert set(store.articles) == {A1.article_id, A3.article_id}
    letters = dead_letters(producer, settings.topic_dlq)
    assert [(d["offset"], d["error"], d["article_id"]) for d in letters] == [
        (1, "undecodable_event", None), (2, "refused", A2.article_id)]
    assert letters[1]["reason"] == "a field the mapping refuses"
    assert consumer.commits == [{TP: 4}]  # everything acknowledged: written or dead-lettered
    assert indexer.indexed == 2
    assert consumer.stopped and producer.stopped


async def test_an_unavailable_store_is_waited_out_before_the_offsets_are_committed(tmp_path):
    store = FakeArticleStore(unavailable=1)
    consumer = MemoryConsumer([{TP: [event(A1, 0)]}])
    indexer = bootstrap(Settings(data_dir=tmp_path), store=store, consumer=consumer, producer=MemoryProducer())
    await run_until(indexer, consumer, lambda: bool(consumer.commits))

    assert store.unavailable == 0 and store.writes == [[A1.article_id]]
    assert consumer.commits == [{TP: 1}]


async def test_stopping_while_the_store_is_down_acknowledges_nothing(tmp_path):
    store = FakeArticleStore(unavailable=1000)
    consumer, producer = MemoryConsumer([{TP: [event(A1, 0)]}]), MemoryProducer()
    indexer = bootstrap(Settings(data_dir=tmp_path), store=store, consumer=consumer, producer=producer)
    await run_until(indexer, consumer, lambda: store.unavailable < 1000)  # the first write was refused

    assert consumer.commits == [] and store.articles == {} and producer.sent == []
    assert indexer.indexed == 0
