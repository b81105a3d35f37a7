"""The articles: searched with filters, one by id, and counted."""
from __future__ import annotations

from fastapi import APIRouter

from common.http import ApiError, problems
from common.stores.ports import SearchResult, Stats, StoredArticle
from services.query.dependencies import Store
from services.query.filters import Filters

router = APIRouter()


@router.get("/v1/search", response_model=SearchResult, responses=problems(422, 503))
async def search(store: Store, query: Filters) -> SearchResult:
    """Full-text search with filters; hits with highlights, and facet counts."""
    return await store.search(query)


@router.get("/v1/articles/{article_id}", responses=problems(404, 503))
async def article(article_id: str, store: Store) -> StoredArticle:
    """Everything extracted from one article, with near-duplicates from other outlets."""
    found = await store.get(article_id)
    if found is None:
        raise ApiError(404, "not_found", f"no article with id {article_id!r}")
    return found


@router.get("/v1/stats", response_model=Stats, responses=problems(503))
async def stats(store: Store) -> Stats:
    """Counts by province, topic and month."""
    return await store.stats()
