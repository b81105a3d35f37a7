"""What happens after an attempt: delivered, retried later, or dead. Pure.

Timeouts, connection errors, 408, 429 and 5xx are worth another try, with exponential backoff and
jitter (at least what Retry-After asks for), until the attempts or the age run out. Any other
answer (3xx, 4xx) will not change by asking again: the delivery is dead at once and kept, to be
redelivered by hand once the receiver is fixed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None = None
    error: str | None = None  # set when no HTTP answer came back (timeout, connection, refused address)
    latency_ms: float = 0.0
    retry_after_s: float | None = None
    transient: bool = True  # for errors without an answer: would trying again help?

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    max_age_s: float
    base_s: float
    max_delay_s: float

    @classmethod
    def from_settings(cls, settings) -> RetryPolicy:
        return cls(settings.alerts_max_attempts, settings.alerts_max_age_s, settings.alerts_backoff_base_s,
                   settings.alerts_backoff_max_s)


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class RetryAt:
    at: float
    delay_s: float


@dataclass(frozen=True)
class Dead:
    reason: str


Next = Delivered | RetryAt | Dead


def retryable(result: AttemptResult) -> bool:
    if result.status_code is None:
        return result.transient
    return result.status_code in (408, 429) or 500 <= result.status_code <= 599


def backoff_s(attempts: int, policy: RetryPolicy, rand: float) -> float:
    """Exponential in the attempts made so far, with 'equal jitter': between half and all of it."""
    ceiling = min(policy.max_delay_s, policy.base_s * 2 ** max(0, min(attempts - 1, 30)))
    return ceiling * (0.5 + rand / 2)


def next_step(result: AttemptResult, *, attempts: int, round_started_at: float, now: float, policy: RetryPolicy,
              rand: float | None = None) -> Next:
    """`attempts` counts this one; `round_started_at` is when the delivery (or its redelivery) began."""
    if result.ok:
        return Delivered()
    if not retryable(result):
        return Dead(f"not retried: {describe(result)}")
    if attempts >= policy.max_attempts:
        return Dead(f"gave up after {attempts} attempts: {describe(result)}")
    delay = backoff_s(attempts, policy, random.random() if rand is None else rand)
    if result.retry_after_s is not None:
        delay = max(delay, result.retry_after_s)
    if now + delay - round_started_at > policy.max_age_s:
        return Dead(f"gave up after {policy.max_age_s:g} s: {describe(result)}")
    return RetryAt(at=now + delay, delay_s=delay)


def describe(result: AttemptResult) -> str:
    return f"HTTP {result.status_code}" if result.status_code is not None else (result.error or "no answer")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from now: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
