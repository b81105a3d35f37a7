"""/v1/subscriptions: a webhook subscribed to new reform mentions that match a filter, per API key."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from common.http import ApiError, body_schema, json_body, problems
from common.logs import get_logger
from common.mention_filters import Filter
from services.alerts.dependencies import Limits, Owner, Rules, SettingsDep, Store, WebhookRules
from services.alerts.ports import AlertStore, Mode, Subscription
from services.alerts.signing import new_secret
from services.alerts.validation import (
    MAX_DIGEST_INTERVAL_S,
    DigestLimits,
    SubscriptionRefused,
    changes,
    validated,
)

log = get_logger(__name__)
_UNAUTHORIZED = problems(401, 429)

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


async def owned(store: AlertStore, subscription_id: str, owner: str) -> Subscription:
    """The owner's subscription, or 404: someone else's looks the same as none at all."""
    sub = await store.get_subscription(subscription_id, owner)
    if sub is None:
        raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
    return sub


async def kept(sub: Subscription, limits: DigestLimits, rules: WebhookRules, *, check_url: bool = True,
               ) -> Subscription:
    try:
        return await validated(sub, limits, rules.allowlist, rules.resolver, check_url=check_url)
    except SubscriptionRefused as exc:
        raise ApiError(422, exc.error, exc.detail, **exc.extra) from exc


router = APIRouter()


@router.post("/v1/subscriptions", status_code=201, response_model=CreatedSubscription,
             responses=problems(401, 409, 422, 429), openapi_extra=body_schema(SubscriptionRequest))
async def create_subscription(owner: Owner,
                              body: Annotated[SubscriptionRequest, Depends(json_body(SubscriptionRequest))],
                              store: Store, settings: SettingsDep, limits: Limits, rules: Rules,
                              ) -> CreatedSubscription:
    """Subscribe a webhook to new reform mentions that match a filter; answers with its secret, once."""
    now = datetime.now(UTC)
    sub = await kept(Subscription(id="sub_" + secrets.token_hex(12), owner=owner, created_at=now, updated_at=now,
                                  **body.model_dump(exclude={"filter"}), filter=body.filter), limits, rules)
    secret = new_secret()
    most = settings.alerts_max_subscriptions_per_key
    if not await store.create_subscription(sub, secret, limit=most):
        raise ApiError(409, "too_many_subscriptions",
                       f"this API key already has {most} subscriptions, the most allowed; delete one first")
    log.info("subscription.created", subscription_id=sub.id, owner=owner, mode=sub.mode)
    return CreatedSubscription(**SubscriptionView.of(sub).model_dump(), secret=secret)


@router.get("/v1/subscriptions", response_model=SubscriptionList, responses=_UNAUTHORIZED)
async def list_subscriptions(owner: Owner, store: Store) -> SubscriptionList:
    """The subscriptions of this API key."""
    return SubscriptionList(subscriptions=[SubscriptionView.of(s) for s in await store.list_subscriptions(owner)])


@router.get("/v1/subscriptions/{subscription_id}", response_model=SubscriptionView,
            responses=problems(401, 404, 422, 429))
async def get_subscription(subscription_id: str, owner: Owner, store: Store) -> SubscriptionView:
    """One subscription (without its secret)."""
    return SubscriptionView.of(await owned(store, subscription_id, owner))


@router.patch("/v1/subscriptions/{subscription_id}", response_model=SubscriptionView,
              responses=problems(401, 404, 422, 429), openapi_extra=body_schema(SubscriptionChange))
async def change_subscription(subscription_id: str, owner: Owner,
                              body: Annotated[SubscriptionChange, Depends(json_body(SubscriptionChange))],
                              store: Store, limits: Limits, rules: Rules) -> SubscriptionView:
    """Change a subscription's name, webhook URL, filter (replaced whole) or mode."""
    sub = await owned(store, subscription_id, owner)
    try:
        changed_fields = changes({k: getattr(body, k) for k in body.model_fields_set})
    except SubscriptionRefused as exc:
        raise ApiError(422, exc.error, exc.detail, **exc.extra) from exc
    changed = await kept(sub.model_copy(update={**changed_fields, "updated_at": datetime.now(UTC)}), limits, rules,
                         check_url="webhook_url" in changed_fields)
    if not await store.update_subscription(changed):
        raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
    log.info("subscription.changed", subscription_id=sub.id, fields=sorted(changed_fields))
    return SubscriptionView.of(changed)


@router.delete("/v1/subscriptions/{subscription_id}", status_code=204, responses=problems(401, 404, 422, 429))
async def delete_subscription(subscription_id: str, owner: Owner, store: Store) -> Response:
    """Unsubscribe: the subscription and its deliveries are gone."""
    if not await store.delete_subscription(subscription_id, owner):
        raise ApiError(404, "not_found", f"no subscription with id {subscription_id!r}")
    log.info("subscription.deleted", subscription_id=subscription_id)
    return Response(status_code=204)
