"""Topics and the partition setting, on the real broker: more partitions are added, fewer are refused."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer

from common.kafka import TopicSetupError, ensure_topics, partitions_of, topic_names

pytestmark = pytest.mark.broker

def partition_counts(settings) -> dict[str, int]:
    async def run():
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
        await consumer.start()
        try:
            return {name: len(await partitions_of(consumer, name)) for name in topic_names(settings)}
        finally:
            await consumer.stop()

    return asyncio.run(run())

def test_topics_with_fewer_partitions_than_the_setting_are_given_more(settings):
    assert set(partition_counts(settings).values()) == {1}
    more = settings.model_copy(update={"topic_partitions": 2})
    changes = asyncio.run(ensure_topics(more))
    assert sorted(changes) == sorted(f"{name}: partitions 1 -> 2" for name in topic_names(settings))
    assert set(partition_counts(settings).values()) == {2}
    assert asyncio.run(ensure_topics(more)) == []  # nothing left to change

def test_topics_with_more_partitions_than_the_setting_are_an_error(settings):
    asyncio.run(ensure_topics(settings.model_copy(update={"topic_partitions": 2})))
    with pytest.raises(TopicSetupError, match="has 2 partitions, the settings ask for 1"):
        asyncio.run(ensure_topics(settings))
