"""The query API: GET /v1/search, /v1/articles/{id}, /v1/stats. Same answers on every storage adapter.

The routes live in routes/ (and exports.py, scoreboard.py, explorer.py beside their logic); they are
handed the store through dependencies.py. It also serves the explorer, the web page at / (explorer.py,
live.py).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from common.http import document_problems, install_docs, install_error_handlers, problem
from common.settings import Settings, get_settings
from common.stores.factory import make_store
from common.stores.ports import ArticleStore, QueryTimedOut, StoreUnavailable
from services.query.explorer import explorer_running, install_explorer
from services.query.exports import router as exports_router
from services.query.routes import articles, health
from services.query.scoreboard import router as scoreboard_router


def create_app(settings: Settings | None = None, *, store: ArticleStore | None = None,
               live: bool = True) -> FastAPI:
    """`live=False` leaves the live feed's consumer off (for tests without a broker)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.store = store or make_store(settings)
        app.state.settings = settings
        try:
            async with explorer_running(app, settings, live=live):
                yield
        finally:
            await app.state.store.close()

    app = FastAPI(title="provnews query", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Search articles, their extracted entities and reform metrics.")
    install_error_handlers(app)
    install_docs(app)
    app.add_exception_handler(QueryTimedOut, _timed_out)
    app.add_exception_handler(StoreUnavailable, _unavailable)
    app.include_router(articles.router)  # /v1/search, /v1/articles/{id}, /v1/stats
    app.include_router(health.router)
    install_explorer(app)  # the web page at /, its assets, /v1/timeline, /v1/metrics, the live feed
    app.include_router(exports_router)  # /v1/search/export, /v1/metrics/export
    app.include_router(scoreboard_router)  # /v1/scoreboard, /v1/scoreboard/export
    document_problems(app)
    return app


async def _timed_out(_: Request, exc: QueryTimedOut) -> JSONResponse:
    return problem(503, "query_timeout", f"{exc}; narrow it (more words or filters) or try again later",
                   headers={"Retry-After": "5"})


async def _unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
    return problem(503, "store_unavailable", f"the store does not answer: {exc}", headers={"Retry-After": "5"})
