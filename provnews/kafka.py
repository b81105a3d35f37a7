"""Kafka plumbing shared by the services: producers, topic creation, reachability."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

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


def dead_letter_event(stage: str, message, error: str, reason: str, article_id: str | None):
    """The `articles.dlq` event for a consumed message (aiokafka or faust) that could not be processed."""
    from datetime import UTC, datetime

    from provnews.schemas.events import ArticleDeadLettered, DeadLetter, derive_id

    letter = DeadLetter(
        stage=stage, error=error, reason=reason[:4000], original_topic=message.topic,
        partition=message.partition, offset=message.offset,
        key=message.key.decode("utf-8", "replace") if message.key else None,
        article_id=article_id, original=message.value or b"", failed_at=datetime.now(UTC),
    )
    where = f"{message.topic}/{message.partition}/{message.offset}"
    return ArticleDeadLettered.wrap(letter, subject=article_id or where, event_id=derive_id("dlq", stage, where))


async def start_with_retry(client, stopping: asyncio.Event, log) -> None:
    """Start an aiokafka client, waiting for the broker with a growing pause rather than failing."""
    delay = 0.5
    while True:
        try:
            await client.start()
            return
        except (KafkaError, OSError) as exc:
            if stopping.is_set():
                raise
            log.warning("broker.unreachable", reason=str(exc), retry_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
