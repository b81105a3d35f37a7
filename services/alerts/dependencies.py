"""What the alerts routes are handed (FastAPI dependencies over app.state): the service, its settings,
the store, and the owner of the request's API key. Tests may override any of them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from common.http import bearer_owner
from common.public_urls import Allowlist, Resolver
from common.settings import Settings
from services.alerts.bootstrap import Alerts
from services.alerts.ports import AlertStore
from services.alerts.validation import DigestLimits


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def alerts_of(request: Request) -> Alerts:
    return request.app.state.alerts


def store_of(alerts: Annotated[Alerts, Depends(alerts_of)]) -> AlertStore:
    return alerts.store


@dataclass(frozen=True)
class WebhookRules:
    """Which webhook URLs may be called: the allowlist, and how host names are resolved before the check."""

    allowlist: Allowlist
    resolver: Resolver


def webhook_rules_of(alerts: Annotated[Alerts, Depends(alerts_of)]) -> WebhookRules:
    return WebhookRules(alerts.allowlist, alerts.resolver)


def poke_of(alerts: Annotated[Alerts, Depends(alerts_of)]) -> Callable[[], None]:
    """Wakes the delivery loop (it has new work) rather than waiting for its next poll."""
    return alerts.delivery.poke


def owner_of(request: Request, settings: Annotated[Settings, Depends(settings_of)]) -> str:
    """The owner of the request's API key (Authorization: Bearer <key>), or 401 (429 after many wrong keys)."""
    return bearer_owner(request, settings.alerts_api_keys, request.app.state.auth_failures,
                        "PROVNEWS_ALERTS_API_KEYS")


def digest_limits_of(settings: Annotated[Settings, Depends(settings_of)]) -> DigestLimits:
    return DigestLimits(default_s=settings.alerts_digest_interval_s, min_s=settings.alerts_digest_min_interval_s)


AlertsService = Annotated[Alerts, Depends(alerts_of)]
Store = Annotated[AlertStore, Depends(store_of)]
Owner = Annotated[str, Depends(owner_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
Limits = Annotated[DigestLimits, Depends(digest_limits_of)]
Rules = Annotated[WebhookRules, Depends(webhook_rules_of)]
PokeDelivery = Annotated[Callable[[], None], Depends(poke_of)]
