"""Kafka plumbing shared by the services: producers, topic creation, reachability."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from common.settings import Settings


def topic_names(settings: Settings) -> list[str]:
    return [settings.topic_raw, settings.topic_extracted, settings.topic_mentions, settings.topic_dlq]


def make_producer(settings: Settings, **overrides) -> AIOKafkaProducer:
    """A producer as in production: acks=all, idempotent where the broker allows it, sized for the largest event."""
    options = dict(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=int(settings.publish_timeout_s * 1000),
        linger_ms=settings.producer_linger_ms,
        max_request_size=settings.max_message_bytes,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


def consumer_options(settings: Settings) -> dict:
    """Fetch sizes that let a consumer take the largest event the producers may write."""
    return dict(bootstrap_servers=settings.kafka_bootstrap, max_partition_fetch_bytes=settings.max_message_bytes,
                fetch_max_bytes=max(settings.max_message_bytes, 50 * 1024 * 1024))


def topic_configs(settings: Settings) -> dict[str, str]:
    """The configs every pipeline topic is created with (and brought back to when they drift)."""
    return {
        "retention.ms": str(settings.topic_retention_ms),
        "retention.bytes": str(settings.topic_retention_bytes),
        "max.message.bytes": str(settings.max_message_bytes),
        "min.insync.replicas": str(min(2, settings.topic_replication)),
        "cleanup.policy": "delete",
    }


class TopicSetupError(Exception):
    """The broker refused to create a topic, or a topic does not match the settings."""


TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(settings: Settings, *, timeout_s: float = 20.0) -> list[str]:
    """Create the pipeline's topics with explicit configs, then check them; returns what was changed.

    The broker answers CreateTopics per topic rather than failing the call, so each topic's error is read:
    "already exists" is fine, anything else raises with the broker's reason. Existing topics whose configs
    drifted from the settings are brought back; a topic with fewer partitions than the settings is given more;
    more partitions than the settings, or another replication, raises, since neither can be undone in place.
    """
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10000)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.3)
    changes: list[str] = []
    wanted_configs = topic_configs(settings)
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topic_names(settings) if name not in existing]
        if missing:
            response = await admin.create_topics([
                NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=settings.topic_replication,
                         topic_configs=wanted_configs) for name in missing])
            refused = [f"{topic}: {message or f'error code {code}'}" for topic, code, message, *_ in response.topic_errors
                       if code not in (0, TOPIC_ALREADY_EXISTS)]
            if refused:
                raise TopicSetupError("the broker refused to create topics: " + "; ".join(refused))
            changes += [f"created {name}" for name in missing]
        problems: list[str] = []
        grow: dict[str, int] = {}
        for topic in await _wait_for_metadata(admin, topic_names(settings), deadline):
            name, partitions = topic["topic"], topic["partitions"]
            if len(partitions) < settings.topic_partitions:
                grow[name] = len(partitions)  # more consumers may share the work; keys are article ids, order-free
            elif len(partitions) > settings.topic_partitions:
                problems.append(f"{name} has {len(partitions)} partitions, the settings ask for "
                                f"{settings.topic_partitions} (a topic's partitions can be added, never removed)")
            replicas = min((len(p["replicas"]) for p in partitions), default=0)
            if replicas != settings.topic_replication:
                problems.append(f"{name} has replication {replicas}, the settings ask for {settings.topic_replication}")
        described = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in topic_names(settings)])
        drifted = []
        for response in described:
            for code, message, _type, name, entries, *_ in response.resources:
                if code:
                    problems.append(f"{name}: cannot read its configs: {message or f'error code {code}'}")
                    continue
                actual = {entry[0]: entry[1] for entry in entries}
                diff = {k: (actual.get(k), v) for k, v in wanted_configs.items() if actual.get(k) != v}
                if diff:
                    drifted.append(name)
                    changes.append(f"{name}: " + ", ".join(f"{k} {old} -> {new}" for k, (old, new) in diff.items()))
        if drifted:
            responses = await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name, configs=wanted_configs) for name in drifted])
            for response in responses:
                for code, message, _type, name, *_ in response.resources:
                    if code:
                        problems.append(f"{name}: the broker refused its configs: {message or f'error code {code}'}")
        if grow:
            from aiokafka.admin import NewPartitions

            response = await admin.create_partitions(
                {name: NewPartitions(total_count=settings.topic_partitions) for name in grow})
            for name, code, message in response.topic_errors:
                if code:
                    problems.append(f"{name}: the broker refused more partitions: {message or f'error code {code}'}")
                else:
                    changes.append(f"{name}: partitions {grow[name]} -> {settings.topic_partitions}")
        if problems:
            raise TopicSetupError("; ".join(problems))
        return changes
    finally:
        await admin.close()


async def _wait_for_metadata(admin: AIOKafkaAdminClient, names: list[str], deadline: float) -> list[dict]:
    """Topic metadata once every topic has a leader for every partition (just-created topics take a moment)."""
    while True:
        topics = [t for t in await admin.describe_topics(names) if t["topic"] in names]
        ready = len(topics) == len(names) and all(
            t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"]) for t in topics)
        if ready or asyncio.get_running_loop().time() > deadline:
            return topics
        await asyncio.sleep(0.2)


async def partitions_of(consumer, topic: str) -> list[int]:
    """A topic's partitions, from fresh metadata. (`consumer.topics()` fetches metadata but does not update the
    consumer's own view of the cluster, so `partitions_for_topic` can answer None for a topic that exists.)"""
    metadata = await consumer._client.fetch_all_metadata()
    return sorted(metadata.partitions_for_topic(topic) or [])


def dead_letter_event(stage: str, message, error: str, reason: str, article_id: str | None):
    """The `articles.dlq` event for a consumed message (aiokafka or faust) that could not be processed."""
    from datetime import UTC, datetime

    from schemas.events import ArticleDeadLettered, DeadLetter, derive_id

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
