"""Runs the alerts service: the HTTP API with the consumer and delivery loops in its lifespan."""
from __future__ import annotations

import asyncio

import uvicorn

from common.http import SERVER_OPTIONS, inherited_sockets
from common.logs import get_logger
from common.settings import Settings
from services.alerts.app import create_app

log = get_logger(__name__)


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.alerts_port, log_level="warning",
                                           access_log=False, **SERVER_OPTIONS))

    async def exit_if_a_loop_crashes() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.1)
        crashed = getattr(app.state, "crashed", None)
        if crashed is not None:
            await crashed.wait()
            server.should_exit = True  # the supervisor restarts the process; the outbox makes that safe

    watcher = asyncio.create_task(exit_if_a_loop_crashes())
    try:
        await server.serve(sockets=inherited_sockets(settings.listen_fd))
    finally:
        watcher.cancel()
    if app.state.crashed.is_set():
        raise SystemExit(1)
