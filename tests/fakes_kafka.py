"""An in-memory Kafka consumer and producer for unit tests of the at-least-once loop (common.consume) and of
the handlers that run in it: rounds of messages in, commits and sent records out."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError

TP = TopicPartition("articles.extracted", 0)
TP1 = TopicPartition("articles.extracted", 1)


@dataclass
class Message:
    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None = None


def messages(tp: TopicPartition, *offsets: int) -> list[Message]:
    return [Message(tp.topic, tp.partition, o, json.dumps({"n": o}).encode(), f"k{o}".encode()) for o in offsets]


class MemoryConsumer:
    """Hands out the rounds it was given, then nothing; records every commit."""

    def __init__(self, rounds: list[dict], fail_commit: bool = False):
        self.rounds = list(rounds)
        self.commits: list[dict] = []
        self.started = self.stopped = False
        self.fail_commit = fail_commit
        self.drained = asyncio.Event()

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def getmany(self, *partitions, timeout_ms: int = 0, max_records: int | None = None) -> dict:
        if self.rounds:
            return self.rounds.pop(0)
        self.drained.set()
        await asyncio.sleep(0.01)
        return {}

    def assignment(self) -> set:
        return {TP, TP1}

    async def commit(self, offsets=None) -> None:
        if self.fail_commit:
            raise CommitFailedError("rebalanced")
        self.commits.append(dict(offsets))


class MemoryProducer:
    def __init__(self):
        self.sent: list[tuple[str, bytes, bytes | None]] = []
        self.stopped = False

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, value=None, key=None, **kwargs):
        self.sent.append((topic, value, key))

