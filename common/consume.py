"""The at-least-once consumer loop the indexer and the alerts service share.

Each round takes what arrived (`getmany`), hands it to the service's handler, and commits the offsets the
handler returns, only after the handler says its write is durable; a crash in between replays the batch,
which the stores make harmless (upserts by id, one match per subscription and story). The handler decodes,
writes through its store (waiting out an unavailable store with `retry`), and sends what it cannot use to
`articles.dlq` with `dead_letter`. Stopping while a store is unavailable leaves the batch uncommitted.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from common.kafka import dead_letter_event, start_with_retry

# The handler's answer: the offsets to commit (the next offset to read, per partition), or None when it was
# asked to stop before its write was durable.
Handler = Callable[[Mapping[TopicPartition, Sequence[Any]]], Awaitable[Mapping[TopicPartition, int] | None]]


class Consumer(Protocol):
    """The part of aiokafka's AIOKafkaConsumer the loop uses."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def getmany(self, *partitions, timeout_ms: int = 0, max_records: int | None = None) -> dict: ...
    def assignment(self) -> set: ...
    async def commit(self, offsets=None) -> None: ...


class Producer(Protocol):
    """The part of aiokafka's AIOKafkaProducer the loop uses."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send_and_wait(self, topic: str, value=None, key=None, **kwargs): ...


def backoff(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """The pause before retry `attempt` (1, 2, ...): doubling from `base` up to `cap`, each pause drawn
    from its upper half so that consumers that failed together do not retry together."""
    return min(cap, base * 2 ** min(attempt - 1, 16)) * (0.5 + random.random() / 2)


def next_offsets(batches: Mapping[TopicPartition, Sequence[Any]]) -> dict[TopicPartition, int]:
    """The offsets that mark every message of `batches` as done."""
    return {tp: messages[-1].offset + 1 for tp, messages in batches.items() if messages}


class AtLeastOnce:
    """One consumer and the producer for its dead letters, run until `stop()`."""

    def __init__(self, consumer: Consumer, producer: Producer, *, stage: str, dlq_topic: str, log,
                 max_records: int, retry_on: tuple[type[BaseException], ...] = (),
                 stopping: asyncio.Event | None = None, assigned: asyncio.Event | None = None,
                 connected: asyncio.Event | None = None):
        self.consumer, self.producer = consumer, producer
        self.stage, self.dlq_topic, self.log = stage, dlq_topic, log
        self.max_records = max_records
        self.retry_on = retry_on
        self.connected = connected or asyncio.Event()  # set once the broker answered consumer and producer
        self.assigned = assigned or asyncio.Event()  # set once the group gave this member its partitions
        self.stopping = stopping or asyncio.Event()

    def stop(self) -> None:
        self.stopping.set()

    async def run(self, handle: Handler, *, started: Callable[[], None] = lambda: None) -> None:
        await start_with_retry(self.consumer, self.stopping, self.log)
        try:
            await start_with_retry(self.producer, self.stopping, self.log)
            self.connected.set()
            started()
            while not self.stopping.is_set():
                batches = await self.consumer.getmany(timeout_ms=500, max_records=self.max_records)
                if self.consumer.assignment():
                    self.assigned.set()
                if not batches:
                    continue
                offsets = await handle(batches)
                if offsets:
                    await self.commit(offsets)
        finally:
            await self.consumer.stop()
            await self.producer.stop()

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        try:
            await self.consumer.commit(dict(offsets))
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took a partition away: its new owner replays from the last commit, and the
            # handlers' writes are idempotent.
            where = {f"{tp.topic}/{tp.partition}": o for tp, o in offsets.items()}
            self.log.warning("offsets.not_committed", offsets=where, reason=str(exc))

    async def retry(self, call: Callable[[], Awaitable[Any]]) -> tuple[bool, Any]:
        """(True, the store's answer), waiting out the `retry_on` errors with `backoff`; (False, None)
        when asked to stop meanwhile."""
        attempt = 0
        while True:
            try:
                return True, await call()
            except self.retry_on as exc:
                attempt += 1
                delay = backoff(attempt)
                self.log.warning("store.unavailable", reason=str(exc), attempt=attempt,
                                 retry_in_s=round(delay, 2))
                try:
                    await asyncio.wait_for(self.stopping.wait(), delay)
                    return False, None
                except TimeoutError:
                    continue

    async def dead_letter(self, message, error: str, reason: str, article_id: str | None) -> None:
        """`message` to the dead-letter topic with the reason and its own bytes."""
        event = dead_letter_event(self.stage, message, error, reason, article_id)
        await self.producer.send_and_wait(self.dlq_topic, value=event.to_bytes(), key=message.key)
        self.log.warning("article.dead_lettered", article_id=article_id, error=error, reason=reason[:300],
                         topic=message.topic, partition=message.partition, offset=message.offset)
