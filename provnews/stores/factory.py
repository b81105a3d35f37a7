"""The configured storage adapter: SQLite (the default) or Elasticsearch, chosen by `PROVNEWS_STORAGE`."""
from __future__ import annotations

from provnews.settings import Settings
from provnews.stores.ports import ArticleStore


def make_store(settings: Settings) -> ArticleStore:
    if settings.storage == "elasticsearch":
        from provnews.stores.elasticsearch_store import ElasticsearchStore

        return ElasticsearchStore.from_settings(settings)
    from provnews.stores.sqlite_store import SqliteStore

    return SqliteStore(settings.sqlite_file, readers=settings.query_readers,
                       query_timeout_s=settings.query_timeout_s)
