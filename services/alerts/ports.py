"""The ports of the alerts service (where subscriptions and the outbox live, how webhooks are sent) and their values."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel

from common.mention_filters import Filter
from schemas.events import AlertedArticle
from services.alerts.retry import AttemptResult

Mode = Literal["instant", "digest"]
DeliveryStatus = Literal["pending", "delivered", "dead"]
AttemptOutcome = Literal["in_flight", "delivered", "failed", "interrupted"]


class StoreUnavailable(Exception):
    """The store cannot be written just now (locked, disk trouble): try again later."""


class Subscription(BaseModel):
    id: str
    owner: str
    name: str
    webhook_url: str
    filter: Filter
    mode: Mode
    digest_interval: int | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewMatch:
    """An article matched a subscription: kept once per (subscription, story); `body` is its instant alert."""

    subscription_id: str
    article: AlertedArticle
    delivery_id: str
    body: bytes


@dataclass(frozen=True)
class DigestBatch:
    subscription: Subscription
    match_ids: list[int]
    articles: list[AlertedArticle]


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery taken for one attempt; nobody else takes it until the attempt is finished or the process restarts."""

    id: str
    subscription_id: str
    webhook_url: str
    secret: str
    body: bytes
    attempt_id: int
    attempts: int  # in this round, counting this one
    round_started_at: float


class AttemptRecord(BaseModel):
    number: int
    started_at: datetime
    outcome: AttemptOutcome
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    next_retry_at: datetime | None = None


class DeliveryRecord(BaseModel):
    id: str
    subscription_id: str
    mode: Mode
    status: DeliveryStatus
    article_ids: list[str]
    created_at: datetime
    attempts: list[AttemptRecord]
    next_retry_at: datetime | None = None
    delivered_at: datetime | None = None
    last_status_code: int | None = None
    dead_reason: str | None = None


class AlertStore(Protocol):
    async def create_subscription(self, subscription: Subscription, secret: str, *, limit: int | None = None) -> bool:
        """Stored, unless its owner already has `limit` subscriptions (then False)."""
    async def get_subscription(self, subscription_id: str, owner: str) -> Subscription | None: ...
    async def list_subscriptions(self, owner: str) -> list[Subscription]: ...
    async def update_subscription(self, subscription: Subscription) -> bool: ...
    async def delete_subscription(self, subscription_id: str, owner: str) -> bool: ...
    async def all_subscriptions(self) -> list[Subscription]: ...

    async def record_matches(self, matches: Sequence[NewMatch], now: float) -> list[bool]:
        """Keep new matches, with a delivery for instant subscriptions; per match, False if its story was known."""
    async def due_digests(self, now: float) -> list[DigestBatch]: ...
    async def create_digest(self, batch: DigestBatch, delivery_id: str, body: bytes, now: float) -> bool: ...

    async def recover(self, now: float) -> int:
        """After a restart: attempts left in flight are marked interrupted and their deliveries due again."""
    async def claim_due(self, now: float, limit: int, busy: dict[str, int], per_subscription: int) -> list[ClaimedDelivery]: ...
    async def finish_attempt(self, claimed: ClaimedDelivery, result: AttemptResult, now: float, *,
                             status: DeliveryStatus, due_at: float | None, dead_reason: str | None) -> None: ...
    async def next_due(self) -> float | None: ...
    async def deliveries(self, subscription_id: str, status: DeliveryStatus | None, limit: int) -> list[DeliveryRecord]: ...
    async def redeliver(self, delivery_id: str, owner: str, now: float) -> Literal["ok", "not_found", "not_dead"]: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class WebhookSender(Protocol):
    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult: ...
    async def close(self) -> None: ...
