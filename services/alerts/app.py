"""The alerts HTTP service: subscriptions, their deliveries, and a live stream of reform mentions.

The consumer and delivery loops run in the app's lifespan, so one process (or one test server) is
the whole service. The routes (routes/) only check input, call the store and the pure core, and
answer; what they are handed comes from dependencies.py, which tests may override.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from common.http import (
    FailedAuthLimiter,
    add_schemas,
    document_problems,
    install_docs,
    install_error_handlers,
)
from common.logs import get_logger
from common.mention_stream import FedHub
from common.mention_stream import router as mention_stream_router
from common.public_urls import Resolver
from common.settings import Settings, get_settings
from services.alerts.bootstrap import bootstrap
from services.alerts.ports import AlertStore, WebhookSender
from services.alerts.routes import deliveries, health, subscriptions
from services.alerts.routes.subscriptions import SubscriptionChange, SubscriptionRequest

log = get_logger(__name__)
# A consumer stopped in the middle of a rebalance can wait on the broker far longer; its offsets are committed.
STOP_TIMEOUT_S = 3.0


def create_app(settings: Settings | None = None, *, store: AlertStore | None = None,
               sender: WebhookSender | None = None, resolver: Resolver | None = None,
               run_workers: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        alerts = bootstrap(settings, store=store, sender=sender, resolver=resolver)
        app.state.alerts = alerts
        app.state.crashed = asyncio.Event()
        app.state.mention_source = FedHub(alerts.hub, alerts.consumer.connected.is_set)
        tasks = _start_workers(app, alerts) if run_workers else []
        try:
            yield
        finally:
            await _stop(alerts, tasks)

    app = FastAPI(title="provnews alerts", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Webhook subscriptions to new reform mentions: once each, signed, retried, never dropped.")
    app.state.settings = settings
    app.state.run_workers = run_workers
    app.state.auth_failures = FailedAuthLimiter(settings.auth_max_failures, settings.auth_failure_window_s)
    install_error_handlers(app)
    install_docs(app)
    add_schemas(app, SubscriptionRequest, SubscriptionChange)
    app.include_router(subscriptions.router)
    app.include_router(deliveries.router)
    app.include_router(mention_stream_router)
    app.include_router(health.router)
    document_problems(app)
    return app


def _start_workers(app: FastAPI, alerts) -> list[asyncio.Task]:
    tasks = []
    for name, run in (("consumer", alerts.consumer.run), ("delivery", alerts.delivery.run)):
        task = asyncio.create_task(run(), name=f"alerts-{name}")
        task.add_done_callback(lambda t, n=name: _ended(app, n, t))
        tasks.append(task)
    return tasks


async def _stop(alerts, tasks: list[asyncio.Task]) -> None:
    alerts.consumer.stop()
    alerts.delivery.stop()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await alerts.sender.close()
    await alerts.store.close()
    log.info("alerts.stopped", delivered=alerts.delivery.delivered, dead=alerts.delivery.dead)


def _ended(app: FastAPI, name: str, task: asyncio.Task) -> None:
    if task.cancelled():
        return
    if (exc := task.exception()) is not None:
        log.error("alerts.worker_crashed", worker=name, error=type(exc).__name__, reason=str(exc)[:500])
        app.state.crashed.set()
