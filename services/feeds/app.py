"""The feeds service: follows the feeds of PROVNEWS_FEEDS_FILE in the background, and says how each is doing.

The routes live in routes/ and are handed the follower and its loop through dependencies.py.
"""
from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI

from common.http import install_error_handlers
from common.logs import get_logger
from common.settings import Settings, get_settings
from services.feeds.bootstrap import bootstrap, close
from services.feeds.feedlist import load_feeds
from services.feeds.follower import Follower
from services.feeds.routes import feeds, health

log = get_logger(__name__)


def _exit_if_failed(loop: asyncio.Task) -> None:
    """A polling loop that died stops the process with a non-zero code, so the supervisor restarts it."""
    if not loop.cancelled() and (exc := loop.exception()) is not None:
        log.error("feeds.loop_failed", error=type(exc).__name__, reason=str(exc)[:300])
        os._exit(1)


def create_app(settings: Settings | None = None, *, follower: Follower | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.follower = follower or bootstrap(settings, load_feeds(settings.feeds_file))
        stop = asyncio.Event()
        app.state.loop = asyncio.create_task(app.state.follower.run(stop), name="feeds")
        app.state.loop.add_done_callback(_exit_if_failed)
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(app.state.loop, return_exceptions=True)
            await close(app.state.follower)

    app = FastAPI(title="provnews feeds", version="1", lifespan=lifespan,
                  description="Polls RSS/Atom feeds and ingests each new item's page.")
    install_error_handlers(app)
    app.include_router(feeds.router)
    app.include_router(health.router)
    return app
