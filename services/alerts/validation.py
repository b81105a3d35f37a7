"""Is a subscription one the service can keep? Its filter, digest interval and webhook URL, checked. Pure.

Nothing here knows HTTP or the store: a refusal is a `SubscriptionRefused` with the error code and
reason the API answers with (422), and the one outside call, resolving the webhook's host, is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.mention_filters import FilterError, checked
from common.public_urls import Allowlist, Resolver, WebhookRefused, checked_target
from services.alerts.ports import Subscription

MAX_DIGEST_INTERVAL_S = 7 * 24 * 3600
NOT_NULL = ("name", "webhook_url", "filter", "mode")


class SubscriptionRefused(ValueError):
    """What is wrong with a subscription: an error code, a reason for people, and any details."""

    def __init__(self, error: str, detail: str, **extra):
        super().__init__(detail)
        self.error, self.detail, self.extra = error, detail, extra


@dataclass(frozen=True)
class DigestLimits:
    """The digest interval a subscription gets when it names none, and the range it may name."""

    default_s: int
    min_s: int
    max_s: int = MAX_DIGEST_INTERVAL_S


def checked_interval(mode: str, interval: int | None, limits: DigestLimits) -> int | None:
    """The digest interval to keep: none for instant alerts, the default when a digest names none."""
    if mode == "instant":
        if interval is not None:
            raise SubscriptionRefused("invalid_digest_interval", "digest_interval is only for mode 'digest'")
        return None
    interval = limits.default_s if interval is None else interval
    if not limits.min_s <= interval <= limits.max_s:
        raise SubscriptionRefused("invalid_digest_interval",
                                  f"digest_interval must be between {limits.min_s} and {limits.max_s} seconds")
    return interval


async def check_webhook(url: str, allowlist: Allowlist, resolver: Resolver) -> None:
    """The URL may be called: https to public addresses only, unless the allowlist names the host."""
    try:
        await checked_target(url, allowlist, resolver)
    except WebhookRefused as exc:
        raise SubscriptionRefused(exc.error, exc.detail) from exc


async def validated(sub: Subscription, limits: DigestLimits, allowlist: Allowlist, resolver: Resolver, *,
                    check_url: bool = True) -> Subscription:
    """The subscription as kept (canonical filter, the digest interval it gets), or SubscriptionRefused."""
    try:
        filter_ = checked(sub.filter)
    except FilterError as exc:
        raise SubscriptionRefused(exc.error, exc.detail, **exc.extra) from exc
    interval = checked_interval(sub.mode, sub.digest_interval, limits)
    if check_url:  # it is checked again before every attempt anyway
        await check_webhook(sub.webhook_url, allowlist, resolver)
    return sub.model_copy(update={"filter": filter_, "digest_interval": interval})


def changes(given: dict[str, Any]) -> dict[str, Any]:
    """The fields a change sets: switching to instant alerts drops the digest interval; only it may be null."""
    changed = dict(given)
    if changed.get("mode") == "instant" and "digest_interval" not in changed:
        changed["digest_interval"] = None
    if any(k in changed and changed[k] is None for k in NOT_NULL):
        raise SubscriptionRefused("invalid_request", "name, webhook_url, filter and mode cannot be null")
    return changed
