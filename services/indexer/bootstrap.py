"""Composition root of the indexer: the loop over the configured store, unless a test passes another."""
from __future__ import annotations

from provnews.consume import Consumer, Producer
from provnews.indexer.consumer import Indexer
from provnews.settings import Settings
from provnews.stores.factory import make_store
from provnews.stores.ports import ArticleStore


def bootstrap(settings: Settings, *, store: ArticleStore | None = None, consumer: Consumer | None = None,
              producer: Producer | None = None) -> Indexer:
    """The real store and Kafka clients, made from the settings, unless a test passes in-memory ones."""
    return Indexer(settings, store if store is not None else make_store(settings), consumer=consumer,
                   producer=producer)
