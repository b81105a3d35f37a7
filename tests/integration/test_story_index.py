"""The story index reads the assignments back from `articles.extracted` on a real broker."""
from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaProducer

from services.extract.stories import StoryIndex, story_headers
from tests.conftest import wait_until_async


async def _produce(settings, records) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        for value, headers in records:
            await producer.send_and_wait(settings.topic_extracted, value=value, headers=headers)
    finally:
        await producer.stop()


def test_index_catches_up_with_headers_and_bodies_then_follows(settings):
    old_style = json.dumps({"data": {"story_id": "s-body", "extraction": {"fingerprint": ["k3"]}}}).encode()

    async def scenario():
        await _produce(settings, [(b"{}", story_headers("s1", ["k1", "k2"])), (old_style, []),
                                  (b"{}", story_headers("s2", ["k2", "k9"])), (b"not json", [])])
        index = StoryIndex(settings)
        task = asyncio.create_task(index.run())
        try:
            await asyncio.wait_for(index.caught_up.wait(), 30)
            caught = {k: index.lookup(k) for k in ("k1", "k2", "k3", "k9", "unknown")}
            await _produce(settings, [(b"{}", story_headers("s4", ["k4"]))])  # written later, by another worker
            await wait_until_async(lambda: index.lookup("k4"), timeout=10, message="the later story's key")
            return caught, index.lookup("k4")
        finally:
            index.stop()
            await task

    caught, later = asyncio.run(scenario())
    assert caught == {"k1": "s1", "k2": "s1", "k3": "s-body", "k9": "s2", "unknown": None}  # first claim wins
    assert later == "s4"


def test_an_empty_topic_is_caught_up_at_once(settings):
    async def scenario():
        index = StoryIndex(settings)
        task = asyncio.create_task(index.run())
        try:
            await asyncio.wait_for(index.caught_up.wait(), 30)
        finally:
            index.stop()
            await task

    asyncio.run(scenario())
