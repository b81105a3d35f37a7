"""Publishing received articles: the port, and its Kafka adapter."""
from __future__ import annotations

import asyncio
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, KafkaTimeoutError

from common.kafka import make_producer
from common.logs import get_logger
from common.settings import Settings

log = get_logger(__name__)
CONNECT_TIMEOUT_S = 5.0  # at least this long to connect, even with a short publish timeout


class BrokerUnavailable(Exception):
    """Refused: the message was never handed to the broker (so it is not published); retry later."""


class BrokerUnreachable(BrokerUnavailable):
    """Refused because no connection to the broker could be made."""


class OutcomeUnknown(Exception):
    """The message was handed to the broker but not acknowledged in time: it may or may not be published.

    Posting the article again is safe: its id is derived from it, and every stage is idempotent by id."""


class Publisher(Protocol):
    async def publish(self, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
        """(partition, offset) once acknowledged; BrokerUnavailable if not sent, OutcomeUnknown if not known."""

    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class KafkaPublisher:
    """Connects lazily and reconnects after failures, so ingest starts (and says not ready) without a broker."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _connected(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._lock:
            if self._producer is None:
                producer = make_producer(self._settings)
                try:
                    await asyncio.wait_for(producer.start(), max(self._settings.publish_timeout_s, CONNECT_TIMEOUT_S))
                except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                    await producer.stop()
                    raise BrokerUnreachable(f"cannot reach the broker at {self._settings.kafka_bootstrap}") from exc
                self._producer = producer
                log.info("broker.connected", bootstrap=self._settings.kafka_bootstrap)
        return self._producer

    async def publish(self, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
        """Send and wait for the broker's acknowledgement (acks=all); returns (partition, offset).

        BrokerUnavailable when the message never left this process (cancelling `send()` itself drops it),
        OutcomeUnknown when it did but no acknowledgement came in time (cancelling the wait does not)."""
        producer = await self._connected()
        timeout = self._settings.publish_timeout_s
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            delivered = await asyncio.wait_for(
                producer.send(topic, value=value, key=key, headers=[("content-type", b"application/cloudevents+json")]),
                timeout)
        except (KafkaError, OSError, asyncio.TimeoutError) as exc:
            raise BrokerUnavailable(f"the broker did not take the article within {timeout:g} s") from exc
        delivered.add_done_callback(_retrieved)  # a late failure after OutcomeUnknown is not "never retrieved"
        try:
            meta = await asyncio.wait_for(asyncio.shield(delivered),
                                          max(0.0, deadline - asyncio.get_running_loop().time()))
        except asyncio.TimeoutError as exc:
            raise OutcomeUnknown(f"the broker did not acknowledge within {timeout:g} s") from exc
        except KafkaError as exc:
            if getattr(exc, "retriable", False) or isinstance(exc, KafkaTimeoutError):
                raise OutcomeUnknown(f"the broker did not acknowledge: {type(exc).__name__}") from exc
            raise BrokerUnavailable(f"the broker refused the article: {type(exc).__name__}") from exc
        return meta.partition, meta.offset

    async def ping(self) -> bool:
        try:
            producer = await self._connected()
            return bool(await asyncio.wait_for(producer.client.force_metadata_update(), 3))
        except (BrokerUnavailable, KafkaError, OSError, asyncio.TimeoutError):
            return False

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


def _retrieved(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
