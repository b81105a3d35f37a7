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
from pydantic import ValidationError

from common.consume import AtLeastOnce
from common.fanout import MentionHub
from common.kafka import consumer_options, make_producer
from common.logs import get_logger
from common.settings import Settings
from schemas.events import ArticleExtracted, ReformMentioned
from services.alerts.policies import matches_for
from services.alerts.ports import AlertStore, NewMatch, StoreUnavailable

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
        self._loop: AtLeastOnce | None = None

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
        self._loop = AtLeastOnce(
            consumer, make_producer(self.settings), stage="alerts", dlq_topic=self.settings.topic_dlq,
            log=log, max_records=BATCH_SIZE, retry_on=(StoreUnavailable,), stopping=self._stopping,
            assigned=self.assigned, connected=self.connected)

        def started() -> None:
            topics = [self.settings.topic_extracted, self.settings.topic_mentions]
            log.info("alerts.consumer_started", topics=topics, group=GROUP_ID)

        await self._loop.run(self._handle, started=started)

    async def _handle(self, batches) -> dict[TopicPartition, int] | None:
        """Mentions go to the live streams; articles are matched and recorded. The offsets of every partition
        handled are committed; stopping while the store is unavailable leaves the rest for the next run."""
        done: dict[TopicPartition, int] = {}
        for tp, messages in batches.items():
            if tp.topic == self.settings.topic_mentions:
                await self._broadcast(messages)
            elif not await self._match(messages):
                break  # stopping: this batch stays uncommitted and is replayed next time
            done[tp] = messages[-1].offset + 1
        return done

    async def _match(self, messages) -> bool:
        durable, subscriptions = await self._loop.retry(self.store.all_subscriptions)
        if not durable:
            return False
        now = datetime.now(UTC)
        found: list[tuple[NewMatch, object]] = []
        for message in messages:
            try:
                article = ArticleExtracted.model_validate_json(message.value or b"").data
            except ValidationError as exc:
                await self._loop.dead_letter(message, "undecodable_event", str(exc), None)
                continue
            self.articles_seen += 1
            try:
                found += [(m, message) for m in matches_for(article, subscriptions, link_base=self.link_base, now=now)]
            except Exception as exc:  # a matching bug must not stall the topic: the article goes to the DLQ
                await self._loop.dead_letter(message, type(exc).__name__, "".join(traceback.format_exception(exc)),
                                             article.article_id)
        if not found:
            return True
        matches = [m for m, _ in found]
        durable, kept = await self._loop.retry(lambda: self.store.record_matches(matches, now.timestamp()))
        if not durable:
            return False
        for (match, message), new in zip(found, kept):
            self.matched += new
            log.info("alert.matched" if new else "alert.already_matched", article_id=match.article.article_id,
                     story_id=match.article.story_id, subscription_id=match.subscription_id,
                     delivery_id=match.delivery_id, partition=message.partition, offset=message.offset)
        if any(kept):
            self.on_matched()
        return True

    async def _broadcast(self, messages) -> None:
        for message in messages:
            try:
                event = ReformMentioned.model_validate_json(message.value or b"")
            except ValidationError as exc:
                await self._loop.dead_letter(message, "undecodable_event", str(exc), None)
                continue
            self.hub.publish(event)
