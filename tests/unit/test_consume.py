"""The at-least-once loop (common.consume) with an in-memory consumer and producer: what it commits, when,
and what it dead-letters. The broker-backed guarantees are in tests/integration/test_indexer.py and
tests/e2e/test_faults.py."""
from __future__ import annotations

import asyncio
import json

import pytest

from common.consume import AtLeastOnce, backoff, next_offsets
from common.logs import get_logger
from tests.fakes_kafka import TP, TP1, MemoryConsumer, MemoryProducer, messages


class Unavailable(Exception):
    pass


def make(rounds, **options) -> tuple[AtLeastOnce, MemoryConsumer, MemoryProducer]:
    consumer, producer = MemoryConsumer(rounds, fail_commit=options.pop("fail_commit", False)), MemoryProducer()
    loop = AtLeastOnce(consumer, producer, stage="index", dlq_topic="articles.dlq", log=get_logger("test"),
                       max_records=10, retry_on=(Unavailable,), **options)
    return loop, consumer, producer


async def run_until_drained(loop: AtLeastOnce, consumer: MemoryConsumer, handle) -> None:
    task = asyncio.create_task(loop.run(handle))
    await asyncio.wait_for(consumer.drained.wait(), 10)
    loop.stop()
    await asyncio.wait_for(task, 10)


async def test_the_offsets_the_handler_returns_are_committed_after_it_returns():
    rounds = [{TP: messages(TP, 0, 1, 2)}, {TP: messages(TP, 3), TP1: messages(TP1, 7)}]
    loop, consumer, producer = make(rounds)
    seen: list[int] = []

    async def handle(batches):
        assert len(consumer.commits) == len(seen)  # nothing of this round is committed before it returns
        seen.append(sum(len(m) for m in batches.values()))
        return next_offsets(batches)

    await run_until_drained(loop, consumer, handle)
    assert seen == [3, 2]
    assert consumer.commits == [{TP: 3}, {TP: 4, TP1: 8}]
    assert loop.connected.is_set() and loop.assigned.is_set()
    assert consumer.stopped and producer.stopped


async def test_a_handler_stopped_before_its_write_was_durable_commits_nothing():
    loop, consumer, _ = make([{TP: messages(TP, 0)}, {TP: messages(TP, 1)}])
    attempts = 0

    async def write():
        nonlocal attempts
        attempts += 1
        loop.stop()  # asked to stop while the store is down
        raise Unavailable("store down")

    async def handle(batches):
        durable, _ = await loop.retry(write)
        return next_offsets(batches) if durable else None

    await asyncio.wait_for(loop.run(handle), 10)
    assert attempts == 1 and consumer.commits == []
    assert consumer.rounds == [{TP: messages(TP, 1)}]  # nothing further was taken


async def test_retry_returns_the_answer_once_the_store_is_back():
    loop, _, _ = make([])
    calls = 0

    async def write():
        nonlocal calls
        calls += 1
        if calls < 2:
            raise Unavailable("not yet")
        return ["ok"]

    assert await asyncio.wait_for(loop.retry(write), 10) == (True, ["ok"])
    assert calls == 2


async def test_other_errors_are_not_retried():
    loop, _, _ = make([])

    async def write():
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        await loop.retry(write)


async def test_a_dead_letter_carries_the_stage_the_reason_and_the_original_bytes():
    loop, _, producer = make([])
    message = messages(TP, 5)[0]
    await loop.dead_letter(message, "undecodable_event", "not JSON", None)
    [(topic, value, key)] = producer.sent
    letter = json.loads(value)["data"]
    assert topic == "articles.dlq" and key == b"k5"
    assert (letter["stage"], letter["error"], letter["reason"]) == ("index", "undecodable_event", "not JSON")
    assert (letter["original_topic"], letter["partition"], letter["offset"]) == (TP.topic, 0, 5)


async def test_a_commit_refused_by_a_rebalance_does_not_stop_the_loop():
    loop, consumer, _ = make([{TP: messages(TP, 0)}, {TP: messages(TP, 1)}], fail_commit=True)
    handled = []

    async def handle(batches):
        handled.append(batches)
        return next_offsets(batches)

    await run_until_drained(loop, consumer, handle)
    assert len(handled) == 2 and consumer.commits == []


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half():
    for attempt, full in [(1, 0.5), (2, 1.0), (3, 2.0), (7, 30.0), (40, 30.0)]:
        delays = {backoff(attempt) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays), (attempt, delays)
        assert len(delays) > 1  # jittered: consumers that failed together do not retry together
