"""/healthz and /readyz of the alerts service."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from common.http import problem, problems
from services.alerts.dependencies import AlertsService

router = APIRouter()


@router.get("/healthz")
async def healthz(alerts: AlertsService) -> dict:
    """The process is up; counters since it started."""
    return {"status": "ok", "articles_seen": alerts.consumer.articles_seen, "matched": alerts.consumer.matched,
            "delivered": alerts.delivery.delivered, "dead": alerts.delivery.dead,
            "stream_listeners": alerts.hub.listeners}


@router.get("/readyz", responses=problems(503))
async def readyz(request: Request, alerts: AlertsService) -> JSONResponse:
    """Ready when the store answers and the consumer reaches the broker.

    Not waiting for the group's partition assignment (seconds on some brokers) loses nothing: the
    consumer starts from its committed offsets, or from the earliest on a new group.
    """
    if request.app.state.crashed.is_set():
        return problem(503, "crashed", "a worker loop stopped; see the logs")
    if (alerts.consumer.connected.is_set() or not request.app.state.run_workers) and await alerts.store.ping():
        return JSONResponse({"status": "ready", "assigned": alerts.consumer.assigned.is_set()})
    return problem(503, "not_ready", "waiting for the broker or the store")
