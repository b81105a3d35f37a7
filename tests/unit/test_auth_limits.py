"""The wrong-key limiter: a window of failures per address, bounded memory. A fake clock, no waiting."""
from __future__ import annotations

from common.http import FailedAuthLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_past_the_limit_an_address_waits_until_its_oldest_failure_leaves_the_window():
    clock = FakeClock()
    limiter = FailedAuthLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(2):
        limiter.failed("10.0.0.1")
        clock.now += 10
    assert limiter.retry_after("10.0.0.1") is None
    limiter.failed("10.0.0.1")  # the third, at 1020
    assert limiter.retry_after("10.0.0.1") == 40  # the first (at 1000) leaves at 1060
    assert limiter.retry_after("10.0.0.2") is None  # other addresses are not held up
    clock.now = 1060.5
    assert limiter.retry_after("10.0.0.1") is None


def test_memory_is_bounded_by_forgetting_the_least_recent_addresses():
    limiter = FailedAuthLimiter(max_failures=1, window_s=60, max_clients=100, clock=FakeClock())
    for n in range(1000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._failures) == 100
    assert limiter.retry_after("10.0.3.231") == 60 and limiter.retry_after("10.0.0.0") is None
