"""For the alerts tests: a webhook receiver, and how far the alerts consumer has got.

The receiver is a real HTTP server on loopback that records what it gets. Each hook
(`/hooks/<name>`) answers as scripted (a list of statuses, then a default), can hold requests until
released, and checks signatures the way the README tells receivers to.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    hook: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = field(default_factory=time.time)

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def delivery_id(self) -> str:
        return self.event["data"]["delivery_id"]

    def signed_by(self, secret: str, tolerance_s: float = 300) -> bool:
        """What a receiver does: recompute HMAC-SHA256 over "t.body" and refuse stale timestamps."""
        parts = dict(p.split("=", 1) for p in self.headers["x-provnews-signature"].split(","))
        timestamp = int(parts["t"])
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - timestamp) <= tolerance_s


class Receiver:
    def __init__(self):
        self.base_url = ""
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._scripts: dict[str, list[int | tuple[int, dict]]] = {}
        self._defaults: dict[str, int] = {}
        self._gates: dict[str, threading.Event] = {}
        self._waiting: dict[str, int] = {}
        self.app = Starlette(routes=[Route("/hooks/{hook}", self._handle, methods=["POST"])])

    def url(self, hook: str) -> str:
        return f"{self.base_url}/hooks/{hook}"

    def script(self, hook: str, *answers: int | tuple[int, dict]) -> None:
        """Answer the next requests with these statuses (optionally with headers), then the default."""
        with self._lock:
            self._scripts[hook] = list(answers)

    def always(self, hook: str, status: int) -> None:
        with self._lock:
            self._defaults[hook] = status

    def hold(self, hook: str) -> None:
        """Hold requests to this hook, unanswered, until released."""
        self._gates[hook] = threading.Event()

    def release(self, hook: str) -> None:
        gate = self._gates.pop(hook, None)
        if gate:
            gate.set()

    def waiting(self, hook: str) -> int:
        with self._lock:
            return self._waiting.get(hook, 0)

    def received(self, hook: str) -> list[Received]:
        with self._lock:
            return [r for r in self._received if r.hook == hook]

    def acknowledged(self, hook: str) -> list[Received]:
        return [r for r in self.received(hook) if 200 <= r.status < 300]

    async def _handle(self, request: Request) -> Response:
        hook = request.path_params["hook"]
        body = await request.body()
        gate = self._gates.get(hook)
        if gate is not None:
            with self._lock:
                self._waiting[hook] = self._waiting.get(hook, 0) + 1
            try:
                while not gate.is_set():
                    await asyncio.sleep(0.02)
            finally:
                with self._lock:
                    self._waiting[hook] -= 1
        with self._lock:
            script = self._scripts.get(hook)
            answer = script.pop(0) if script else self._defaults.get(hook, 200)
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self._received.append(Received(hook=hook, headers=dict(request.headers), body=body, status=status))
        return Response(status_code=status, headers=headers)


def consumed(bootstrap: str, group: str, topic: str) -> bool:
    """Has the group committed offsets up to the end of every partition of the topic?"""
    async def check() -> bool:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p)
                     for p in (await consumer._client.fetch_all_metadata()).partitions_for_topic(topic) or []]
            ends = await consumer.end_offsets(parts)
            for tp in parts:
                if ends[tp] and (await consumer.committed(tp) or 0) < ends[tp]:
                    return False
            return True
        finally:
            await consumer.stop()

    return asyncio.run(check())
