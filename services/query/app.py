"""The query API: GET /v1/search, /v1/articles/{id}, /v1/stats. Same answers on every storage adapter.

It also serves the explorer, the web page at / (explorer.py, live.py).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provnews.http import ApiError, document_problems, install_docs, install_error_handlers, problem, problems
from provnews.stores.factory import make_store
from provnews.stores.ports import ArticleStore, QueryTimedOut, SearchResult, Stats, StoredArticle, StoreUnavailable
from provnews.query.explorer import explorer_running, install_explorer
from provnews.query.exports import router as exports_router
from provnews.query.filters import Filters
from provnews.query.scoreboard import router as scoreboard_router
from provnews.settings import Settings, get_settings


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

    @app.exception_handler(QueryTimedOut)
    async def _timed_out(_: Request, exc: QueryTimedOut) -> JSONResponse:
        return problem(503, "query_timeout", f"{exc}; narrow it (more words or filters) or try again later",
                       headers={"Retry-After": "5"})

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem(503, "store_unavailable", f"the store does not answer: {exc}", headers={"Retry-After": "5"})

    @app.get("/v1/search", response_model=SearchResult, responses=problems(422, 503))
    async def search(request: Request, query: Filters) -> SearchResult:
        """Full-text search with filters; hits with highlights, and facet counts."""
        return await request.app.state.store.search(query)

    @app.get("/v1/articles/{article_id}", responses=problems(404, 503))
    async def article(article_id: str, request: Request) -> StoredArticle:
        """Everything extracted from one article, with near-duplicates from other outlets."""
        found = await request.app.state.store.get(article_id)
        if found is None:
            raise ApiError(404, "not_found", f"no article with id {article_id!r}")
        return found

    @app.get("/v1/stats", response_model=Stats, responses=problems(503))
    async def stats(request: Request) -> Stats:
        """Counts by province, topic and month."""
        return await request.app.state.store.stats()

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", responses=problems(503))
    async def readyz(request: Request) -> JSONResponse:
        if await request.app.state.store.ping():
            return JSONResponse({"status": "ready"})
        return problem(503, "store_unavailable", "the store does not answer")

    install_explorer(app)  # the web page at /, its assets, /v1/timeline, /v1/metrics, the live feed
    app.include_router(exports_router)  # /v1/search/export, /v1/metrics/export
    app.include_router(scoreboard_router)  # /v1/scoreboard, /v1/scoreboard/export
    document_problems(app)
    return app
