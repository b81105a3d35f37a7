"""The adapter's read path: how it shapes what Elasticsearch answers into the port's values, as SqliteStore does.

Responses have the shape Elasticsearch 9 gives them (served over loopback to the real client); the same
articles written to a real SqliteStore give the answer to compare with.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from common.settings import Settings
from common.stores.elasticsearch_store import ElasticsearchStore, article_document
from common.stores.ports import FACETS, SearchQuery, StoreUnavailable
from common.stores.sqlite_store import SqliteStore
from tests.article_helpers import ARTICLES
from tests.elasticsearch_helpers import FakeElasticsearch

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SOURCES = {a.article_id: article_document(a, indexed_at=NOW, derived={"metrics": [], "mentions": []}) for a in ARTICLES}
SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def hits_response(ids: list[str], aggregations: dict | None = None) -> dict:
    return {"took": 2, "timed_out": False, "_shards": SHARDS,
            "hits": {"total": {"value": len(ids), "relation": "eq"}, "max_score": None,
                     "hits": [{"_index": "provnews-articles-v1", "_id": i, "_score": None, "_source": SOURCES[i]}
                              for i in ids]},
            **({"aggregations": aggregations} if aggregations is not None else {})}


def terms_buckets(pairs: list[tuple[str, int]]) -> dict:
    return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
            "buckets": [{"key": key, "doc_count": n} for key, n in pairs]}


@pytest.fixture
def fake_es(serve):
    fake = FakeElasticsearch()
    fake.url = serve(fake.app()).url
    return fake


def es(fake, method, *args):
    async def run():
        store = ElasticsearchStore(Settings(es_url=fake.url))
        try:
            return await getattr(store, method)(*args)
        finally:
            await store.close()

    return asyncio.run(run())


def sqlite(tmp_path, method, *args):
    async def run():
        store = SqliteStore(tmp_path / "s.sqlite3")
        try:
            await store.write(ARTICLES)
            return await getattr(store, method)(*args)
        finally:
            await store.close()

    return asyncio.run(run())


def test_search_shapes_hits_snippets_and_facets_as_sqlite_does(fake_es, tmp_path):
    query = SearchQuery(q="tinh gian bien che")
    expected = sqlite(tmp_path, "search", query)
    aggregations = {f: terms_buckets([(c.value, c.count) for c in expected.facets[f]]) for f in FACETS}
    fake_es.search = lambda body: hits_response([h.id for h in expected.hits], aggregations)
    assert es(fake_es, "search", query) == expected
    [request] = [r for r in fake_es.requests if r.path.endswith("/_search")]
    assert request.path == "/provnews-articles/_search" and "text" in request.query["_source_includes"].split(",")


def test_get_returns_the_extracted_event_and_its_near_duplicates(fake_es, tmp_path):
    expected = sqlite(tmp_path, "get", "a1")
    fake_es.documents = {"a1": SOURCES["a1"]}
    fake_es.search = lambda body: hits_response(["a3"])  # the same story, another outlet
    assert es(fake_es, "get", "a1") == expected
    duplicates = next(r for r in fake_es.requests if r.path.endswith("/_search")).body.decode()
    assert '"story_id":"a1"' in duplicates.replace(" ", "")
    assert es(fake_es, "get", "nope") is None


def test_a_missing_index_is_unavailable_not_a_missing_article(fake_es):
    fake_es.status = 404
    with pytest.raises(StoreUnavailable):
        es(fake_es, "get", "a1")


def test_stats_shape_counts_and_months(fake_es, tmp_path):
    expected = sqlite(tmp_path, "stats")
    aggregations = {
        "province": terms_buckets([(c.value, c.count) for c in expected.by_province]),
        "province_2025": terms_buckets([(c.value, c.count) for c in expected.by_province_2025]),
        "topic": terms_buckets([(c.value, c.count) for c in expected.by_topic]),
        "month": {"buckets": [{"key_as_string": c.value, "key": 1520553600000, "doc_count": c.count}
                              for c in expected.by_month]},
    }
    fake_es.search = lambda body: {**hits_response([], aggregations),
                                   "hits": {"total": {"value": expected.articles, "relation": "eq"}, "hits": []}}
    assert es(fake_es, "stats") == expected
    assert [c.value for c in expected.by_month] == ["2018-03", "2019-10", "2021-09"]


def streamed(store, query: SearchQuery, chunk: int) -> list[list[str]]:
    async def run():
        try:
            return [[h.id for h in hits] async for hits in store.stream_hits(query, chunk)]
        finally:
            await store.close()

    return asyncio.run(run())


def test_hits_stream_page_after_page_in_the_order_sqlite_streams_them(fake_es, tmp_path):
    lite = SqliteStore(tmp_path / "s.sqlite3")
    asyncio.run(lite.write(ARTICLES))
    expected = [i for chunk in streamed(lite, SearchQuery(), 500) for i in chunk]
    aggregations = {f: terms_buckets([]) for f in FACETS}

    def search(body: dict) -> dict:  # the whole ordered listing, a window of it per request
        page = hits_response(expected[body["from"]:body["from"] + body["size"]], aggregations)
        page["hits"]["total"]["value"] = len(expected)
        return page

    fake_es.search = search
    chunks = streamed(ElasticsearchStore(Settings(es_url=fake_es.url)), SearchQuery(page=3, size=1), 3)
    assert chunks == [expected[:3], expected[3:]]  # the query's own page and size are not the stream's
    assert len([r for r in fake_es.requests if r.path.endswith("/_search")]) == 2  # no request past the total
