"""Fixtures the integration tests share."""
from __future__ import annotations

import asyncio
import os

import pytest

from services.query.app import create_app
from tests.article_helpers import ARTICLES

ES_URL = os.environ.get("PROVNEWS_TEST_ES_URL")


def _sqlite_store(tmp_path):
    from common.stores.sqlite_store import SqliteStore

    return SqliteStore(tmp_path / "query.sqlite3")


def _es_store(tmp_path):
    if not ES_URL:
        pytest.skip("set PROVNEWS_TEST_ES_URL to run the query suite against a real Elasticsearch")
    from common.settings import Settings
    from common.stores.elasticsearch_store import ElasticsearchStore

    return ElasticsearchStore.from_settings(Settings(es_url=ES_URL, es_index_prefix=f"pntest{os.getpid()}"))


@pytest.fixture(params=["sqlite", "elasticsearch"])
def query_api(request, tmp_path, serve):
    store = {"sqlite": _sqlite_store, "elasticsearch": _es_store}[request.param](tmp_path)

    async def load():
        assert await store.write(ARTICLES) == []
        await store.refresh()

    asyncio.run(load())
    return serve(create_app(store=store)).url
