"""What the query routes are handed (FastAPI dependencies over app.state): the article store and the settings.
Tests may override them."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from common.settings import Settings
from common.stores.ports import ArticleStore


def store_of(request: Request) -> ArticleStore:
    return request.app.state.store


Store = Annotated[ArticleStore, Depends(store_of)]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(settings_of)]
