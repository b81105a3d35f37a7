"""Composition root of the indexer: the loop over the configured store, unless a test passes another."""
from __future__ import annotations

from common.consume import Consumer, Producer
from common.settings import Settings
from common.stores.factory import make_store
from common.stores.ports import ArticleStore
from services.indexer.consumer import Indexer


def bootstrap(settings: Settings, *, store: ArticleStore | None = None, consumer: Consumer | None = None,
              producer: Producer | None = None) -> Indexer:
    """The real store and Kafka clients, made from the settings, unless a test passes in-memory ones."""
    return Indexer(settings, store if store is not None else make_store(settings), consumer=consumer,
                   producer=producer)
