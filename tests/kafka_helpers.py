"""Reading and writing topics directly, as an outside observer of the pipeline."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


async def _read(bootstrap: str, topic: str, want, timeout: float) -> list:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (await consumer._client.fetch_all_metadata()).partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        if want is None:  # everything on the topic now: read up to the end offsets as they are at the start
            ends = await consumer.end_offsets(partitions)

            async def read_to_the_end() -> bool:
                return all([await consumer.position(tp) >= end for tp, end in ends.items()])
        messages: list = []
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if want is None and await read_to_the_end():
                return messages
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                messages.extend(batch)
            if want is not None and want(messages):
                return messages
        if want is None:
            raise AssertionError(f"{topic} was not read to its end within {timeout}s")
        return messages
    finally:
        await consumer.stop()


def read_topic(bootstrap: str, topic: str, want=None, timeout: float = 10.0) -> list:
    """Every message of a topic from the beginning: until `want(messages)` holds or the time is up, or, without
    `want`, up to the topic's end as it is when called (failing if that takes longer than `timeout`)."""
    return asyncio.run(_read(bootstrap, topic, want, timeout))


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    async def run():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = (await consumer._client.fetch_all_metadata()).partitions_for_topic(topic) or []
            offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in parts])
            return {tp.partition: o for tp, o in offsets.items()}
        finally:
            await consumer.stop()

    return asyncio.run(run())


def produce(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value=value, key=key)
        finally:
            await producer.stop()

    asyncio.run(run())


def publish(settings, articles) -> dict[str, bytes]:
    """Each article as an ArticleExtracted event on the extracted topic, keyed by its id; the events sent."""
    from schemas.events import ArticleExtracted

    events = {}
    for a in articles:
        events[a.article_id] = ArticleExtracted.wrap(a, subject=a.article_id, event_id=f"x-{a.article_id}").to_bytes()
        produce(settings.kafka_bootstrap, settings.topic_extracted, events[a.article_id], key=a.article_id.encode())
    return events
