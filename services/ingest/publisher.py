"""Publishing received articles: the port, and its Kafka adapter."""
from __future__ import annotations

import asyncio
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from provnews.kafka import make_producer
from provnews.logs import get_logger
from provnews.settings import Settings

log = get_logger(__name__)


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time; the client should retry later."""


class Publisher(Protocol):
    async def publish(self, topic: str, key: bytes, value: bytes) -> tuple[int, int]: ...
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
                    await asyncio.wait_for(producer.start(), self._settings.publish_timeout_s)
                except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                    await producer.stop()
                    raise BrokerUnavailable(f"cannot reach the broker at {self._settings.kafka_bootstrap}") from exc
                self._producer = producer
                log.info("broker.connected", bootstrap=self._settings.kafka_bootstrap)
        return self._producer

    async def publish(self, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
        """Send and wait for the broker's acknowledgement (acks=all); returns (partition, offset)."""
        producer = await self._connected()
        try:
            meta = await asyncio.wait_for(
                producer.send_and_wait(topic, value=value, key=key, headers=[("content-type", b"application/cloudevents+json")]),
                self._settings.publish_timeout_s,
            )
        except (KafkaError, OSError, asyncio.TimeoutError) as exc:
            raise BrokerUnavailable(f"the broker did not acknowledge within {self._settings.publish_timeout_s:g} s") from exc
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
