"""An in-memory AlertStore (the port in services.alerts.ports): dicts and lists, no SQLite.

For handler tests that override the alerts app's `store_of` dependency. It keeps the rules the real
store keeps (one match per subscription and story, a subscription only for its owner, a delivery's
attempts in order, only a dead delivery redelivered) and nothing of its durability.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from schemas.events import AlertedArticle
from services.alerts.ports import (
    AttemptRecord,
    ClaimedDelivery,
    DeliveryRecord,
    DeliveryStatus,
    DigestBatch,
    NewMatch,
    Subscription,
)
from services.alerts.retry import AttemptResult


def _time(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


@dataclass
class _Match:
    id: int
    subscription_id: str
    article: AlertedArticle
    matched_at: float
    delivery_id: str | None


@dataclass
class _Delivery:
    id: str
    subscription_id: str
    mode: str
    body: bytes
    created_at: float
    due_at: float | None
    round_started_at: float
    status: DeliveryStatus = "pending"
    attempts_in_round: int = 0
    in_flight: bool = False
    delivered_at: float | None = None
    last_status_code: int | None = None
    dead_reason: str | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)


class FakeAlertStore:
    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.secrets: dict[str, str] = {}
        self.matches: list[_Match] = []
        self.deliveries_by_id: dict[str, _Delivery] = {}
        self._ids = itertools.count(1)
        self.closed = False

    # -- subscriptions ---------------------------------------------------------------------------
    async def create_subscription(self, subscription: Subscription, secret: str, *, limit: int | None = None) -> bool:
        if limit is not None and len(await self.list_subscriptions(subscription.owner)) >= limit:
            return False
        self.subscriptions[subscription.id] = subscription
        self.secrets[subscription.id] = secret
        return True

    async def get_subscription(self, subscription_id: str, owner: str) -> Subscription | None:
        sub = self.subscriptions.get(subscription_id)
        return sub if sub is not None and sub.owner == owner else None

    async def list_subscriptions(self, owner: str) -> list[Subscription]:
        return sorted((s for s in self.subscriptions.values() if s.owner == owner), key=lambda s: s.created_at)

    async def update_subscription(self, subscription: Subscription) -> bool:
        if await self.get_subscription(subscription.id, subscription.owner) is None:
            return False
        self.subscriptions[subscription.id] = subscription
        return True

    async def delete_subscription(self, subscription_id: str, owner: str) -> bool:
        if await self.get_subscription(subscription_id, owner) is None:
            return False
        del self.subscriptions[subscription_id], self.secrets[subscription_id]
        self.matches = [m for m in self.matches if m.subscription_id != subscription_id]
        self.deliveries_by_id = {k: d for k, d in self.deliveries_by_id.items() if d.subscription_id != subscription_id}
        return True

    async def all_subscriptions(self) -> list[Subscription]:
        return list(self.subscriptions.values())

    # -- the outbox ------------------------------------------------------------------------------
    async def record_matches(self, matches: Sequence[NewMatch], now: float) -> list[bool]:
        return [self._record(m, now) for m in matches]

    def _record(self, m: NewMatch, now: float) -> bool:
        sub = self.subscriptions.get(m.subscription_id)
        known = any(x.subscription_id == m.subscription_id and x.article.story_id == m.article.story_id
                    for x in self.matches)
        if sub is None or known:
            return False
        instant = sub.mode == "instant"
        self.matches.append(_Match(next(self._ids), m.subscription_id, m.article, now,
                                   m.delivery_id if instant else None))
        if instant and m.delivery_id not in self.deliveries_by_id:
            self.deliveries_by_id[m.delivery_id] = _Delivery(m.delivery_id, m.subscription_id, "instant", m.body,
                                                             created_at=now, due_at=now, round_started_at=now)
        return True

    async def due_digests(self, now: float) -> list[DigestBatch]:
        batches = []
        for sub in self.subscriptions.values():
            waiting = sorted((m for m in self.matches if m.subscription_id == sub.id and m.delivery_id is None),
                             key=lambda m: (m.matched_at, m.id))
            if waiting and (sub.mode == "instant" or waiting[0].matched_at <= now - (sub.digest_interval or 0)):
                batches.append(DigestBatch(subscription=sub, match_ids=[m.id for m in waiting],
                                           articles=[m.article for m in waiting]))
        return batches

    async def create_digest(self, batch: DigestBatch, delivery_id: str, body: bytes, now: float) -> bool:
        waiting = [m for m in self.matches if m.id in batch.match_ids and m.delivery_id is None]
        if len(waiting) != len(batch.match_ids):
            return False
        self.deliveries_by_id[delivery_id] = _Delivery(delivery_id, batch.subscription.id, "digest", body,
                                                       created_at=now, due_at=now, round_started_at=now)
        for m in waiting:
            m.delivery_id = delivery_id
        return True

    # -- sending ---------------------------------------------------------------------------------
    async def recover(self, now: float) -> int:
        stuck = [d for d in self.deliveries_by_id.values() if d.in_flight]
        for d in stuck:
            d.attempts = [a.model_copy(update={"outcome": "interrupted", "error": "the service stopped before the "
                                               "answer came"}) if a.outcome == "in_flight" else a for a in d.attempts]
            d.in_flight, d.due_at = False, min(d.due_at if d.due_at is not None else now, now)
        return len(stuck)

    async def claim_due(self, now: float, limit: int, busy: dict[str, int], per_subscription: int) -> list[ClaimedDelivery]:
        busy = dict(busy)
        claimed = []
        due = sorted((d for d in self.deliveries_by_id.values()
                      if d.status == "pending" and not d.in_flight and d.due_at is not None and d.due_at <= now),
                     key=lambda d: d.due_at)
        for d in due:
            if len(claimed) == limit:
                break
            if busy.get(d.subscription_id, 0) >= per_subscription:
                continue
            busy[d.subscription_id] = busy.get(d.subscription_id, 0) + 1
            d.attempts.append(AttemptRecord(number=len(d.attempts) + 1, started_at=_time(now), outcome="in_flight"))
            d.in_flight, d.attempts_in_round = True, d.attempts_in_round + 1
            sub = self.subscriptions[d.subscription_id]
            claimed.append(ClaimedDelivery(id=d.id, subscription_id=d.subscription_id, webhook_url=sub.webhook_url,
                                           secret=self.secrets[sub.id], body=d.body, attempt_id=len(d.attempts),
                                           attempts=d.attempts_in_round, round_started_at=d.round_started_at))
        return claimed

    async def finish_attempt(self, claimed: ClaimedDelivery, result: AttemptResult, now: float, *,
                             status: DeliveryStatus, due_at: float | None, dead_reason: str | None) -> None:
        d = self.deliveries_by_id[claimed.id]
        index = claimed.attempt_id - 1
        d.attempts[index] = d.attempts[index].model_copy(update={
            "outcome": "delivered" if status == "delivered" else "failed", "status_code": result.status_code,
            "latency_ms": round(result.latency_ms, 1), "error": result.error,
            "next_retry_at": _time(due_at) if status == "pending" else None})
        d.in_flight, d.status, d.due_at = False, status, due_at
        d.last_status_code, d.dead_reason = result.status_code, dead_reason
        d.delivered_at = now if status == "delivered" else None

    async def next_due(self) -> float | None:
        return min((d.due_at for d in self.deliveries_by_id.values()
                    if d.status == "pending" and not d.in_flight and d.due_at is not None), default=None)

    async def deliveries(self, subscription_id: str, status: DeliveryStatus | None, limit: int) -> list[DeliveryRecord]:
        found = [d for d in self.deliveries_by_id.values()
                 if d.subscription_id == subscription_id and (status is None or d.status == status)]
        found.sort(key=lambda d: (-d.created_at, d.id))
        return [DeliveryRecord(
            id=d.id, subscription_id=d.subscription_id, mode=d.mode, status=d.status,
            article_ids=[m.article.article_id for m in sorted(self.matches, key=lambda m: (m.matched_at, m.id))
                         if m.delivery_id == d.id],
            created_at=_time(d.created_at), attempts=list(d.attempts),
            next_retry_at=_time(d.due_at) if d.status == "pending" else None, delivered_at=_time(d.delivered_at),
            last_status_code=d.last_status_code, dead_reason=d.dead_reason) for d in found[:limit]]

    async def redeliver(self, delivery_id: str, owner: str, now: float) -> Literal["ok", "not_found", "not_dead"]:
        d = self.deliveries_by_id.get(delivery_id)
        if d is None or self.subscriptions[d.subscription_id].owner != owner:
            return "not_found"
        if d.status != "dead":
            return "not_dead"
        d.status, d.attempts_in_round, d.round_started_at, d.due_at, d.dead_reason = "pending", 0, now, now, None
        return "ok"

    async def ping(self) -> bool:
        return not self.closed

    async def close(self) -> None:
        self.closed = True
