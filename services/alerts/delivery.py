"""The delivery loop: send due deliveries from the outbox, record each attempt, schedule retries.

Attempts run concurrently (up to `alerts_delivery_concurrency`, and at most
`alerts_per_subscription_concurrency` per subscription), each with its own deadline, so a slow or
dead receiver holds up only its own deliveries. An attempt is recorded as in flight before it
starts; after a crash it is marked interrupted and the delivery sent again (at least once: the
delivery id in the event lets receivers drop the repeat).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog

from common.logs import get_logger
from common.settings import Settings
from services.alerts.alerts import alert_event, digest_delivery_id
from services.alerts.ports import AlertStore, ClaimedDelivery, StoreUnavailable, WebhookSender
from services.alerts.retry import (
    AttemptResult,
    Dead,
    Delivered,
    RetryAt,
    RetryPolicy,
    describe,
    next_step,
    utc,
)
from services.alerts.signing import SIGNATURE_HEADER, signature_header

log = get_logger(__name__)
DELIVERY_HEADER = "X-Provnews-Delivery"
SUBSCRIPTION_HEADER = "X-Provnews-Subscription"
CONTENT_TYPE = "application/cloudevents+json"


class DeliveryLoop:
    def __init__(self, settings: Settings, store: AlertStore, sender: WebhookSender,
                 clock: Callable[[], float] = time.time):
        self.settings = settings
        self.store = store
        self.sender = sender
        self.clock = clock
        self.policy = RetryPolicy.from_settings(settings)
        self.delivered = 0
        self.dead = 0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._busy: dict[str, int] = {}
        self._tasks: set[asyncio.Task] = set()

    def poke(self) -> None:
        """Something may be due now (new matches, a redelivery, a finished attempt)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        recovered = await self._store_call(lambda: self.store.recover(self.clock()))
        if recovered:
            log.info("deliveries.recovered", count=recovered)
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    await self._seal_digests()
                    await self._start_due()
                    wait_s = await self._idle_time()
                except StoreUnavailable as exc:
                    log.warning("store.unavailable", reason=str(exc))
                    wait_s = self.settings.alerts_poll_interval_s
                try:
                    await asyncio.wait_for(self._wake.wait(), wait_s)
                except TimeoutError:
                    pass
        finally:
            # Unfinished attempts stay recorded as in flight: the next start marks them interrupted and resends.
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _idle_time(self) -> float:
        poll = self.settings.alerts_poll_interval_s
        next_due = await self.store.next_due()
        now = self.clock()
        if next_due is None or next_due <= now:  # nothing waiting, or waiting for a busy subscription's slot
            return poll
        return max(0.005, min(poll, next_due - now))

    async def _seal_digests(self) -> None:
        now = self.clock()
        for batch in await self.store.due_digests(now):
            sub = batch.subscription
            delivery_id = digest_delivery_id(sub.id, [a.story_id for a in batch.articles])
            body = alert_event(delivery_id, sub.id, sub.name, "digest", batch.articles, utc(now)).to_bytes()
            if await self.store.create_digest(batch, delivery_id, body, now):
                log.info("digest.sealed", subscription_id=sub.id, delivery_id=delivery_id, articles=len(batch.articles))

    async def _start_due(self) -> None:
        free = self.settings.alerts_delivery_concurrency - len(self._tasks)
        if free <= 0:
            return
        claimed = await self.store.claim_due(self.clock(), free, self._busy,
                                             self.settings.alerts_per_subscription_concurrency)
        for delivery in claimed:
            self._busy[delivery.subscription_id] = self._busy.get(delivery.subscription_id, 0) + 1
            task = asyncio.create_task(self._attempt(delivery))
            self._tasks.add(task)
            task.add_done_callback(lambda t, d=delivery: self._done(t, d))

    def _done(self, task: asyncio.Task, delivery: ClaimedDelivery) -> None:
        self._tasks.discard(task)
        left = self._busy.get(delivery.subscription_id, 1) - 1
        if left > 0:
            self._busy[delivery.subscription_id] = left
        else:
            self._busy.pop(delivery.subscription_id, None)
        self._wake.set()

    async def _attempt(self, delivery: ClaimedDelivery) -> None:
        structlog.contextvars.bind_contextvars(delivery_id=delivery.id, subscription_id=delivery.subscription_id)
        timestamp = int(self.clock())
        headers = {
            "Content-Type": CONTENT_TYPE,
            SIGNATURE_HEADER: signature_header(delivery.secret, timestamp, delivery.body),
            DELIVERY_HEADER: delivery.id,
            SUBSCRIPTION_HEADER: delivery.subscription_id,
        }
        try:
            result = await self.sender.send(delivery.webhook_url, delivery.body, headers)
        except Exception as exc:  # a sender bug is recorded on the attempt and retried like a failure
            log.exception("alert.send_failed")
            result = AttemptResult(error=f"{type(exc).__name__}: {exc}"[:500])
        now = self.clock()
        step = next_step(result, attempts=delivery.attempts, round_started_at=delivery.round_started_at, now=now,
                         policy=self.policy)
        fields = dict(attempt=delivery.attempts, status_code=result.status_code, latency_ms=round(result.latency_ms, 1))
        if isinstance(step, Delivered):
            await self._store_call(lambda: self.store.finish_attempt(delivery, result, now, status="delivered",
                                                                      due_at=None, dead_reason=None))
            self.delivered += 1
            log.info("alert.delivered", **fields)
        elif isinstance(step, RetryAt):
            await self._store_call(lambda: self.store.finish_attempt(delivery, result, now, status="pending",
                                                                      due_at=step.at, dead_reason=None))
            log.warning("alert.retry_scheduled", reason=describe(result), retry_in_s=round(step.delay_s, 3), **fields)
        else:
            assert isinstance(step, Dead)
            await self._store_call(lambda: self.store.finish_attempt(delivery, result, now, status="dead",
                                                                      due_at=None, dead_reason=step.reason))
            self.dead += 1
            log.warning("alert.dead", reason=step.reason, **fields)

    async def _store_call(self, call):
        delay = 0.2
        while True:
            try:
                return await call()
            except StoreUnavailable as exc:
                if self._stopping.is_set():
                    raise
                log.warning("store.unavailable", reason=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
