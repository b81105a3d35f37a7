"""The alerts consumer: `articles.extracted` into the outbox, `reform.mentions` out to live streams.

For each batch of extracted articles it matches every subscription (policies.matches_for), writes
the matches and their deliveries to the store in one transaction, and commits the offsets only
after that, so a crash replays rather than loses; the store keeps one match per (subscription,
story), so a replay changes nothing. Mentions feed the SSE hub (nothing durable to wait for).
Messages that cannot be decoded or matched go to `articles.dlq` with the reason and their bytes.
"""
from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError

from provnews.fanout import MentionHub
from provnews.alerts.policies import matches_for
from provnews.alerts.ports import AlertStore, NewMatch, StoreUnavailable
from provnews.kafka import consumer_options, dead_letter_event, make_producer, start_with_retry
from provnews.logs import get_logger
from provnews.schemas.events import ArticleExtracted, ReformMentioned
from provnews.settings import Settings

log = get_logger(__name__)
GROUP_ID = "provnews-alerts"
BATCH_SIZE = 200


class AlertsConsumer:
    def __init__(self, settings: Settings, store: AlertStore, hub: MentionHub,
                 on_matched: Callable[[], None] = lambda: None):
        self.settings = settings
        self.store = store
        self.hub = hub
        self.on_matched = on_matched
        self.link_base = settings.public_url or settings.url(settings.query_port)
        self.connected = asyncio.Event()
        self.assigned = asyncio.Event()
        self.articles_seen = 0
        self.matched = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            self.settings.topic_extracted, self.settings.topic_mentions,
            **consumer_options(self.settings),
            group_id=GROUP_ID,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # A member that died (SIGKILL) is dropped after 6 s rather than 10, so its restart takes over sooner.
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
        )
        producer = make_producer(self.settings)
        await start_with_retry(consumer, self._stopping, log)
        try:
            await start_with_retry(producer, self._stopping, log)
            self.connected.set()
            log.info("alerts.consumer_started", topics=[self.settings.topic_extracted, self.settings.topic_mentions],
                     group=GROUP_ID)
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=BATCH_SIZE)
                if consumer.assignment():
                    self.assigned.set()
                for tp, messages in batches.items():
                    if tp.topic == self.settings.topic_mentions:
                        await self._broadcast(messages, producer)
                    elif not await self._match(messages, producer):
                        break  # stopping: the batch stays uncommitted and is replayed next time
                    await self._commit(consumer, tp, messages[-1].offset + 1)
        finally:
            await consumer.stop()
            await producer.stop()

    async def _match(self, messages, producer) -> bool:
        subscriptions = await self._retry(self.store.all_subscriptions)
        if subscriptions is None:
            return False
        now = datetime.now(UTC)
        found: list[tuple[NewMatch, object]] = []
        for message in messages:
            try:
                article = ArticleExtracted.model_validate_json(message.value or b"").data
            except ValidationError as exc:
                await self._dead_letter(producer, message, "undecodable_event", str(exc), None)
                continue
            self.articles_seen += 1
            try:
                found += [(m, message) for m in matches_for(article, subscriptions, link_base=self.link_base, now=now)]
            except Exception as exc:  # a matching bug must not stall the topic: the article goes to the DLQ
                await self._dead_letter(producer, message, type(exc).__name__, "".join(traceback.format_exception(exc)),
                                        article.article_id)
        if not found:
            return True
        kept = await self._retry(lambda: self.store.record_matches([m for m, _ in found], now.timestamp()))
        if kept is None:
            return False
        for (match, message), new in zip(found, kept):
            self.matched += new
            log.info("alert.matched" if new else "alert.already_matched", article_id=match.article.article_id,
                     story_id=match.article.story_id, subscription_id=match.subscription_id,
                     delivery_id=match.delivery_id, partition=message.partition, offset=message.offset)
        if any(kept):
            self.on_matched()
        return True

    async def _broadcast(self, messages, producer) -> None:
        for message in messages:
            try:
                event = ReformMentioned.model_validate_json(message.value or b"")
            except ValidationError as exc:
                await self._dead_letter(producer, message, "undecodable_event", str(exc), None)
                continue
            self.hub.publish(event)

    async def _retry(self, call):
        """The store's answer, waiting out StoreUnavailable; None when asked to stop meanwhile."""
        attempt = 0
        while True:
            try:
                return await call()
            except StoreUnavailable as exc:
                attempt += 1
                delay = min(10.0, 0.2 * 2 ** min(attempt, 6))
                log.warning("store.unavailable", reason=str(exc), attempt=attempt, retry_in_s=delay)
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                    return None
                except TimeoutError:
                    continue

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({tp: offset})
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partition away: its new owner replays from the last commit; the outbox dedups.
            log.warning("offsets.not_committed", topic=tp.topic, partition=tp.partition, offset=offset, reason=str(exc))

    async def _dead_letter(self, producer, message, error: str, reason: str, article_id: str | None) -> None:
        event = dead_letter_event("alerts", message, error, reason, article_id)
        await producer.send_and_wait(self.settings.topic_dlq, value=event.to_bytes(), key=message.key)
        log.warning("article.dead_lettered", article_id=article_id, error=error, reason=reason[:300],
                    topic=message.topic, partition=message.partition, offset=message.offset)
