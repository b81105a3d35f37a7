"""The ingest HTTP service: POST an article (JSON) or a batch (NDJSON); 202 once the broker has it.

The routes live in routes/ and are handed the settings, the publisher and the writer's key through
dependencies.py.
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from common.http import FailedAuthLimiter, document_problems, install_docs, install_error_handlers
from common.settings import Settings, get_settings
from services.ingest.articles import ArticleSubmission
from services.ingest.publisher import KafkaPublisher, Publisher
from services.ingest.routes import articles, health


def create_app(settings: Settings | None = None, *, publisher: Publisher | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.publisher = publisher or KafkaPublisher(settings)
        try:
            await app.state.publisher.ping()  # connect early when the broker is there; fine when it is not
            yield
        finally:
            await app.state.publisher.close()

    app = FastAPI(title="provnews ingest", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Takes Vietnamese provincial news articles in and publishes them to `articles.raw`.")
    app.state.settings = settings
    app.state.auth_failures = FailedAuthLimiter(settings.auth_max_failures, settings.auth_failure_window_s)
    install_error_handlers(app)
    install_docs(app)
    app.openapi_schema = None

    def openapi():
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["ArticleSubmission"] = (
                ArticleSubmission.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    app.include_router(articles.router)
    app.include_router(health.router)
    document_problems(app)
    return app
