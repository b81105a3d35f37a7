"""The ingest HTTP service: POST an article (JSON) or a batch (NDJSON); 202 once the broker has it."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from provnews.http import ApiError, install_error_handlers, problem, summarize, validation_errors
from provnews.ingest.articles import ArticleSubmission, received_from
from provnews.ingest.publisher import BrokerUnavailable, KafkaPublisher, Publisher
from provnews.logs import get_logger
from provnews.schemas.events import ArticleReceived, derive_id
from provnews.settings import Settings, get_settings

log = get_logger(__name__)
JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
RETRY_AFTER_S = "5"
_ARTICLE_BODY = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleSubmission"}}}, "required": True}
_BATCH_BODY = {"content": {"application/x-ndjson": {"schema": {"type": "string", "description": "One ArticleSubmission JSON object per line."}}}, "required": True}


def create_app(settings: Settings | None = None, *, publisher: Publisher | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.publisher = publisher or KafkaPublisher(settings)
        try:
            await app.state.publisher.ping()  # connect early when the broker is there; fine when it is not
            yield
        finally:
            await app.state.publisher.close()

    app = FastAPI(title="provnews ingest", version="1", lifespan=lifespan,
                  description="Takes Vietnamese provincial news articles in and publishes them to `articles.raw`.")
    install_error_handlers(app)
    app.openapi_schema = None

    def openapi():
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["ArticleSubmission"] = (
                ArticleSubmission.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi

    async def publish(received) -> tuple[int, int]:
        event = ArticleReceived.wrap(received, subject=received.article_id,
                                     event_id=derive_id("received", received.article_id, received.received_at.isoformat()))
        return await app.state.publisher.publish(settings.topic_raw, received.article_id.encode(), event.to_bytes())

    @app.post("/v1/articles", status_code=202, openapi_extra={"requestBody": _ARTICLE_BODY},
              responses={400: {}, 413: {}, 415: {}, 422: {}, 503: {}})
    async def post_article(request: Request) -> JSONResponse:
        """Submit one article as JSON; answers 202 with its id once the broker has acknowledged it."""
        _require_content_type(request, JSON_TYPES)
        body = await _read_body(request, settings.max_article_bytes)
        received = await received_from(_parse_submission(body))
        structlog.contextvars.bind_contextvars(article_id=received.article_id)
        started = time.perf_counter()
        try:
            partition, offset = await publish(received)
        except BrokerUnavailable as exc:
            log.warning("article.not_published", reason=str(exc))
            raise ApiError(503, "broker_unavailable", str(exc), headers={"Retry-After": RETRY_AFTER_S}) from exc
        finally:
            structlog.contextvars.unbind_contextvars("article_id")
        log.info("article.accepted", article_id=received.article_id, partition=partition, offset=offset,
                 bytes=len(body), took_ms=round((time.perf_counter() - started) * 1000, 1))
        return JSONResponse({"id": received.article_id, "status": "accepted"}, status_code=202)

    @app.post("/v1/articles:batch", openapi_extra={"requestBody": _BATCH_BODY},
              responses={202: {}, 207: {}, 400: {}, 413: {}, 415: {}, 422: {}, 503: {}})
    async def post_batch(request: Request) -> JSONResponse:
        """Submit NDJSON, one article a line; answers per line (202 when all were accepted, else 207)."""
        _require_content_type(request, NDJSON_TYPES)
        body = await _read_body(request, settings.max_batch_bytes)
        results: list[dict] = []
        pending: list[tuple[dict, object]] = []
        for number, line in enumerate(body.split(b"\n"), 1):
            if not line.strip():
                continue
            result: dict = {"line": number}
            results.append(result)
            if len(line) > settings.max_article_bytes:
                result.update(status=413, error="too_large", detail=f"line is over {settings.max_article_bytes} bytes")
                continue
            try:
                received = await received_from(_parse_submission(line))
            except ApiError as exc:
                result.update(status=exc.status, error=exc.error, detail=exc.detail, **exc.extra)
                continue
            result["id"] = received.article_id
            pending.append((result, received))
        if not results:
            raise ApiError(422, "empty_batch", "the body holds no article lines")
        outcomes = await asyncio.gather(*(publish(received) for _, received in pending), return_exceptions=True)
        for (result, received), outcome in zip(pending, outcomes):
            if isinstance(outcome, BaseException):
                result.update(status=503, error="broker_unavailable", detail=str(outcome))
                log.warning("article.not_published", article_id=received.article_id, reason=str(outcome))
            else:
                result["status"] = 202
                log.info("article.accepted", article_id=received.article_id, partition=outcome[0], offset=outcome[1])
        accepted = sum(r["status"] == 202 for r in results)
        unavailable = sum(r["status"] == 503 for r in results)
        payload = {"accepted": accepted, "rejected": len(results) - accepted, "results": results}
        if unavailable and not accepted:
            return JSONResponse(payload, status_code=503, headers={"Retry-After": RETRY_AFTER_S})
        return JSONResponse(payload, status_code=202 if accepted == len(results) else 207)

    @app.get("/healthz")
    async def healthz() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready when the broker is reachable."""
        if await app.state.publisher.ping():
            return JSONResponse({"status": "ready"})
        return problem(503, "broker_unavailable", f"cannot reach the broker at {settings.kafka_bootstrap}",
                       headers={"Retry-After": RETRY_AFTER_S})

    return app


def _require_content_type(request: Request, allowed: tuple[str, ...]) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in allowed:
        raise ApiError(415, "unsupported_media_type",
                       f"content type {media_type or '(none)'!r} is not accepted here; send {allowed[0]}")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the body is over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_submission(body: bytes) -> ArticleSubmission:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "undecodable_body", f"the body is not UTF-8: byte {exc.start} cannot be decoded") from exc
    try:
        return ArticleSubmission.model_validate_json(body)
    except ValidationError as exc:
        raw_errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in raw_errors):
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {raw_errors[0]['msg']}") from exc
        if any(e["type"] == "model_type" and not e["loc"] for e in raw_errors):
            raise ApiError(422, "invalid_article", "the body must be a JSON object") from exc
        errors = validation_errors(raw_errors)
        raise ApiError(422, "invalid_article", summarize(errors), errors=errors) from exc
