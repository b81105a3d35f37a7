"""Kafka plumbing shared by the services: producers, topic creation, reachability."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from provnews.settings import Settings


def topic_names(settings: Settings) -> list[str]:
    return [settings.topic_raw, settings.topic_extracted, settings.topic_mentions, settings.topic_dlq]


def make_producer(settings: Settings, **overrides) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica (acks=all) before a send counts as done."""
    options = dict(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=int(settings.publish_timeout_s * 1000),
        linger_ms=5,
        max_request_size=8 * 1024 * 1024,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def ensure_topics(settings: Settings, *, timeout_s: float = 20.0) -> None:
    """Create the pipeline's topics if they do not exist (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=5000)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.3)
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=settings.topic_replication)
            for name in topic_names(settings)
            if name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
