"""What the ingest routes are handed (FastAPI dependencies over app.state): the settings, the publisher,
and the writer whose API key came with the request. Tests may override any of them."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from common.http import bearer_owner
from common.settings import Settings
from services.ingest.publisher import Publisher


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def publisher_of(request: Request) -> Publisher:
    return request.app.state.publisher


def writer_of(request: Request, settings: Annotated[Settings, Depends(settings_of)]) -> str | None:
    """The writer whose API key came with the request, when ingest asks for keys (else None)."""
    if not (settings.ingest_require_keys or settings.ingest_api_keys):
        return None
    return bearer_owner(request, settings.ingest_api_keys, request.app.state.auth_failures, "PROVNEWS_INGEST_API_KEYS")


SettingsDep = Annotated[Settings, Depends(settings_of)]
PublisherDep = Annotated[Publisher, Depends(publisher_of)]
Writer = Annotated[str | None, Depends(writer_of)]
