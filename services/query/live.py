"""The live feed's source: new reform mentions from `reform.mentions`, for the page's Server-Sent Events.

The query API reads the topic from its latest offsets, assigning itself every partition with no
consumer group (nothing to commit: a page that opens now wants what happens from now on), and fans
each mention out to the connected streams (`GET /v1/mentions/stream`, common.mention_stream). The
broker being down only means an empty feed: the consumer waits for it in the background and the rest
of the API answers as usual.
"""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from common.fanout import MentionHub
from common.kafka import partitions_of
from common.logs import get_logger
from common.settings import Settings
from schemas.events import ReformMentioned

log = get_logger(__name__)
QUEUE_SIZE = 500
LOG_CHECK_EVERY_S = 2.0


class _TopicMissing(Exception):
    pass


CONNECT_TIMEOUT_S = 15.0


async def _bounded(coro, timeout_s: float):
    """Await `coro` for at most `timeout_s`; past that raise TimeoutError and leave it cancelled behind.

    Unlike `wait_for`, this never waits for the cancelled call to finish: a consumer whose connection broke
    can take its time over that, and the feed must reconnect meanwhile.
    """
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait({task}, timeout=timeout_s)
    if not done:
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # nobody awaits it: no warning
        raise TimeoutError(f"no answer from the broker within {timeout_s:g} s")
    return task.result()


class MentionFeed(MentionHub):
    """One consumer, many listeners (the hub's bounded queues: a lagging listener loses its oldest)."""

    def __init__(self, settings: Settings, *, queue_size: int = QUEUE_SIZE):
        super().__init__(queue_size)
        self.settings = settings
        self.connected = False
        self.received = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        # Where the feed is in each partition: a consumer made anew (the broker was away) goes on from here,
        # so the mentions published while it reconnected are not skipped.
        self._next: dict[int, int] = {}

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
                # Bounded: right after a broker restart a metadata or offset request can wait on a leader that
                # is not elected yet; a fresh consumer a moment later gets through.
                await _bounded(consumer.start(), CONNECT_TIMEOUT_S)
                await _bounded(self._assign_at_end(consumer), CONNECT_TIMEOUT_S)
                self.connected = True
                delay = 0.5
                log.info("mention_feed.started", topic=self.settings.topic_mentions)
                checked_at = asyncio.get_running_loop().time()
                while not self._stopping.is_set():
                    batches = await consumer.getmany(timeout_ms=500, max_records=500)
                    for messages in batches.values():
                        for message in messages:
                            self._decode_and_publish(message)
                            self._next[message.partition] = message.offset + 1
                    if asyncio.get_running_loop().time() - checked_at >= LOG_CHECK_EVERY_S:
                        checked_at = asyncio.get_running_loop().time()
                        try:
                            await _bounded(self._follow_log_resets(consumer), CONNECT_TIMEOUT_S)
                        except (KafkaError, OSError, TimeoutError) as exc:
                            # The broker is away: the consumer reconnects by itself and goes on from its
                            # position when it is back, so keep it rather than make a new one.
                            log.warning("mention_feed.broker_unreachable", reason=str(exc), retry_in_s=LOG_CHECK_EVERY_S)
            except (KafkaError, OSError, _TopicMissing, TimeoutError) as exc:
                log.warning("mention_feed.broker_unreachable", reason=str(exc), retry_in_s=delay)
            except Exception as exc:  # noqa: BLE001 - the feed must never take the query API down
                log.error("mention_feed.failed", error=type(exc).__name__, reason=str(exc)[:500], retry_in_s=delay)
            finally:
                self.connected = False
                # Closed in the background: a consumer whose connection broke can take a long time over it.
                closing = asyncio.ensure_future(consumer.stop())
                closing.add_done_callback(lambda t: t.cancelled() or t.exception())
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
        known = [tp for tp in assigned if tp.partition in self._next]
        fresh = [tp for tp in assigned if tp.partition not in self._next]
        if fresh:
            await consumer.seek_to_end(*fresh)
        if known:
            starts = await consumer.beginning_offsets(known)
            ends = await consumer.end_offsets(known)
            for tp in known:
                wanted = self._next[tp.partition]
                if starts[tp] <= wanted <= ends[tp]:
                    consumer.seek(tp, wanted)  # a durable log: go on where the feed was
                else:  # the log started again (a memory-only broker restarted, the topic recreated)
                    log.warning("mention_feed.log_reset", partition=tp.partition, position=wanted, end=ends[tp])
                    consumer.seek(tp, starts[tp])
        for tp in assigned:
            await consumer.position(tp)

    async def _follow_log_resets(self, consumer: AIOKafkaConsumer) -> None:
        """A broker that lost its log (restarted memory-only, or the topic recreated) starts again at offset 0;
        a reader waiting at its old position would see nothing until the new log got that far. Read the new log
        from its start instead. A position that went out of range raises and the consumer is made anew."""
        assigned = list(consumer.assignment())
        partitions = await partitions_of(consumer, self.settings.topic_mentions)
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
