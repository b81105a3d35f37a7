"""Which subscriptions the service keeps, and in what form: checked without HTTP, a store or real DNS."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.mention_filters import Filter
from common.public_urls import Allowlist
from services.alerts.ports import Subscription
from services.alerts.validation import (
    MAX_DIGEST_INTERVAL_S,
    DigestLimits,
    SubscriptionRefused,
    changes,
    checked_interval,
    validated,
)

LIMITS = DigestLimits(default_s=3600, min_s=300)
NONE = Allowlist.parse([])
NOW = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)


class Resolver:
    """DNS for the tests: every name resolves to the given addresses; the names asked for are kept."""

    def __init__(self, *addresses: str):
        self.addresses, self.asked = list(addresses), []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.addresses


def subscription(webhook_url: str = "https://hooks.example.com/in", mode="instant", digest_interval=None,
                 **filter_) -> Subscription:
    return Subscription(id="sub_1", owner="alice", name="test", webhook_url=webhook_url,
                        filter=Filter(**(filter_ or {"topics": ["sap_xep_bo_may"]})), mode=mode,
                        digest_interval=digest_interval, created_at=NOW, updated_at=NOW)


async def refusal(sub: Subscription, resolver=None, allowlist: Allowlist = NONE, **kwargs) -> SubscriptionRefused:
    with pytest.raises(SubscriptionRefused) as caught:
        await validated(sub, LIMITS, allowlist, resolver or Resolver("93.184.216.34"), **kwargs)
    return caught.value


async def test_a_kept_subscription_has_canonical_provinces_and_its_digest_interval():
    kept = await validated(subscription(mode="digest", provinces=["Đăk Lắk", "phu yen", "Đắk Lắk"]), LIMITS, NONE,
                           Resolver("93.184.216.34"))
    assert kept.filter.provinces == ["Đắk Lắk", "Phú Yên"]
    assert kept.digest_interval == LIMITS.default_s


@pytest.mark.parametrize("mode,given,kept", [("instant", None, None), ("digest", None, 3600), ("digest", 300, 300),
                                              ("digest", MAX_DIGEST_INTERVAL_S, MAX_DIGEST_INTERVAL_S)])
def test_digest_intervals_that_are_kept(mode, given, kept):
    assert checked_interval(mode, given, LIMITS) == kept


@pytest.mark.parametrize("mode,given,detail", [
    ("instant", 600, "only for mode 'digest'"),
    ("digest", 299, "between 300 and 604800 seconds"),
    ("digest", MAX_DIGEST_INTERVAL_S + 1, "between 300 and 604800 seconds"),
])
def test_digest_intervals_that_are_refused(mode, given, detail):
    with pytest.raises(SubscriptionRefused) as caught:
        checked_interval(mode, given, LIMITS)
    assert caught.value.error == "invalid_digest_interval" and detail in caught.value.detail


@pytest.mark.parametrize("filter_,error", [
    ({"persons": []}, "empty_filter"),
    ({"topics": ["not_a_topic"]}, "unknown_topic"),
    ({"provinces": ["Atlantis"]}, "unknown_province"),
])
async def test_filters_that_cannot_match_are_refused(filter_, error):
    assert (await refusal(subscription(**filter_))).error == error


async def test_an_unknown_topic_lists_the_known_ones():
    refused = await refusal(subscription(topics=["nope"]))
    assert "sap_xep_bo_may" in refused.extra["known"]


async def test_a_webhook_on_a_private_address_is_refused_unless_allowlisted():
    private = Resolver("10.0.0.5")
    refused = await refusal(subscription(), resolver=private)
    assert refused.error == "webhook_url_refused" and "10.0.0.5" in refused.detail
    kept = await validated(subscription(), LIMITS, Allowlist.parse(["hooks.example.com"]), private)
    assert kept.webhook_url == "https://hooks.example.com/in"


async def test_plain_http_is_refused_before_any_lookup():
    resolver = Resolver("93.184.216.34")
    assert (await refusal(subscription("http://hooks.example.com/in"), resolver)).error == "webhook_url_refused"
    assert resolver.asked == []


async def test_an_unchanged_url_is_not_looked_up_again():
    resolver = Resolver("10.0.0.5")  # refused if it were looked up
    kept = await validated(subscription(), LIMITS, NONE, resolver, check_url=False)
    assert kept.webhook_url == "https://hooks.example.com/in" and resolver.asked == []


def test_a_change_to_instant_alerts_drops_the_digest_interval():
    assert changes({"mode": "instant"}) == {"mode": "instant", "digest_interval": None}
    assert changes({"mode": "instant", "digest_interval": 600}) == {"mode": "instant", "digest_interval": 600}
    assert changes({"mode": "digest"}) == {"mode": "digest"}
    assert changes({"digest_interval": None}) == {"digest_interval": None}


@pytest.mark.parametrize("field", ["name", "webhook_url", "filter", "mode"])
def test_only_the_digest_interval_may_be_null(field):
    with pytest.raises(SubscriptionRefused) as caught:
        changes({field: None})
    assert caught.value.error == "invalid_request"
