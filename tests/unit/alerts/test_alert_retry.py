"""After an attempt: delivered, retried with backoff, or dead."""
from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from services.alerts.retry import (
    AttemptResult,
    Dead,
    Delivered,
    RetryAt,
    RetryPolicy,
    backoff_s,
    next_step,
    parse_retry_after,
)

POLICY = RetryPolicy(max_attempts=5, max_age_s=3600, base_s=2.0, max_delay_s=60.0)


def step(result: AttemptResult, attempts: int = 1, now: float = 1000.0, started: float = 1000.0, rand: float = 1.0):
    return next_step(result, attempts=attempts, round_started_at=started, now=now, policy=POLICY, rand=rand)


@pytest.mark.parametrize("code", [200, 201, 202, 204])
def test_2xx_is_delivered(code):
    assert step(AttemptResult(status_code=code)) == Delivered()


@pytest.mark.parametrize("result", [
    AttemptResult(status_code=500), AttemptResult(status_code=503), AttemptResult(status_code=408),
    AttemptResult(status_code=429), AttemptResult(error="timeout after 10 s"), AttemptResult(error="ConnectError"),
])
def test_transient_failures_are_retried(result):
    assert isinstance(step(result), RetryAt)


@pytest.mark.parametrize("code", [301, 400, 401, 403, 404, 410, 422])
def test_other_answers_are_not_retried(code):
    outcome = step(AttemptResult(status_code=code))
    assert isinstance(outcome, Dead) and outcome.reason == f"not retried: HTTP {code}"


def test_a_refused_address_is_not_retried():
    assert isinstance(step(AttemptResult(error="webhook_url_refused: …", transient=False)), Dead)


def test_backoff_grows_exponentially_with_jitter_up_to_a_ceiling():
    assert [backoff_s(n, POLICY, 1.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_s(3, POLICY, 0.0) == 4.0  # jitter keeps at least half
    assert backoff_s(20, POLICY, 1.0) == 60.0
    retry = step(AttemptResult(status_code=500), attempts=2, now=1010.0)
    assert retry == RetryAt(at=1014.0, delay_s=4.0)


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    retry = step(AttemptResult(status_code=429, retry_after_s=30.0), attempts=1)
    assert retry == RetryAt(at=1030.0, delay_s=30.0)
    short = step(AttemptResult(status_code=503, retry_after_s=0.5), attempts=1)
    assert short.delay_s == 2.0


def test_attempts_and_age_run_out():
    assert isinstance(step(AttemptResult(status_code=500), attempts=4), RetryAt)
    dead = step(AttemptResult(status_code=500), attempts=5)
    assert isinstance(dead, Dead) and dead.reason == "gave up after 5 attempts: HTTP 500"
    old = step(AttemptResult(error="timeout"), attempts=2, started=1000.0, now=4599.0)
    assert isinstance(old, Dead) and "3600 s" in old.reason


def test_retry_after_as_seconds_or_date():
    assert parse_retry_after("120", now=0) == 120.0
    now = datetime(2025, 7, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2025, 7, 1, 12, 1, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == 90.0
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None
