"""What the query routes are handed (FastAPI dependencies over app.state): the article store. Tests may
override it."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from provnews.stores.ports import ArticleStore


def store_of(request: Request) -> ArticleStore:
    return request.app.state.store


Store = Annotated[ArticleStore, Depends(store_of)]
