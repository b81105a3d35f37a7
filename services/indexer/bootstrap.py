"""Composition root of the indexer: the loop over the configured store, unless a test passes another."""
from __future__ import annotations

from provnews.indexer.consumer import Indexer
from provnews.settings import Settings
from provnews.stores.factory import make_store
from provnews.stores.ports import ArticleStore


def bootstrap(settings: Settings, *, store: ArticleStore | None = None) -> Indexer:
    return Indexer(settings, store if store is not None else make_store(settings))
