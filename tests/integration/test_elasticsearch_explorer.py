"""The explorer's timeline and metric list on Elasticsearch: shaped and paged as SqliteStore does it.

Elasticsearch's answers are served with the shape a cluster gives them (tests.elasticsearch_helpers); the
same articles in a real SqliteStore give the answer to compare with.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from common.settings import Settings
from common.stores.elasticsearch_store import ElasticsearchStore, article_document
from common.stores.ports import SearchQuery
from common.stores.sqlite_store import SqliteStore
from tests.article_helpers import ARTICLES
from tests.elasticsearch_helpers import FakeElasticsearch
from tests.seed_helpers import SEED_ARTICLES

DATA = SEED_ARTICLES + ARTICLES
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SOURCES = {a.article_id: article_document(a, indexed_at=NOW, derived={"metrics": [], "mentions": []}) for a in DATA}


def newest_first(articles):
    """The order of the metrics walk: published (missing last), then received, then id."""
    dated = sorted((a for a in articles if a.published), key=lambda a: a.article_id)
    dated = sorted(dated, key=lambda a: (a.published, a.received_at), reverse=True)
    undated = sorted((a for a in articles if not a.published), key=lambda a: a.article_id)
    return dated + sorted(undated, key=lambda a: a.received_at, reverse=True)


@pytest.fixture
def fake_es(serve):
    fake = FakeElasticsearch()
    fake.url = serve(fake.app()).url
    return fake


def answer(store, method, *args):
    async def run():
        try:
            if isinstance(store, SqliteStore):
                await store.write(DATA)
            return await getattr(store, method)(*args)
        finally:
            await store.close()

    return asyncio.run(run())


def month_buckets(counts):
    return {"buckets": [{"key_as_string": c.value, "key": 0, "doc_count": c.count} for c in counts]}


def test_timeline_has_months_undated_and_series_ranked_as_sqlite(fake_es, tmp_path):
    expected = answer(SqliteStore(tmp_path / "s.sqlite3"), "timeline", SearchQuery(), "province_2025")
    assert expected.series and expected.undated >= 1  # a4 has no date
    fake_es.search = lambda body: {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}, "aggregations": {
        "month": month_buckets(expected.by_month), "undated": {"doc_count": expected.undated},
        "dated": {"doc_count": 0, "series": {"buckets": [
            {"key": s.value, "doc_count": s.total, "month": month_buckets(s.by_month)} for s in expected.series]}}}}
    got = answer(ElasticsearchStore(Settings(es_url=fake_es.url)), "timeline", SearchQuery(), "province_2025")
    assert got == expected
    [request] = [r for r in fake_es.requests if r.path.endswith("/_search")]
    assert '"provinces_2025"' in request.body.decode()


@pytest.mark.parametrize("page, size", [(1, 3), (2, 3), (4, 3), (1, 50), (9, 3), (30, 3)])
def test_metrics_are_paged_newest_first_across_articles_as_sqlite(fake_es, tmp_path, page, size):
    query = SearchQuery(page=page, size=size)
    expected = answer(SqliteStore(tmp_path / "s.sqlite3"), "list_metrics", query)
    walk = [a for a in newest_first(DATA) if a.extraction.metrics]

    def search(body):
        if "aggs" in body:
            return {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
                    "aggregations": {"metrics": {"doc_count": sum(len(a.extraction.metrics) for a in DATA)}}}
        return {"hits": {"total": {"value": len(walk), "relation": "eq"}, "hits": [
            {"_index": "provnews-articles-v1", "_id": a.article_id, "_score": None, "_source": SOURCES[a.article_id],
             "sort": [0, 0, a.article_id]} for a in walk]}}

    fake_es.search = search
    got = answer(ElasticsearchStore(Settings(es_url=fake_es.url)), "list_metrics", query)
    assert got == expected
    total = sum(len(a.extraction.metrics) for a in DATA)
    assert total > 10 and expected.total == total
    assert len(expected.metrics) == max(0, min(size, total - (page - 1) * size))
