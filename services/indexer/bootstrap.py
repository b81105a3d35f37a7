"""Composition root for the storage side: the configured adapter, unless a test passes another."""
from __future__ import annotations

from provnews.indexer.ports import ArticleStore
from provnews.settings import Settings


def make_store(settings: Settings) -> ArticleStore:
    if settings.storage == "elasticsearch":
        from provnews.indexer.elasticsearch_store import ElasticsearchStore

        return ElasticsearchStore.from_settings(settings)
    from provnews.indexer.sqlite_store import SqliteStore

    return SqliteStore(settings.sqlite_file, readers=settings.query_readers,
                       query_timeout_s=settings.query_timeout_s)
