"""Runs the indexer loop next to a small health endpoint."""
from __future__ import annotations

import asyncio
import signal

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from common.http import inherited_sockets, problem
from common.logs import get_logger
from common.settings import Settings
from services.indexer.bootstrap import bootstrap
from services.indexer.consumer import Indexer

log = get_logger(__name__)


def health_app(indexer: Indexer) -> FastAPI:
    app = FastAPI(title="provnews indexer", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "indexed": indexer.indexed}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        if indexer.ready.is_set() and await indexer.store.ping():
            return JSONResponse({"status": "ready", "indexed": indexer.indexed})
        return problem(503, "not_ready", "waiting for partitions or the store")

    return app


async def serve(settings: Settings) -> None:
    indexer = bootstrap(settings)
    store = indexer.store
    server = uvicorn.Server(uvicorn.Config(health_app(indexer), host=settings.host, port=settings.indexer_port,
                                           log_level="warning", access_log=False))
    server.install_signal_handlers = lambda: None  # handled below, for both tasks
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: (indexer.stop(), setattr(server, "should_exit", True)))
    serving = server.serve(sockets=inherited_sockets(settings.listen_fd))  # the socket `provnews up` handed down, if any
    tasks = [asyncio.create_task(indexer.run()), asyncio.create_task(serving)]
    try:
        # Whichever ends first (a stop signal, or a crash) ends the other, so the supervisor sees the exit.
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        indexer.stop()
        server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()
    finally:
        await store.close()
        log.info("indexer.stopped", indexed=indexer.indexed)
