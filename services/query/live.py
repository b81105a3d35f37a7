"""The live feed: new reform mentions from `reform.mentions`, as Server-Sent Events.

The query API reads the topic from its latest offsets, assigning itself every partition with no
consumer group (nothing to commit: a page that opens now wants what happens from now on), and fans
each mention out to the connected streams. The broker being down only means an empty feed: the consumer waits for it in the
background and the rest of the API answers as usual.
"""
from __future__ import annotations

import asyncio
import json
from typing import Annotated

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sse_starlette import EventSourceResponse

from provnews.http import ApiError, problems
from provnews.fanout import MentionHub
from provnews.kafka import partitions_of
from provnews.logs import get_logger
from provnews.schemas.events import ReformMentioned
from provnews.schemas.extraction import TOPIC_IDS, unknown_topics_detail
from provnews.settings import Settings

log = get_logger(__name__)
QUEUE_SIZE = 500
STATUS_EVERY_S = 5.0
LOG_CHECK_EVERY_S = 2.0


class _TopicMissing(Exception):
    pass


class MentionFeed(MentionHub):
    """One consumer, many listeners (the hub's bounded queues: a lagging listener loses its oldest)."""

    def __init__(self, settings: Settings, *, queue_size: int = QUEUE_SIZE):
        super().__init__(queue_size)
        self.settings = settings
        self.connected = False
        self.received = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    def publish(self, event: ReformMentioned) -> None:
        self.received += 1
        super().publish(event)

    # -- the consumer ----------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="query-mention-feed")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 5.0)
            except (TimeoutError, asyncio.CancelledError):
                pass
            except Exception as exc:  # noqa: BLE001 - already logged by _run; stopping must not fail the app
                log.warning("mention_feed.stop_failed", reason=str(exc))

    async def _run(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap, group_id=None,
                                        enable_auto_commit=False, auto_offset_reset="latest",
                                        request_timeout_ms=10_000, retry_backoff_ms=500)
            try:
                await consumer.start()
                await self._assign_at_end(consumer)
                self.connected = True
                delay = 0.5
                log.info("mention_feed.started", topic=self.settings.topic_mentions)
                checked_at = asyncio.get_running_loop().time()
                while not self._stopping.is_set():
                    batches = await consumer.getmany(timeout_ms=500, max_records=500)
                    for messages in batches.values():
                        for message in messages:
                            self._decode_and_publish(message)
                    if asyncio.get_running_loop().time() - checked_at >= LOG_CHECK_EVERY_S:
                        await self._follow_log_resets(consumer)
                        checked_at = asyncio.get_running_loop().time()
            except (KafkaError, OSError, _TopicMissing, TimeoutError) as exc:
                log.warning("mention_feed.broker_unreachable", reason=str(exc), retry_in_s=delay)
            except Exception as exc:  # noqa: BLE001 - the feed must never take the query API down
                log.error("mention_feed.failed", error=type(exc).__name__, reason=str(exc)[:500], retry_in_s=delay)
            finally:
                self.connected = False
                try:
                    await consumer.stop()
                except Exception:  # noqa: BLE001, S110 - a consumer that never started has nothing to close
                    pass
            if not self._stopping.is_set():
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                except TimeoutError:
                    delay = min(delay * 2, 10.0)

    async def _assign_at_end(self, consumer: AIOKafkaConsumer) -> None:
        """Every partition of the topic, each positioned at its end now: what is published from here on is seen."""
        topic = self.settings.topic_mentions
        partitions = await partitions_of(consumer, topic)
        if not partitions:
            raise _TopicMissing(f"topic {topic!r} does not exist (yet)")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_end(*assigned)
        for tp in assigned:
            await consumer.position(tp)

    async def _follow_log_resets(self, consumer: AIOKafkaConsumer) -> None:
        """A broker that lost its log (restarted memory-only, or the topic recreated) starts again at offset 0;
        a reader waiting at its old position would see nothing until the new log got that far. Read the new log
        from its start instead. A position that went out of range raises and the consumer is made anew."""
        assigned = list(consumer.assignment())
        partitions = consumer.partitions_for_topic(self.settings.topic_mentions)
        if not partitions or {tp.partition for tp in assigned} != set(partitions):
            raise _TopicMissing(f"the partitions of {self.settings.topic_mentions!r} changed")
        ends = await asyncio.wait_for(consumer.end_offsets(assigned), 10)
        for tp in assigned:
            position = await consumer.position(tp)
            if position > ends[tp]:
                log.warning("mention_feed.log_reset", partition=tp.partition, position=position, end=ends[tp])
                await consumer.seek_to_beginning(tp)

    def _decode_and_publish(self, message) -> None:
        try:
            event = ReformMentioned.model_validate_json(message.value or b"")
        except ValidationError as exc:
            # The extract stage wrote it; the live view has nothing to add but skipping it. The alerts
            # service, which consumes the same topic durably, dead-letters it.
            log.warning("mention_feed.undecodable", partition=message.partition, offset=message.offset,
                        reason=str(exc)[:300])
            return
        self.publish(event)


def matches(event: ReformMentioned, topics: set[str], provinces: set[str]) -> bool:
    data = event.data
    if topics and data.topic not in topics:
        return False
    return not provinces or bool(provinces & {*data.provinces, *data.provinces_2025})


router = APIRouter()


@router.get("/v1/mentions/stream", response_class=EventSourceResponse, tags=["live"], responses=problems(422))
async def mention_stream(
    request: Request,
    topic: Annotated[list[str], Query(description="Only mentions of these reform topics.",
                                      json_schema_extra={"items": {"type": "string", "enum": list(TOPIC_IDS)}})] = [],  # noqa: B006
    province: Annotated[list[str], Query(description="Only mentions in these provinces, then or after 2025.")] = [],  # noqa: B006
) -> EventSourceResponse:
    """New reform mentions as Server-Sent Events (`reform.mention`, the event's JSON), from now on."""
    unknown = sorted(set(topic) - set(TOPIC_IDS))
    if unknown:
        raise ApiError(422, "unknown_topic", unknown_topics_detail(unknown), known=list(TOPIC_IDS))
    feed: MentionFeed = request.app.state.mention_feed
    queue = feed.subscribe()
    topics, provinces = set(topic), set(province)

    async def events():
        try:
            connected = feed.connected
            yield {"event": "status", "data": json.dumps({"connected": connected})}
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), STATUS_EVERY_S)
                except TimeoutError:
                    if feed.connected != connected:
                        connected = feed.connected
                        yield {"event": "status", "data": json.dumps({"connected": connected})}
                    continue
                if matches(event, topics, provinces):
                    yield {"event": "reform.mention", "id": event.id, "data": event.model_dump_json()}
        finally:
            feed.unsubscribe(queue)

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
