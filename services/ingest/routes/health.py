"""/healthz and /readyz of the ingest service."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from common.http import problem, problems
from services.ingest.dependencies import PublisherDep, SettingsDep
from services.ingest.routes.articles import RETRY_AFTER_S

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=problems(503))
async def readyz(settings: SettingsDep, publisher: PublisherDep) -> JSONResponse:
    """Ready when the broker is reachable."""
    if await publisher.ping():
        return JSONResponse({"status": "ready"})
    return problem(503, "broker_unavailable", f"cannot reach the broker at {settings.kafka_bootstrap}",
                   headers={"Retry-After": RETRY_AFTER_S})
