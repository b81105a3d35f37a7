"""Which story an article belongs to: band keys of earlier articles, read back from `articles.extracted`.

Every extracted event carries the article's band keys and the story it was given, so that topic is
the record of all assignments; each worker reads all of it (no consumer group) at start and keeps
following it, so workers on other partitions see each other's stories. This replaced a faust
GlobalTable: after a worker was killed, its table recovery let the restarted stream skip messages.
"""
from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaConsumer, TopicPartition

from common.kafka import consumer_options, partitions_of, start_with_retry
from common.logs import get_logger
from common.settings import Settings

log = get_logger(__name__)
STORY_HEADER = "provnews-story-id"
BANDS_HEADER = "provnews-bands"


def story_headers(story_id: str, band_keys: list[str]) -> list[tuple[str, bytes]]:
    """Kafka headers that let the index follow the topic without parsing whole articles."""
    return [(STORY_HEADER, story_id.encode()), (BANDS_HEADER, ",".join(band_keys).encode())]


class StoryIndex:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._stories: dict[str, str] = {}
        self.caught_up = asyncio.Event()
        self._stopping = asyncio.Event()

    def lookup(self, band_key: str) -> str | None:
        return self._stories.get(band_key)

    def record(self, band_keys: list[str], story_id: str) -> None:
        for key in band_keys:
            self._stories.setdefault(key, story_id)  # the first story to claim a band keeps it

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(**consumer_options(self.settings), enable_auto_commit=False,
                                    auto_offset_reset="earliest", group_id=None)
        await start_with_retry(consumer, self._stopping, log)
        try:
            topic = self.settings.topic_extracted
            partitions = await self._partitions(consumer, topic)
            tps = [TopicPartition(topic, p) for p in partitions]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            read = 0
            while not self._stopping.is_set():
                for messages in (await consumer.getmany(timeout_ms=300, max_records=1000)).values():
                    for message in messages:
                        self._learn(message)
                        read += 1
                if not self.caught_up.is_set() and all([await consumer.position(tp) >= ends[tp] for tp in tps]):
                    self.caught_up.set()
                    log.info("stories.caught_up", events=read, band_keys=len(self._stories))
        finally:
            await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer, topic: str) -> list[int]:
        """The topic's partitions, waiting while its metadata is not there yet (a topic created a moment ago)."""
        delay = 0.2
        for _ in range(60):
            if partitions := await partitions_of(consumer, topic):
                return partitions
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        raise RuntimeError(f"the topic {topic} does not exist (run `provnews setup`)")

    def _learn(self, message) -> None:
        headers = dict(message.headers or ())
        if STORY_HEADER in headers:
            story_id = headers[STORY_HEADER].decode()
            keys = [k for k in headers.get(BANDS_HEADER, b"").decode().split(",") if k]
        else:  # events written without the headers: read the body
            try:
                data = json.loads(message.value)["data"]
                story_id, keys = data["story_id"], data["extraction"].get("fingerprint", [])
            except (ValueError, KeyError, TypeError):
                return
        self.record(keys, story_id)

