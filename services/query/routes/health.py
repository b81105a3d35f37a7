"""/healthz and /readyz of the query API."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from common.http import problem, problems
from services.query.dependencies import Store

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", responses=problems(503))
async def readyz(store: Store) -> JSONResponse:
    if await store.ping():
        return JSONResponse({"status": "ready"})
    return problem(503, "store_unavailable", "the store does not answer")
