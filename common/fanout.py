"""Fans reform mentions out to the live Server-Sent Events streams of one process (alerts, query API).

Each stream has a bounded queue; a dashboard that reads too slowly loses its oldest mentions rather
than holding up the consumer or the other streams.
"""
from __future__ import annotations

import asyncio

from schemas.events import ReformMentioned


class MentionHub:
    def __init__(self, queue_size: int = 1000):
        self.queue_size = queue_size
        self._queues: set[asyncio.Queue[ReformMentioned]] = set()
        self.dropped = 0

    def subscribe(self) -> asyncio.Queue[ReformMentioned]:
        queue: asyncio.Queue[ReformMentioned] = asyncio.Queue(self.queue_size)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ReformMentioned]) -> None:
        self._queues.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._queues)

    def publish(self, event: ReformMentioned) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)
