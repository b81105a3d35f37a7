"""The feeds service: follows the feeds of PROVNEWS_FEEDS_FILE in the background, and says how each is doing."""
from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provnews.feeds.bootstrap import bootstrap, close
from provnews.feeds.feedlist import load_feeds
from provnews.feeds.follower import Follower
from provnews.http import install_error_handlers, problem
from provnews.logs import get_logger
from provnews.settings import Settings, get_settings

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

    @app.get("/v1/feeds")
    async def feeds(request: Request) -> dict:
        """Each feed: when it was polled, with what outcome, when it is due, and its items by status."""
        follower: Follower = request.app.state.follower
        out = []
        for feed in follower.feeds.feed:
            state = await follower.state.feed(feed.key)
            out.append({"url": feed.key, "name": feed.name, "interval_s": follower.feeds.interval_s(feed),
                        "last_status": state.last_status, "last_error": state.last_error, "failures": state.failures,
                        "polled_at": state.polled_at, "next_poll_at": state.next_poll_at,
                        "items": await follower.state.counts(feed.key)})
        return {"feeds": out}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Ready while the polling loop runs."""
        loop: asyncio.Task = request.app.state.loop
        if loop.done():
            reason = repr(loop.exception()) if not loop.cancelled() and loop.exception() else "stopped"
            return problem(503, "feeds_loop_stopped", f"the polling loop is not running: {reason}")
        return JSONResponse({"status": "ready"})

    return app
