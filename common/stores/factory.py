"""The configured storage adapter: SQLite (the default) or Elasticsearch, chosen by `PROVNEWS_STORAGE`."""
from __future__ import annotations

from common.settings import Settings
from common.stores.ports import RebuildableStore


def make_store(settings: Settings) -> RebuildableStore:
    """The services use it as their ArticleStore; `provnews reindex` also rebuilds it."""
    if settings.storage == "elasticsearch":
        from common.stores.elasticsearch_store import ElasticsearchStore

        return ElasticsearchStore.from_settings(settings)
    from common.stores.sqlite_store import SqliteStore

    return SqliteStore(settings.sqlite_file, readers=settings.query_readers,
                       query_timeout_s=settings.query_timeout_s)
