"""/v1/articles and /v1/articles:batch: articles in, published to `articles.raw`; 202 once the broker has them."""
from __future__ import annotations

import asyncio
import time
from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from common.http import ApiError, parse_json, problems, read_body, require_content_type
from common.logs import get_logger
from common.settings import Settings
from schemas.events import ArticleReceived, derive_id
from schemas.extraction import NOT_BLANK
from services.ingest.articles import ArticleSubmission, received_from
from services.ingest.dependencies import PublisherDep, SettingsDep, Writer
from services.ingest.publisher import BrokerUnavailable, BrokerUnreachable, OutcomeUnknown, Publisher

log = get_logger(__name__)
JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
RETRY_AFTER_S = "5"
LISTED_ERRORS = 100  # a batch answer details this many failed lines; the rest are counted (and listed by id)
_ARTICLE_BODY = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleSubmission"}}}, "required": True}
_BATCH_BODY = {"content": {"application/x-ndjson": {"schema": {
    "type": "string", "minLength": 1, "pattern": NOT_BLANK,
    "description": "One ArticleSubmission JSON object per line; each line is answered on its own."}}}, "required": True}


class Accepted(BaseModel):
    id: str
    status: Literal["accepted"]


class LineAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    line: int
    status: int
    outcome: Literal["accepted", "invalid", "refused", "unknown"]
    id: str | None = None
    error: str | None = None
    detail: str | None = None


class BatchResult(BaseModel):
    lines: int
    accepted: int
    rejected: int = Field(description="invalid + refused")
    refused: int = Field(description="Never sent: the broker was unreachable.")
    unknown: int = Field(description="Sent, not acknowledged in time; posting again is safe (same id).")
    invalid: int
    not_listed: int = Field(description="Invalid lines past the first 100 detailed ones, counted only.")
    results: list[LineAnswer]


class BatchAnswer:
    """The answer to a batch: counts, then one entry per line in order (failures detailed up to LISTED_ERRORS)."""

    def __init__(self):
        self.lines = self.accepted = self.refused = self.unknown = self.invalid_lines = 0
        self.results: list[dict] = []
        self.detailed = 0
        self.not_listed = 0

    def _detail(self, result: dict, error: str, detail: str, **extra) -> None:
        if self.detailed < LISTED_ERRORS:
            self.detailed += 1
            result.update(error=error, detail=detail[:500], **extra)

    def invalid(self, line: int, status: int, error: str, detail: str, **extra) -> None:
        self.invalid_lines += 1
        if self.detailed < LISTED_ERRORS:
            result = {"line": line, "status": status, "outcome": "invalid"}
            self._detail(result, error, detail, **extra)
            self.results.append(result)
        else:  # without an id there is nothing more to say than the count
            self.not_listed += 1

    def failed(self, result: dict, status: int, outcome: str, error: str, detail: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        result.update(status=status, outcome=outcome)
        self._detail(result, error, detail)

    def payload(self) -> dict:
        self.results.sort(key=lambda r: r["line"])
        return {"lines": self.lines, "accepted": self.accepted, "rejected": self.invalid_lines + self.refused,
                "refused": self.refused, "unknown": self.unknown, "invalid": self.invalid_lines,
                "not_listed": self.not_listed, "results": self.results}


def _parse_submission(body: bytes) -> ArticleSubmission:
    return parse_json(body, ArticleSubmission, "invalid_article")


async def publish(publisher: Publisher, settings: Settings, received) -> tuple[int, int]:
    event = ArticleReceived.wrap(received, subject=received.article_id,
                                 event_id=derive_id("received", received.article_id, received.received_at.isoformat()))
    return await publisher.publish(settings.topic_raw, received.article_id.encode(), event.to_bytes())


router = APIRouter()


@router.post("/v1/articles", status_code=202, openapi_extra={"requestBody": _ARTICLE_BODY},
             responses={202: {"model": Accepted}, **problems(400, 401, 413, 415, 422, 429, 503, 504)})
async def post_article(request: Request, writer: Writer, settings: SettingsDep,
                       publisher: PublisherDep) -> JSONResponse:
    """Submit one article as JSON; answers 202 with its id once the broker has acknowledged it."""
    require_content_type(request, JSON_TYPES)
    body = await read_body(request, settings.max_article_bytes)
    received = await received_from(_parse_submission(body))
    structlog.contextvars.bind_contextvars(article_id=received.article_id)
    started = time.perf_counter()
    try:
        partition, offset = await publish(publisher, settings, received)
    except BrokerUnavailable as exc:
        log.warning("article.not_published", reason=str(exc))
        raise ApiError(503, "broker_unavailable", str(exc), headers={"Retry-After": RETRY_AFTER_S}) from exc
    except OutcomeUnknown as exc:
        log.warning("article.outcome_unknown", reason=str(exc))
        raise ApiError(504, "outcome_unknown", f"{exc}: the article may or may not be published; posting it "
                       "again is safe (same id)", headers={"Retry-After": RETRY_AFTER_S},
                       id=received.article_id) from exc
    finally:
        structlog.contextvars.unbind_contextvars("article_id")
    log.info("article.accepted", article_id=received.article_id, partition=partition, offset=offset,
             bytes=len(body), writer=writer, took_ms=round((time.perf_counter() - started) * 1000, 1))
    return JSONResponse({"id": received.article_id, "status": "accepted"}, status_code=202)


@router.post("/v1/articles:batch", openapi_extra={"requestBody": _BATCH_BODY},
             responses={202: {"model": BatchResult, "description": "Every line accepted."},
                        207: {"model": BatchResult, "description": "Some lines not accepted: see each line."},
                        503: {"model": BatchResult, "description": "None accepted: the broker is unreachable."},
                        **problems(400, 401, 413, 415, 422, 429)})
async def post_batch(request: Request, writer: Writer, settings: SettingsDep,
                     publisher: PublisherDep) -> JSONResponse:
    """Submit NDJSON, one article a line; answers per line (202 when all were accepted, else 207).

    Each line's answer is what happened to it: `accepted` (the broker has it), `invalid` (never
    sent), `refused` (never sent: the broker was unreachable) or `unknown` (sent, not acknowledged
    in time: posting it again is safe, the id is the same). At most `max_in_flight` sends wait for
    the broker at once."""
    require_content_type(request, NDJSON_TYPES)
    body = await read_body(request, settings.max_batch_bytes)
    batch = BatchAnswer()
    in_flight = asyncio.Semaphore(settings.ingest_max_in_flight)
    broker_down: list[str] = []  # once the broker is unreachable, later lines are refused without trying
    sends: set[asyncio.Task] = set()

    async def send(result: dict, received) -> None:
        try:
            if broker_down:
                raise BrokerUnreachable(broker_down[0])
            partition, offset = await publish(publisher, settings, received)
        except BrokerUnavailable as exc:
            if isinstance(exc, BrokerUnreachable):
                broker_down[:] = broker_down or [str(exc)]
            batch.failed(result, 503, "refused", "broker_unavailable", str(exc))
            log.warning("article.not_published", article_id=received.article_id, reason=str(exc))
        except OutcomeUnknown as exc:
            batch.failed(result, 504, "unknown", "outcome_unknown",
                         f"{exc}: it may or may not be published; posting it again is safe (same id)")
            log.warning("article.outcome_unknown", article_id=received.article_id, reason=str(exc))
        else:
            result.update(status=202, outcome="accepted")
            batch.accepted += 1
            log.info("article.accepted", article_id=received.article_id, partition=partition, offset=offset,
                     writer=writer)
        finally:
            in_flight.release()

    for number, line in enumerate(body.split(b"\n"), 1):
        if not line.strip():
            continue
        batch.lines += 1
        if len(line) > settings.max_article_bytes:
            batch.invalid(number, 413, "too_large", f"line is over {settings.max_article_bytes} bytes")
            continue
        try:
            received = await received_from(_parse_submission(line))
        except ApiError as exc:
            batch.invalid(number, exc.status, exc.error, exc.detail, **exc.extra)
            continue
        result = {"line": number, "id": received.article_id}
        batch.results.append(result)
        await in_flight.acquire()  # back-pressure: parse no further while the broker is behind
        task = asyncio.create_task(send(result, received))
        sends.add(task)
        task.add_done_callback(sends.discard)
    if not batch.lines:
        raise ApiError(422, "empty_batch", "the body holds no article lines")
    await asyncio.gather(*sends)
    payload = batch.payload()
    if batch.refused and not batch.accepted and not batch.unknown:
        return JSONResponse(payload, status_code=503, headers={"Retry-After": RETRY_AFTER_S})
    return JSONResponse(payload, status_code=202 if batch.accepted == batch.lines else 207)
