"""The extract stream: a faust-streaming app from `articles.raw` to `articles.extracted` and `reform.mentions`.

The agent only decodes, calls the engine and the policies, and emits. Its concurrency stays 1
(scale by partitions): above 1, faust-streaming 0.15 can commit an offset past a message still in
flight (faust-streaming issue #606), which would lose it on a restart. Every send is awaited until
the broker acknowledges it before the loop moves on, so a committed offset means its output is durable.
"""
from __future__ import annotations

import asyncio
import time
import traceback

import faust
import structlog
from pydantic import ValidationError

from provnews.extract.engine import extract
from provnews.extract.policies import assign_story, extracted_article, reform_mentions
from provnews.extract.stories import StoryIndex, story_headers
from provnews.logs import get_logger
from provnews.kafka import dead_letter_event
from provnews.schemas.events import ArticleExtracted, ArticleReceived, ReformMentioned, derive_id
from provnews.settings import Settings

log = get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    # faust makes its data folder at start (default: in the working directory, which the image's user
    # cannot write); it goes under the service's data dir instead. faust makes no parent folders.
    datadir = settings.data_dir / "extract"
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        "provnews-extract",
        broker=f"kafka://{settings.kafka_bootstrap}",
        datadir=str(datadir),
        store="memory://",
        web_enabled=True,
        web_bind=settings.host,
        web_port=settings.extract_port,
        web_host=settings.host,
        producer_acks=-1,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        # A killed worker's partitions must come back within seconds, not the 60 s/1000 s defaults:
        # the broker waits up to these before it gives a dead member's partitions to the others.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        broker_rebalance_timeout=20.0,
        broker_max_poll_interval=60.0,
        table_cleanup_interval=3600,
        stream_wait_empty=False,
    )
    raw = app.topic(settings.topic_raw, key_serializer="raw", value_serializer="raw")
    extracted = app.topic(settings.topic_extracted, key_serializer="raw", value_serializer="raw")
    mentions = app.topic(settings.topic_mentions, key_serializer="raw", value_serializer="raw")
    dead_letters = app.topic(settings.topic_dlq, key_serializer="raw", value_serializer="raw")
    stories = StoryIndex(settings)
    state = {"ready": False}

    async def send(topic: faust.TopicT, key: bytes, value: bytes) -> None:
        await (await topic.send(key=key, value=value))  # the second await waits for the broker's ack

    async def dead_letter(message, error: str, reason: str, article_id: str | None) -> None:
        await send(dead_letters, message.key or b"", dead_letter_event("extract", message, error, reason, article_id).to_bytes())
        log.warning("article.dead_lettered", article_id=article_id, error=error, reason=reason[:300],
                    partition=message.partition, offset=message.offset)

    async def process(message) -> None:
        try:
            received = ArticleReceived.model_validate_json(message.value or b"").data
        except ValidationError as exc:
            await dead_letter(message, "undecodable_event", str(exc), None)
            return
        structlog.contextvars.bind_contextvars(article_id=received.article_id)
        try:
            started = time.perf_counter()
            published_hint = received.published_at.date() if received.published_at else None
            extraction = extract(received.text, title=received.title, published_hint=published_hint,
                                 source_hint=received.source, url=received.url)
            took_ms = round((time.perf_counter() - started) * 1000, 1)
        except Exception as exc:  # an engine bug must not stall the stream: the message goes to the DLQ
            await dead_letter(message, type(exc).__name__, "".join(traceback.format_exception(exc)), received.article_id)
            return
        story_id, new_keys = assign_story(received.article_id, extraction.fingerprint, stories.lookup)
        stories.record(new_keys, story_id)
        article = extracted_article(received, extraction, story_id)
        key = received.article_id.encode()
        event = ArticleExtracted.wrap(article, subject=received.article_id,
                                      event_id=derive_id("extracted", received.article_id, extraction.engine_version))
        found = reform_mentions(article)
        # Hand every event to the producer first, then wait for all the acks: one round trip, not one each.
        pending = [await extracted.send(key=key, value=event.to_bytes(),
                                        headers=story_headers(story_id, extraction.fingerprint))]
        for mention in found:
            pending.append(await mentions.send(key=key, value=ReformMentioned.wrap(
                mention, subject=received.article_id, event_id=mention.mention_id).to_bytes()))
        await asyncio.gather(*pending)
        log.info("article.extracted", article_id=received.article_id, story_id=story_id, took_ms=took_ms,
                 mentions=len(found), metrics=len(extraction.metrics), topics=len(extraction.topics))

    @app.task
    async def follow_stories() -> None:
        await stories.run()

    @app.agent(raw, concurrency=1)
    async def extract_articles(stream):
        await stories.caught_up.wait()  # replays must find the stories the log already holds
        async for event in stream.events():
            try:
                await process(event.message)
            finally:
                structlog.contextvars.unbind_contextvars("article_id")

    @app.on_partitions_assigned.connect
    async def _assigned(app, assigned, **kwargs) -> None:  # noqa: ARG001
        state["ready"] = True
        log.info("partitions.assigned", partitions=sorted(f"{tp.topic}/{tp.partition}" for tp in assigned))

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web, request):
        if state["ready"] and stories.caught_up.is_set():
            return web.json({"status": "ready"})
        return web.json({"status": 503, "error": "not_ready", "detail": "waiting for partitions and the story index"},
                        status=503)

    return app


def run_worker(settings: Settings) -> None:
    app = create_app(settings)
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False, override_logging=False)
    worker.spinner = None  # a terminal spinner would write cursor codes into the JSON log
    worker.execute_from_commandline()
