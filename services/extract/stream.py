"""The extract stream: a faust-streaming app from `articles.raw` to `articles.extracted` and `reform.mentions`.

The agent only decodes, calls the engine (in a child process, with a time budget per article) and the
policies, and emits. Its concurrency stays 1 (scale by partitions and workers): above 1, faust-streaming
0.15 can commit an offset past a message still in flight (faust-streaming issue #606), which would lose it
on a restart. Within the one agent, up to `extract_window` articles are in flight, in three stages so that
the engine's process and this one work at the same time: extract (the engine takes them one by one), send
(in the order read: story, events, handed to the producer) and confirm (in the order read: every ack). A
message is acked by hand, in the order read, only once the broker has acknowledged all its outputs, so a
committed offset means its output is durable.

Nothing is dropped: a send that fails is retried while the failure can pass (broker away, leader moving);
one that never can (too large, refused) sends the original to `articles.dlq` with the reason; anything
else ends the process with a non-zero code before the message is acknowledged, so the supervisor restarts
the worker and the message is read again.
"""
from __future__ import annotations

import asyncio
import collections
import os
import socket
import sys
import time
import traceback

import faust
import structlog
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
    UnsupportedForMessageFormatError,
)
from pydantic import ValidationError

from common.kafka import dead_letter_event, make_producer
from common.logs import get_logger
from common.mentions import reform_mentions
from common.settings import Settings
from schemas.events import ArticleExtracted, ArticleReceived, ReformMentioned, derive_id
from services.extract.budget import BudgetedEngine, EngineFailed, OverBudget
from services.extract.policies import assign_story, extracted_article
from services.extract.stories import StoryIndex, story_headers

log = get_logger(__name__)

# Failures a retry cannot fix: the record is too large for the topic, or the broker refuses it as such.
NEVER_SUCCEEDS = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError, CorruptRecordException,
                  InvalidTopicError, TopicAuthorizationFailedError, UnsupportedForMessageFormatError)
EXIT_STALLED = 70


class Unpublishable(Exception):
    """An output that can never be published; the article is dead-lettered with this reason."""


def fail_hard(event: str, **fields) -> None:
    """End the worker at once with a non-zero code: the message in hand is not acknowledged, so it is replayed."""
    log.critical(event, **fields)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_STALLED)


class Outputs:
    """The worker's own producer (acks=all, idempotent), with retries for failures that can pass."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.producer = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self.producer is None:
                from common.kafka import start_with_retry

                producer = make_producer(self.settings)
                await start_with_retry(producer, asyncio.Event(), log)
                self.producer = producer

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None

    async def send(self, records: list[tuple[str, bytes, bytes, list | None]]) -> list[asyncio.Future] | None:
        """Hand every record to the producer without waiting for the acks; returns their futures, or None when
        the producer could not take them now (no metadata for a topic, say): then, as when a future fails,
        the caller sends them again with `publish`, which retries.

        Raises Unpublishable for a record that can never be published.
        """
        self._check_sizes(records)
        await self.start()
        try:
            return [await self.producer.send(topic, value=value, key=key, headers=headers)
                    for topic, key, value, headers in records]
        except NEVER_SUCCEEDS as exc:
            raise Unpublishable(f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            log.warning("publish.deferred", error=type(exc).__name__, reason=str(exc)[:300])
            return None

    def _check_sizes(self, records: list[tuple[str, bytes, bytes, list | None]]) -> None:
        for _topic, _key, value, _headers in records:
            if len(value) > self.settings.max_event_bytes:
                raise Unpublishable(f"an output event of {len(value)} bytes is over the limit of "
                                    f"{self.settings.max_event_bytes} bytes")

    async def publish(self, records: list[tuple[str, bytes, bytes, list | None]]) -> None:
        """Send every record and wait for all acks, retrying the lot while the failure can pass.

        Raises Unpublishable for a record that can never be published; gives up (raises) after
        `publish_retry_s`, which ends the worker so that the message is replayed.
        """
        self._check_sizes(records)
        await self.start()
        deadline = time.monotonic() + self.settings.publish_retry_s
        delay = 0.2
        while True:
            try:
                pending = [await self.producer.send(topic, value=value, key=key, headers=headers)
                           for topic, key, value, headers in records]
                await asyncio.gather(*pending)
                return
            except NEVER_SUCCEEDS as exc:
                raise Unpublishable(f"{type(exc).__name__}: {exc}") from exc
            except Exception as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("publish.retry", error=type(exc).__name__, reason=str(exc)[:300], retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


def create_app(settings: Settings) -> faust.App:
    # faust makes its data folder at start (default: in the working directory, which the image's user
    # cannot write); it goes under the service's data dir instead. faust makes no parent folders.
    datadir = settings.data_dir / "extract-faust"
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        "provnews-extract",
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        datadir=str(datadir),
        web_enabled=True,
        web_bind=settings.host,
        web_port=settings.extract_port,
        web_host=settings.host,
        producer_acks=-1,
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        # A killed worker's partitions must come back within seconds, not the 60 s/1000 s defaults:
        # the broker waits up to these before it gives a dead member's partitions to the others.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        broker_rebalance_timeout=20.0,
        broker_max_poll_interval=max(60.0, settings.extract_budget_s + settings.publish_retry_s + 30),
        table_cleanup_interval=3600,
        stream_wait_empty=False,
    )
    if settings.listen_fd is not None:
        serve_web_on_inherited_socket(app, settings.listen_fd)
    raw = app.topic(settings.topic_raw, key_serializer="raw", value_serializer="raw")
    stories = StoryIndex(settings)
    engine = BudgetedEngine(settings.extract_budget_s)
    outputs = Outputs(settings)
    state: dict = {"assigned": False, "agent": False, "engine": False}
    taken: collections.deque[float] = collections.deque()  # when each article in flight was read, oldest first

    def busy_since() -> float | None:
        return taken[0] if taken else None
    stalled_after_s = settings.extract_budget_s + settings.publish_retry_s + 30

    async def dead_letter(message, error: str, reason: str, article_id: str | None) -> None:
        event = dead_letter_event("extract", message, error, reason, article_id)
        try:
            await outputs.publish([(settings.topic_dlq, message.key or b"", event.to_bytes(), None)])
        except Exception as exc:  # nowhere left to put it: stop before the message is acknowledged
            fail_hard("article.dead_letter_failed", article_id=article_id, error=type(exc).__name__, reason=str(exc)[:300])
        log.warning("article.dead_lettered", article_id=article_id, error=error, reason=reason[:300],
                    partition=message.partition, offset=message.offset)

    async def extract(message) -> tuple | None:
        """Stage 1, several articles at once (the engine takes them one by one in its process): decode and extract.
        Returns (received, extraction, took_ms), or None when the article was dead-lettered."""
        try:
            received = ArticleReceived.model_validate_json(message.value or b"").data
        except ValidationError as exc:
            await dead_letter(message, "undecodable_event", str(exc), None)
            return None
        try:
            started = time.perf_counter()
            published_hint = received.published_at.date() if received.published_at else None
            extraction = await engine.extract(received.text, title=received.title, published_hint=published_hint,
                                              source_hint=received.source, url=received.url)
            took_ms = round((time.perf_counter() - started) * 1000, 1)
        except OverBudget as exc:  # one article must not stop the stream: it goes to the DLQ, the stream goes on
            await dead_letter(message, "over_budget", str(exc), received.article_id)
            return None
        except EngineFailed as exc:  # an engine bug must not stall the stream either
            await dead_letter(message, exc.kind, str(exc), received.article_id)
            return None
        return received, extraction, took_ms

    async def send(message, extracted: tuple) -> tuple | None:
        """Stage 2, in the order read: the story (which needs every earlier article's), the events, handed to the
        producer. The story's band keys are recorded here so the next article in flight sees them; were the
        article then dead-lettered, its story id would only name a story of one fewer article."""
        received, extraction, took_ms = extracted
        structlog.contextvars.bind_contextvars(article_id=received.article_id)
        story_id, new_keys = assign_story(received.article_id, extraction.fingerprint, stories.lookup)
        article = extracted_article(received, extraction, story_id)
        key = received.article_id.encode()
        event = ArticleExtracted.wrap(article, subject=received.article_id,
                                      event_id=derive_id("extracted", received.article_id, extraction.engine_version))
        found = reform_mentions(article)
        records = [(settings.topic_extracted, key, event.to_bytes(), story_headers(story_id, extraction.fingerprint))]
        records += [(settings.topic_mentions, key, ReformMentioned.wrap(
            mention, subject=received.article_id, event_id=mention.mention_id).to_bytes(), None) for mention in found]
        try:
            acks = await outputs.send(records)
        except Unpublishable as exc:
            await dead_letter(message, "unpublishable", str(exc), received.article_id)
            return None
        stories.record(new_keys, story_id)
        summary = dict(article_id=received.article_id, story_id=story_id, took_ms=took_ms, mentions=len(found),
                       metrics=len(extraction.metrics), topics=len(extraction.topics))
        return records, acks, summary

    async def confirm(message, sent: tuple) -> None:
        """Stage 3, in the order read: every ack of the article's events, else the retrying publish."""
        records, acks, summary = sent
        structlog.contextvars.bind_contextvars(article_id=summary["article_id"])
        try:
            if acks is None:
                raise RuntimeError("the producer did not take the records")
            await asyncio.gather(*acks)
        except NEVER_SUCCEEDS as exc:
            await dead_letter(message, "unpublishable", f"{type(exc).__name__}: {exc}", summary["article_id"])
            return
        except Exception as exc:  # can pass (broker away, leader moving): send the lot again, with retries
            log.warning("publish.retry", error=type(exc).__name__, reason=str(exc)[:300], retry_in_s=0)
            try:
                await outputs.publish(records)
            except Unpublishable as final:
                await dead_letter(message, "unpublishable", str(final), summary["article_id"])
                return
        log.info("article.extracted", **summary)

    @app.task
    async def follow_stories() -> None:
        await stories.run()

    @app.task
    async def start_outputs() -> None:
        await outputs.start()

    @app.task
    async def start_engine() -> None:
        await asyncio.get_running_loop().run_in_executor(None, engine.warm_up)
        state["engine"] = True

    @app.timer(interval=5.0)
    async def watchdog() -> None:
        oldest = busy_since()
        if oldest is not None and time.monotonic() - oldest > stalled_after_s:
            fail_hard("extract.stalled", busy_s=round(time.monotonic() - oldest, 1))

    def failed(event, exc: BaseException) -> None:
        fail_hard("extract.failed", error=type(exc).__name__, reason="".join(traceback.format_exception(exc))[-2000:],
                  partition=event.message.partition, offset=event.message.offset)

    async def send_in_order(extracting: asyncio.Queue, sending: asyncio.Queue) -> None:
        while True:
            event, job = await extracting.get()
            try:
                extracted = await job
                sent = await send(event.message, extracted) if extracted is not None else None
            except Exception as exc:  # not handled above: end the worker rather than lose the message
                failed(event, exc)
            finally:
                structlog.contextvars.unbind_contextvars("article_id")
            await sending.put((event, sent))

    async def confirm_in_order(sending: asyncio.Queue) -> None:
        while True:
            event, sent = await sending.get()
            try:
                if sent is not None:
                    await confirm(event.message, sent)
            except Exception as exc:
                failed(event, exc)
            finally:
                structlog.contextvars.unbind_contextvars("article_id")
            # Acked in the order read, only once its outputs are durable: the committed offset never passes an
            # article still in flight (faust commits up to the first offset not acked).
            event.ack()
            taken.popleft()

    @app.agent(raw, concurrency=1)
    async def extract_articles(stream):
        """Up to `extract_window` articles in flight: the engine works on the next ones while this process
        publishes the earlier ones; at low load the window holds one, so nothing waits for it to fill."""
        await stories.caught_up.wait()  # replays must find the stories the log already holds
        state["agent"] = True
        extracting: asyncio.Queue = asyncio.Queue(maxsize=settings.extract_window)
        sending: asyncio.Queue = asyncio.Queue(maxsize=settings.extract_window)
        stages = [asyncio.create_task(send_in_order(extracting, sending)),
                  asyncio.create_task(confirm_in_order(sending))]

        def ended(stage: asyncio.Task) -> None:  # a stage that stops while the agent runs would stall the stream
            if state["agent"]:
                error = stage.exception() if not stage.cancelled() else asyncio.CancelledError()
                fail_hard("extract.stage_ended", error=type(error).__name__,
                          reason="".join(traceback.format_exception(error))[-2000:] if error else "")

        for stage in stages:
            stage.add_done_callback(ended)
        try:
            async for event in stream.noack().events():
                taken.append(time.monotonic())
                await extracting.put((event, asyncio.create_task(extract(event.message))))
        finally:
            state["agent"] = False
            for stage in stages:
                stage.cancel()

    @app.on_before_shutdown.connect
    async def _shutdown(app, **kwargs) -> None:  # noqa: ARG001
        await outputs.stop()

    @app.on_partitions_revoked.connect
    async def _revoked(app, revoked, **kwargs) -> None:  # noqa: ARG001
        state["assigned"] = False

    @app.on_partitions_assigned.connect
    async def _assigned(app, assigned, **kwargs) -> None:  # noqa: ARG001
        state["assigned"] = True
        log.info("partitions.assigned", partitions=sorted(f"{tp.topic}/{tp.partition}" for tp in assigned))

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web, request):
        problems = []
        if not state["assigned"]:
            problems.append("waiting for partitions")
        if not stories.caught_up.is_set():
            problems.append("reading the story index")
        if not state["engine"]:
            problems.append("starting the engine")
        if state["assigned"] and stories.caught_up.is_set() and not state["agent"]:
            problems.append("the extract loop is not running")
        oldest = busy_since()
        if oldest is not None and time.monotonic() - oldest > settings.extract_budget_s + 10:
            problems.append(f"one article has been in hand for {time.monotonic() - oldest:.0f} s")
        if not problems:
            return web.json({"status": "ready"})
        return web.json({"status": 503, "error": "not_ready", "detail": "; ".join(problems)}, status=503)

    app.provnews_engine = engine  # closed by run_worker
    return app


def serve_web_on_inherited_socket(app: faust.App, fd: int) -> None:
    """Serve faust's web pages (aiohttp) on the listening socket `provnews up` handed down rather than binding
    web_port. faust has no setting for that, so its site factory is replaced (aiohttp's SockSite takes a socket)."""
    from aiohttp.web import SockSite

    web = app.web
    web._create_site = lambda: SockSite(web._runner, socket.socket(fileno=fd))


def run_worker(settings: Settings) -> None:
    app = create_app(settings)
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False, override_logging=False)
    worker.spinner = None  # a terminal spinner would write cursor codes into the JSON log
    try:
        worker.execute_from_commandline()
    finally:
        app.provnews_engine.close()
