"""The alerts HTTP service: subscriptions, their deliveries, and a live stream of reform mentions.

The consumer and delivery loops run in the app's lifespan, so one process (or one test server) is
the whole service. Routes only check input, call the store and the pure core, and answer.
"""
from __future__ import annotations

import asyncio
import secrets
import time
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from provnews.alerts.bootstrap import Alerts, bootstrap
from provnews.mention_filters import Filter, FilterError, checked
from provnews.mention_stream import FedHub
from provnews.mention_stream import router as mention_stream_router
from provnews.alerts.ports import AlertStore, DeliveryRecord, DeliveryStatus, Mode, Subscription, WebhookSender
from provnews.alerts.signing import new_secret
from provnews.public_urls import Resolver, WebhookRefused, checked_target
from provnews.http import (
    ApiError, FailedAuthLimiter, add_schemas, bearer_owner, body_schema, document_problems, install_docs,
    install_error_handlers, json_body, problem, problems,
)
from provnews.logs import get_logger
from provnews.settings import Settings, get_settings

log = get_logger(__name__)
MAX_DIGEST_INTERVAL_S = 7 * 24 * 3600
# A consumer stopped in the middle of a rebalance can wait on the broker far longer; its offsets are committed.
STOP_TIMEOUT_S = 3.0
_UNAUTHORIZED = problems(401, 429)


def owner_of(request: Request) -> str:
    """The owner of the request's API key (Authorization: Bearer <key>), or 401 (429 after many wrong keys)."""
    return bearer_owner(request, request.app.state.settings.alerts_api_keys, request.app.state.auth_failures,
                        "PROVNEWS_ALERTS_API_KEYS")


Owner = Annotated[str, Depends(owner_of)]


# digest_interval goes with mode "digest" only; the schema says so, so generated requests can know it.
_INTERVAL_ONLY_FOR_DIGESTS = {
    "if": {"required": ["digest_interval"], "properties": {"digest_interval": {"type": "integer"}}},
    "then": {"required": ["mode"], "properties": {"mode": {"const": "digest"}}}}
# Documented, not enforced here: the webhook URL and interval are checked with their own reasons (and the
# allowlist and settings may widen what is accepted).
_WEBHOOK = {"min_length": 1, "max_length": 2048,
            "json_schema_extra": {
                "pattern": r"^https://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+(:[1-9][0-9]{0,3})?([/?#][!-~]*)?$"},
            "description": "HTTPS, to a host whose addresses are all public (checked after DNS). Plain HTTP "
                           "and private addresses only for what PROVNEWS_ALERTS_WEBHOOK_ALLOWLIST names."}
_INTERVAL = Field(default=None, json_schema_extra={"minimum": 60, "maximum": MAX_DIGEST_INTERVAL_S},
                  description="Seconds between digests, in digest mode "
                              "(at least PROVNEWS_ALERTS_DIGEST_MIN_INTERVAL_S).")


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_INTERVAL_ONLY_FOR_DIGESTS)

    name: str = Field(min_length=1, max_length=200)
    webhook_url: str = Field(**_WEBHOOK)
    filter: Filter
    mode: Mode = "instant"
    digest_interval: int | None = _INTERVAL


class SubscriptionChange(BaseModel):
    """Only the fields given change; none of them may be null except digest_interval (back to the default)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_INTERVAL_ONLY_FOR_DIGESTS)

    name: str = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    webhook_url: str = Field(default=None, **_WEBHOOK)  # type: ignore[assignment]
    filter: Filter = None  # type: ignore[assignment]
    mode: Mode = None  # type: ignore[assignment]
    digest_interval: int | None = _INTERVAL


class SubscriptionView(BaseModel):
    id: str
    name: str
    webhook_url: str
    filter: Filter
    mode: Mode
    digest_interval: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, sub: Subscription) -> SubscriptionView:
        return cls(**sub.model_dump(exclude={"owner"}))


class CreatedSubscription(SubscriptionView):
    secret: str = Field(description="Signs every delivery (X-Provnews-Signature). Shown only now: keep it.")


class SubscriptionList(BaseModel):
    subscriptions: list[SubscriptionView]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryRecord]


def create_app(settings: Settings | None = None, *, store: AlertStore | None = None,
               sender: WebhookSender | None = None, resolver: Resolver | None = None,
               run_workers: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        alerts = bootstrap(settings, store=store, sender=sender, resolver=resolver)
        app.state.alerts = alerts
        app.state.mention_source = FedHub(alerts.hub, alerts.consumer.connected.is_set)
        app.state.crashed = asyncio.Event()
        tasks = []
        if run_workers:
            for name, run in (("consumer", alerts.consumer.run), ("delivery", alerts.delivery.run)):
                task = asyncio.create_task(run(), name=f"alerts-{name}")
                task.add_done_callback(lambda t, n=name: _ended(app, n, t))
                tasks.append(task)
        try:
            yield
        finally:
            alerts.consumer.stop()
            alerts.delivery.stop()
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            await alerts.sender.close()
            await alerts.store.close()
            log.info("alerts.stopped", delivered=alerts.delivery.delivered, dead=alerts.delivery.dead)

    app = FastAPI(title="provnews alerts", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Webhook subscriptions to new reform mentions: once each, signed, retried, never dropped.")
    app.state.settings = settings
    app.state.auth_failures = FailedAuthLimiter(settings.auth_max_failures, settings.auth_failure_window_s)
    install_error_handlers(app)
    install_docs(app)
    add_schemas(app, SubscriptionRequest, SubscriptionChange)

    def alerts_of(request: Request) -> Alerts:
        return request.app.state.alerts

    async def subscription_of(subscription_id: str, owner: str, alerts: Alerts) -> Subscription:
        sub = await alerts.store.get_subscription(subscription_id, owner)
        if sub is None:  # someone else's looks the same as none at all
            raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
        return sub

    async def validated(alerts: Alerts, sub: Subscription, *, check_url: bool = True) -> Subscription:
        try:
            filter_ = checked(sub.filter)
        except FilterError as exc:
            raise ApiError(422, exc.error, exc.detail, **exc.extra) from exc
        interval = sub.digest_interval
        if sub.mode == "instant" and interval is not None:
            raise ApiError(422, "invalid_digest_interval", "digest_interval is only for mode 'digest'")
        if sub.mode == "digest":
            interval = settings.alerts_digest_interval_s if interval is None else interval
            low = settings.alerts_digest_min_interval_s
            if not low <= interval <= MAX_DIGEST_INTERVAL_S:
                raise ApiError(422, "invalid_digest_interval",
                               f"digest_interval must be between {low} and {MAX_DIGEST_INTERVAL_S} seconds")
        if check_url:  # it is checked again before every attempt anyway
            try:
                await checked_target(sub.webhook_url, alerts.allowlist, alerts.resolver)
            except WebhookRefused as exc:
                raise ApiError(422, exc.error, exc.detail) from exc
        return sub.model_copy(update={"filter": filter_, "digest_interval": interval})

    @app.post("/v1/subscriptions", status_code=201, response_model=CreatedSubscription,
              responses=problems(401, 409, 422, 429),
              openapi_extra=body_schema(SubscriptionRequest))
    async def create_subscription(owner: Owner, request: Request,
                                  body: Annotated[SubscriptionRequest, Depends(json_body(SubscriptionRequest))],
                                  ) -> CreatedSubscription:
        """Subscribe a webhook to new reform mentions that match a filter; answers with its secret, once."""
        alerts = alerts_of(request)
        now = datetime.now(UTC)
        sub = await validated(alerts, Subscription(id="sub_" + secrets.token_hex(12), owner=owner, created_at=now,
                                                   updated_at=now, **body.model_dump(exclude={"filter"}),
                                                   filter=body.filter))
        secret = new_secret()
        if not await alerts.store.create_subscription(sub, secret, limit=settings.alerts_max_subscriptions_per_key):
            raise ApiError(409, "too_many_subscriptions",
                           f"this API key already has {settings.alerts_max_subscriptions_per_key} subscriptions, "
                           "the most allowed; delete one first")
        log.info("subscription.created", subscription_id=sub.id, owner=owner, mode=sub.mode)
        return CreatedSubscription(**SubscriptionView.of(sub).model_dump(), secret=secret)

    @app.get("/v1/subscriptions", response_model=SubscriptionList, responses=_UNAUTHORIZED)
    async def list_subscriptions(owner: Owner, request: Request) -> SubscriptionList:
        """The subscriptions of this API key."""
        subs = await alerts_of(request).store.list_subscriptions(owner)
        return SubscriptionList(subscriptions=[SubscriptionView.of(s) for s in subs])

    @app.get("/v1/subscriptions/{subscription_id}", response_model=SubscriptionView,
              responses=problems(401, 404, 422, 429))
    async def get_subscription(subscription_id: str, owner: Owner, request: Request) -> SubscriptionView:
        """One subscription (without its secret)."""
        return SubscriptionView.of(await subscription_of(subscription_id, owner, alerts_of(request)))

    @app.patch("/v1/subscriptions/{subscription_id}", response_model=SubscriptionView,
               responses=problems(401, 404, 422, 429),
               openapi_extra=body_schema(SubscriptionChange))
    async def change_subscription(subscription_id: str, owner: Owner, request: Request,
                                  body: Annotated[SubscriptionChange, Depends(json_body(SubscriptionChange))],
                                  ) -> SubscriptionView:
        """Change a subscription's name, webhook URL, filter (replaced whole) or mode."""
        alerts = alerts_of(request)
        sub = await subscription_of(subscription_id, owner, alerts)
        changes = {k: getattr(body, k) for k in body.model_fields_set}
        if changes.get("mode") == "instant" and "digest_interval" not in changes:
            changes["digest_interval"] = None
        if any(changes.get(k, "") is None for k in ("name", "webhook_url", "filter", "mode")):
            raise ApiError(422, "invalid_request", "name, webhook_url, filter and mode cannot be null")
        changed = await validated(alerts, sub.model_copy(update={**changes, "updated_at": datetime.now(UTC)}),
                                  check_url="webhook_url" in changes)
        if not await alerts.store.update_subscription(changed):
            raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
        log.info("subscription.changed", subscription_id=sub.id, fields=sorted(changes))
        return SubscriptionView.of(changed)

    @app.delete("/v1/subscriptions/{subscription_id}", status_code=204, responses=problems(401, 404, 422, 429))
    async def delete_subscription(subscription_id: str, owner: Owner, request: Request) -> Response:
        """Unsubscribe: the subscription and its deliveries are gone."""
        if not await alerts_of(request).store.delete_subscription(subscription_id, owner):
            raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
        log.info("subscription.deleted", subscription_id=subscription_id)
        return Response(status_code=204)

    @app.get("/v1/subscriptions/{subscription_id}/deliveries", response_model=DeliveryList,
             responses=problems(401, 404, 422, 429))
    async def list_deliveries(subscription_id: str, owner: Owner, request: Request,
                              status: DeliveryStatus | None = None,
                              limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveryList:
        """Deliveries, newest first, each with its attempts: outcome, status code, latency, next retry."""
        alerts = alerts_of(request)
        await subscription_of(subscription_id, owner, alerts)
        return DeliveryList(deliveries=await alerts.store.deliveries(subscription_id, status, limit))

    @app.post("/v1/deliveries/{delivery_id}/redeliver", status_code=202,
              responses=problems(401, 404, 409, 422, 429))
    async def redeliver(delivery_id: str, owner: Owner, request: Request) -> dict:
        """Send a dead delivery again, from a fresh round of attempts."""
        alerts = alerts_of(request)
        outcome = await alerts.store.redeliver(delivery_id, owner, time.time())
        if outcome == "not_found":
            raise ApiError(404, "not_found", f"no delivery with id {delivery_id!r}")
        if outcome == "not_dead":
            raise ApiError(409, "not_dead", "only a dead delivery can be redelivered; this one is pending or delivered")
        alerts.delivery.poke()
        log.info("delivery.redelivered", delivery_id=delivery_id)
        return {"id": delivery_id, "status": "pending"}

    @app.get("/healthz")
    async def healthz(request: Request) -> dict:
        """The process is up; counters since it started."""
        alerts = alerts_of(request)
        return {"status": "ok", "articles_seen": alerts.consumer.articles_seen, "matched": alerts.consumer.matched,
                "delivered": alerts.delivery.delivered, "dead": alerts.delivery.dead,
                "stream_listeners": alerts.hub.listeners}

    @app.get("/readyz", responses=problems(503))
    async def readyz(request: Request) -> JSONResponse:
        """Ready when the store answers and the consumer reaches the broker.

        Not waiting for the group's partition assignment (seconds on some brokers) loses nothing: the
        consumer starts from its committed offsets, or from the earliest on a new group.
        """
        alerts = alerts_of(request)
        if request.app.state.crashed.is_set():
            return problem(503, "crashed", "a worker loop stopped; see the logs")
        if (alerts.consumer.connected.is_set() or not run_workers) and await alerts.store.ping():
            return JSONResponse({"status": "ready", "assigned": alerts.consumer.assigned.is_set()})
        return problem(503, "not_ready", "waiting for the broker or the store")

    app.include_router(mention_stream_router)
    document_problems(app)
    return app


def _ended(app: FastAPI, name: str, task: asyncio.Task) -> None:
    if task.cancelled():
        return
    if (exc := task.exception()) is not None:
        log.error("alerts.worker_crashed", worker=name, error=type(exc).__name__, reason=str(exc)[:500])
        app.state.crashed.set()

