"""What the HTTP services share: one error shape, the handlers that produce it, and the guards every
request passes (URL length, body size after decompression, content type and encoding)."""
from __future__ import annotations

import hmac
import math
import socket
import time
import zlib
from collections import OrderedDict, deque

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

MAX_URL_BYTES = 8 * 1024  # path and query; longer is 414
# What uvicorn reads of a request head before giving up (its default, 16 KiB, resets longer URLs before the
# app could answer 414). `uvicorn.Config(..., **SERVER_OPTIONS)` in every service.
SERVER_OPTIONS = {"h11_max_incomplete_event_size": 1024 * 1024}
ENCODINGS = ("gzip", "identity")


def inherited_sockets(listen_fd: int | None) -> list[socket.socket] | None:
    """The listening socket `provnews up` handed down (settings.listen_fd) for uvicorn's
    `Server.serve(sockets=...)`; None when there is none and the service binds its own port."""
    return None if listen_fd is None else [socket.socket(fileno=listen_fd)]


class FieldError(BaseModel):
    loc: list[str]
    msg: str
    type: str


class Problem(BaseModel):
    """Every error answer: the status again, a stable error code, a sentence saying why, and sometimes more
    (`errors` for each field at fault, `known` values, the article `id`)."""

    model_config = ConfigDict(extra="allow")

    status: int
    error: str = Field(description="A stable code, e.g. invalid_request, not_found, too_large.")
    detail: str
    errors: list[FieldError] | None = None


_WHY = {400: "Undecodable body: not UTF-8, not JSON, or broken gzip.", 401: "No API key, or not a valid one.",
        404: "Nothing with that id.", 409: "In conflict with what is stored.", 413: "The body is too large.",
        414: "The URL is too long.", 415: "Unsupported content type or encoding.",
        422: "The request does not say something valid (each field at fault is named).",
        429: "Too many wrong API keys from this address; see Retry-After.", 501: "Not answered by this storage.",
        502: "The alerts service does not answer.", 503: "Unavailable for now; see Retry-After.",
        504: "Sent, but not acknowledged in time: it may or may not be published; posting again is safe."}


def problems(*codes: int) -> dict:
    """`responses=` for a route: these statuses answer a Problem."""
    return {code: {"model": Problem, "description": _WHY[code]} for code in codes}


def document_problems(app: FastAPI) -> None:
    """After the routes: every 4xx/5xx of every operation answers a Problem (422 included, not FastAPI's own
    shape); operations with a body also answer 400, 413 and 415; every operation may answer 414."""
    build = app.openapi

    def openapi() -> dict:
        if getattr(app, "_problems_documented", False):
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for name, definition in components["Problem"].pop("$defs", {}).items():
            components.setdefault(name, definition)
        ref = {"$ref": "#/components/schemas/Problem"}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                codes = {414} | ({400, 413, 415} if "requestBody" in operation else set())
                if operation.get("parameters") or "requestBody" in operation:
                    codes.add(422)
                for code in sorted(codes | {int(c) for c in responses if c.isdigit() and int(c) >= 400}):
                    entry = responses.setdefault(str(code), {"description": _WHY.get(code, "An error.")})
                    if not entry.get("description") or entry["description"] == "Validation Error":
                        entry["description"] = _WHY.get(code, "An error.")
                    content = entry.setdefault("content", {})
                    if "application/json" not in content or "HTTPValidationError" in str(content):
                        content.clear()
                        content["application/json"] = {"schema": ref}
        for unused in ("HTTPValidationError", "ValidationError"):
            if unused not in str(schema["paths"]):
                components.pop(unused, None)
        app._problems_documented = True
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra):
        self.status, self.error, self.detail, self.headers, self.extra = status, error, detail, headers, extra


def error_body(status: int, error: str, detail: str, **extra) -> dict:
    return {"status": status, "error": error, "detail": detail, **extra}


def problem(status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra) -> JSONResponse:
    return JSONResponse(error_body(status, error, detail, **extra), status_code=status, headers=headers)


def validation_errors(errors) -> list[dict]:
    return [
        {"loc": [str(p) for p in e.get("loc", ()) if p != "body"], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in errors
    ]


def summarize(errors: list[dict]) -> str:
    return "; ".join(f"{'.'.join(e['loc']) or 'body'}: {e['msg']}" for e in errors)


class UrlLimit:
    """414 for a path and query over MAX_URL_BYTES, before routing (plain ASGI middleware)."""

    def __init__(self, app, limit: int = MAX_URL_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if scope["type"] == "http" and size > self.limit:
            response = problem(414, "uri_too_long", f"the URL's path and query are over {self.limit} bytes")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def require_content_type(request: Request, allowed: tuple[str, ...]) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in allowed:
        raise ApiError(415, "unsupported_media_type",
                       f"content type {media_type or '(none)'!r} is not accepted here; send {allowed[0]}")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, gunzipped if it says `Content-Encoding: gzip`; 413 once over `limit` bytes (after
    decompression, so a small bomb is refused as what it would become), 415 for other encodings."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower() or "identity"
    if encoding not in ENCODINGS:
        raise ApiError(415, "unsupported_encoding",
                       f"content encoding {encoding!r} is not accepted here; send gzip or no encoding")
    too_large = ApiError(413, "too_large", f"the body is over {limit} bytes" +
                         (" once decompressed" if encoding == "gzip" else ""))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            while chunk:
                piece = inflate.decompress(chunk, limit + 1 - size) if inflate else chunk
                chunk = inflate.unconsumed_tail if inflate else b""
                size += len(piece)
                if size > limit:
                    raise too_large
                chunks.append(piece)
        if inflate:
            piece = inflate.flush()
            size += len(piece)
            if size > limit:
                raise too_large
            chunks.append(piece)
            if not inflate.eof:
                raise ApiError(400, "undecodable_body", "the gzip body is cut short")
    except zlib.error as exc:
        raise ApiError(400, "undecodable_body", f"the gzip body cannot be decompressed: {exc}") from exc
    return b"".join(chunks)


def parse_json(body: bytes, model: type[BaseModel], error: str) -> BaseModel:
    """The body as `model`, or 400 (not UTF-8, not JSON) or 422 `error` with every field's reason."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "undecodable_body", f"the body is not UTF-8: byte {exc.start} cannot be decoded") from exc
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raw_errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in raw_errors):
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {raw_errors[0]['msg']}") from exc
        if any(e["type"] == "model_type" and not e["loc"] for e in raw_errors):
            raise ApiError(422, error, "the body must be a JSON object") from exc
        errors = validation_errors(raw_errors)
        raise ApiError(422, error, summarize(errors), errors=errors) from exc


def json_body(model: type[BaseModel], limit: int = 64 * 1024, error: str = "invalid_request"):
    """A dependency reading the request body as `model` with the same checks and words as ingest."""

    async def dependency(request: Request):
        require_content_type(request, ("application/json",))
        return parse_json(await read_body(request, limit), model, error)

    return dependency


def body_schema(model: type[BaseModel]) -> dict:
    """openapi_extra for a route whose JSON body is read by json_body(model); see add_schemas."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def add_schemas(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put these models (and the models they use) into the app's OpenAPI components."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in generated.pop("$defs", {}).items():
                    components.setdefault(name, definition)
                components[model.__name__] = generated
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


class FailedAuthLimiter:
    """Counts wrong API keys per client address; past `max_failures` within `window_s`, every attempt from
    that address is answered 429 with Retry-After until the oldest failure leaves the window."""

    def __init__(self, max_failures: int = 10, window_s: float = 60.0, *, max_clients: int = 10_000,
                 clock=time.monotonic):
        self.max_failures, self.window_s, self.max_clients, self.clock = max_failures, window_s, max_clients, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, client: str) -> int | None:
        failures = self._failures.get(client)
        if not failures:
            return None
        now = self.clock()
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if len(failures) < self.max_failures:
            return None
        return max(1, math.ceil(failures[0] + self.window_s - now))

    def failed(self, client: str) -> None:
        failures = self._failures.setdefault(client, deque(maxlen=self.max_failures))
        failures.append(self.clock())
        self._failures.move_to_end(client)
        while len(self._failures) > self.max_clients:  # bounded memory: forget the least recent address
            self._failures.popitem(last=False)


def bearer_owner(request: Request, keys: dict[str, SecretStr], limiter: FailedAuthLimiter, setting: str) -> str:
    """The owner of the request's API key (Authorization: Bearer <key>): 401 without a valid one, 429 after
    too many wrong ones from the same address. The address is the peer's, or what X-Forwarded-For says when
    uvicorn trusts the peer (its FORWARDED_ALLOW_IPS, by default 127.0.0.1: the query API passing the
    explorer's calls on)."""
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        raise ApiError(429, "too_many_failed_keys",
                       f"too many wrong API keys from this address; try again in {wait} s",
                       headers={"Retry-After": str(wait)})
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": "Bearer"}
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send an API key as 'Authorization: Bearer <key>'", headers=challenge)
    if not keys:
        raise ApiError(401, "unauthorized", f"no API keys are configured: set {setting}", headers=challenge)
    given = token.strip().encode()
    owner = None
    for name, key in keys.items():  # compare with every key, in constant time
        if hmac.compare_digest(given, key.get_secret_value().encode()):
            owner = name
    if owner is None:
        limiter.failed(client)
        raise ApiError(401, "invalid_api_key", "the API key is not valid", headers=challenge)
    return owner


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc from files packaged with the code (the fastapi-offline
    package ships swagger-ui-dist's and redoc's bundles), so the pages work offline; the app must be
    created with docs_url=None and redoc_url=None."""
    from importlib.resources import files

    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    assets = str(files("fastapi_offline").joinpath("static"))
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc():
        return get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} - ReDoc",
                              redoc_js_url="/docs-assets/redoc.standalone.js",
                              redoc_favicon_url="/docs-assets/favicon.png", with_google_fonts=False)


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(UrlLimit)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.error, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        return problem(422, "invalid_request", summarize(errors), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "http_error", str(exc.detail), getattr(exc, "headers", None))
