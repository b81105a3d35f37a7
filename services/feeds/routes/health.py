"""/healthz and /readyz of the feeds service."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from common.http import problem
from services.feeds.dependencies import PollingLoop

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(loop: PollingLoop) -> JSONResponse:
    """Ready while the polling loop runs."""
    if loop.done():
        reason = repr(loop.exception()) if not loop.cancelled() and loop.exception() else "stopped"
        return problem(503, "feeds_loop_stopped", f"the polling loop is not running: {reason}")
    return JSONResponse({"status": "ready"})
