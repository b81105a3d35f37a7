"""The explorer: the web page at /, its assets, and what it asks the query API beyond search.

The page is plain HTML, CSS and JavaScript served from `static/` (no build step, nothing from a
CDN). It reads /v1/search, /v1/timeline, /v1/metrics and /v1/articles/{id}, follows
/v1/mentions/stream (common.mention_stream, fed by live.py), and manages alert subscriptions
through /v1/subscriptions, which this API passes on to the alerts service so the page needs no
cross-origin requests.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from common.http import ApiError, problem, problems
from common.logs import get_logger
from common.mention_stream import router as mention_stream_router
from common.settings import Settings
from common.stores.ports import MetricPage, Timeline, TimelineSplit
from services.query.dependencies import Store
from services.query.filters import Filters
from services.query.live import MentionFeed

log = get_logger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
ALERTS_TIMEOUT_S = 15.0
# Article text reaches the page only through textContent; the policy is the second line of defence.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_FORWARDED_REQUEST_HEADERS = ("authorization", "content-type", "accept")
_FORWARDED_RESPONSE_HEADERS = ("content-type", "www-authenticate", "retry-after")


def alerts_base_url(settings: Settings) -> str:
    return settings.alerts_url or settings.url(settings.alerts_port)


@asynccontextmanager
async def explorer_running(app: FastAPI, settings: Settings, *, live: bool = True) -> AsyncIterator[None]:
    """The live feed's consumer and the client to the alerts service, for the app's lifetime."""
    app.state.mention_feed = app.state.mention_source = feed = MentionFeed(settings)
    app.state.alerts_client = httpx.AsyncClient(base_url=alerts_base_url(settings), timeout=ALERTS_TIMEOUT_S)
    if live:
        feed.start()
    try:
        yield
    finally:
        await feed.stop()
        await app.state.alerts_client.aclose()


router = APIRouter()


@router.get("/v1/timeline", response_model=Timeline, tags=["explorer"], responses=problems(422, 503))
async def timeline(store: Store, query: Filters,
                   split: Annotated[TimelineSplit, Query(description="Stack months by this facet.")] = "topic",
                   ) -> Timeline:
    """Matching articles per month, in total and by topic or province (same filters as /v1/search)."""
    return await store.timeline(query, split)


@router.get("/v1/metrics", response_model=MetricPage, tags=["explorer"], responses=problems(422, 503))
async def metrics(store: Store, query: Filters) -> MetricPage:
    """Reform metrics (value, unit, action, level, evidence) of the matching articles, newest first."""
    return await store.list_metrics(query)


# What the proxy passes on: the routes the explorer's alert form uses, and nothing else of the alerts service.
SUBSCRIPTION_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_ENCODED_SEPARATOR = re.compile(rb"%(?:2f|5c|2e|25)", re.IGNORECASE)


def _checked_path(request: Request, subscription_id: str | None = None, tail: str = "") -> str:
    """The alerts-service path to call, built from checked parts; 400 for anything that could walk elsewhere."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    raw_path = raw.split(b"?", 1)[0]
    if _ENCODED_SEPARATOR.search(raw_path) or b"\\" in raw_path:
        raise ApiError(400, "invalid_path", "the path holds an encoded separator, dot or percent sign; "
                                            "only /v1/subscriptions and /v1/subscriptions/{id} are passed on")
    if any(segment in (b".", b"..") for segment in raw_path.split(b"/")):
        raise ApiError(400, "invalid_path", "the path holds a dot segment ('.' or '..')")
    if subscription_id is None:
        return "/v1/subscriptions"
    if not SUBSCRIPTION_ID.fullmatch(subscription_id):
        raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
    return f"/v1/subscriptions/{quote(subscription_id, safe='')}{tail}"


async def _pass_on(request: Request, path: str) -> Response:
    client: httpx.AsyncClient = request.app.state.alerts_client
    headers = {k: v for k in _FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k))}
    # Whose calls these are, so the alerts service counts wrong keys per browser, not for all of them at once.
    headers["x-forwarded-for"] = request.client.host if request.client else "unknown"
    try:
        upstream = await client.request(request.method, path, params=request.query_params, headers=headers,
                                        content=await request.body())
    except httpx.HTTPError as exc:
        log.warning("alerts.unreachable", url=str(client.base_url), reason=str(exc) or type(exc).__name__)
        return problem(502, "alerts_unavailable", f"the alerts service does not answer at {client.base_url}")
    kept = {k: v for k in _FORWARDED_RESPONSE_HEADERS if (v := upstream.headers.get(k))}
    return Response(content=upstream.content, status_code=upstream.status_code, headers=kept)


async def subscriptions(request: Request) -> Response:
    """Passed on to the alerts service as it is (Authorization: Bearer <key> included); see its own docs."""
    return await _pass_on(request, _checked_path(request))


async def subscription(request: Request, subscription_id: str) -> Response:
    """Passed on to the alerts service as it is (Authorization: Bearer <key> included); see its own docs."""
    return await _pass_on(request, _checked_path(request, subscription_id))


async def subscription_deliveries(request: Request, subscription_id: str) -> Response:
    """Passed on to the alerts service as it is (Authorization: Bearer <key> included); see its own docs."""
    return await _pass_on(request, _checked_path(request, subscription_id, "/deliveries"))


async def not_passed_on(request: Request, rest: str) -> Response:
    _checked_path(request, "-")  # an encoded separator or dot segment says so
    raise ApiError(404, "not_found", "only /v1/subscriptions, /v1/subscriptions/{id} and its /deliveries are "
                                     "passed on to the alerts service")


for _path, _handler, _methods in (
        ("/v1/subscriptions", subscriptions, ("GET", "POST")),
        ("/v1/subscriptions/{subscription_id}", subscription, ("GET", "PATCH", "DELETE")),
        ("/v1/subscriptions/{subscription_id}/deliveries", subscription_deliveries, ("GET",))):
    for _method in _methods:
        _which = _handler.__name__
        _answered = {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}[_method]
        router.add_api_route(_path, _handler, methods=[_method], tags=["alerts (passed on)"],
                             status_code=_answered, response_class=Response,
                             responses={_answered: {"description": "As the alerts service answers (see its docs)."},
                                        **problems(400, 401, 404, 409, 413, 415, 422, 429, 502)},
                             operation_id=f"alerts_{_method.lower()}_{_which}",
                             summary=f"{_method} {_path} on the alerts service")
router.add_api_route("/v1/subscriptions/{rest:path}", not_passed_on, include_in_schema=False,
                     methods=["GET", "POST", "PATCH", "PUT", "DELETE"])


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)


class _Assets(StaticFiles):
    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers.update(PAGE_HEADERS)
        return response


def install_explorer(app: FastAPI) -> None:
    """The page, its assets and its API routes, on the query API."""
    app.include_router(router)
    app.include_router(mention_stream_router)
    app.mount("/static", _Assets(directory=STATIC_DIR), name="static")
