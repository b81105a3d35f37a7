"""The Elasticsearch adapter against a real cluster: set PROVNEWS_TEST_ES_URL (e.g. http://127.0.0.1:9200).

Each test works under its own index prefix and removes its indices and templates afterwards.
"""
from __future__ import annotations

import asyncio
import os
import threading

import pytest
from elasticsearch import AsyncElasticsearch

from common.mentions import reform_mentions
from common.stores.elasticsearch_store import ElasticsearchStore
from common.stores.ports import SearchQuery
from common.stores.sqlite_store import SqliteStore
from provnews.reindex import reindex
from services.indexer.consumer import Indexer
from tests.article_helpers import ARTICLES
from tests.kafka_helpers import publish
from tests.seed_helpers import SEED_ARTICLES

ES_URL = os.environ.get("PROVNEWS_TEST_ES_URL")
pytestmark = [pytest.mark.es, pytest.mark.broker,
              pytest.mark.skipif(not ES_URL, reason="set PROVNEWS_TEST_ES_URL to run against a real Elasticsearch")]

QUERIES = [SearchQuery(), SearchQuery(q="tinh gian bien che"), SearchQuery(q="tinh giản biên chế"),
           SearchQuery(q="sap nhap"), SearchQuery(q="dang bo"), SearchQuery(province=["Lào Cai"]),
           SearchQuery(topic=["tinh_gian_bien_che"], province=["Quảng Ninh", "Yên Bái"]),
           SearchQuery(date_from="2019-01-01", date_to="2021-12-31"), SearchQuery(size=2, page=2)]


@pytest.fixture
def es_settings(settings):
    prefix = f"pnit{os.urandom(3).hex()}"
    yield settings.model_copy(update={"storage": "elasticsearch", "es_url": ES_URL, "es_index_prefix": prefix})

    async def clean():
        client = AsyncElasticsearch(ES_URL)
        try:
            await client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
            await client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
            await client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-*")
        finally:
            await client.close()

    asyncio.run(clean())


def run(coro_fn, store):
    async def go():
        try:
            return await coro_fn(store)
        finally:
            await store.close()

    return asyncio.run(go())


def test_the_indexer_puts_the_seeds_in_all_three_indices_and_folded_search_finds_them(es_settings):
    publish(es_settings, SEED_ARTICLES)

    async def index():
        store = ElasticsearchStore(es_settings)
        indexer = Indexer(es_settings, store)
        task = asyncio.create_task(indexer.run())
        try:
            for _ in range(1200):
                if indexer.indexed >= len(SEED_ARTICLES) or task.done():
                    break
                await asyncio.sleep(0.05)
        finally:
            indexer.stop()
            await task
        try:
            client = store.client
            counts = [(await client.count(index=alias))["count"] for alias in store.aliases.all()]
            found = await store.search(SearchQuery(q="tinh gian bien che"))
            return indexer.indexed, counts, found
        finally:
            await store.close()

    indexed, counts, found = asyncio.run(index())
    assert indexed == len(SEED_ARTICLES)
    assert counts == [len(SEED_ARTICLES), sum(len(a.extraction.metrics) for a in SEED_ARTICLES),
                      sum(len(reform_mentions(a)) for a in SEED_ARTICLES)]
    assert found.total >= 1 and all("<mark>" in hit.snippet for hit in found.hits)


def test_elasticsearch_answers_as_sqlite_does(es_settings, tmp_path):
    data = SEED_ARTICLES + ARTICLES

    async def answers(store):
        assert await store.write(data) == []
        results = [await store.search(q) for q in QUERIES]
        explorer = [await store.timeline(q, split) for q in QUERIES for split in ("topic", "province_2025")]
        explorer += [await store.list_metrics(q.model_copy(update={"size": 4, "page": page}))
                     for q in QUERIES[:3] for page in (1, 3)]
        return results, await store.stats(), await store.get("a1"), await store.get("missing"), explorer

    es = run(answers, ElasticsearchStore(es_settings))
    lite = run(answers, SqliteStore(tmp_path / "parity.sqlite3"))
    for query, a, b in zip(QUERIES, es[0], lite[0]):
        assert a.total == b.total, query
        assert a.facets == b.facets, query
        if query.q is None:  # without words both order by date; with them, by each engine's own relevance
            assert [h.id for h in a.hits] == [h.id for h in b.hits], query
        assert {h.id: h.model_dump() for h in a.hits} == {h.id: h.model_dump() for h in b.hits}, query  # snippets too
    assert es[1] == lite[1]
    assert es[2] == lite[2] and es[3] is None and lite[3] is None
    assert es[4] == lite[4]  # the explorer's timelines and metric pages


def test_reindex_swaps_the_aliases_while_searches_keep_answering(es_settings):
    publish(es_settings, SEED_ARTICLES)
    run(lambda store: store.write(SEED_ARTICLES), ElasticsearchStore(es_settings))
    totals, errors, done = [], [], threading.Event()

    def search_loop():
        async def loop():
            store = ElasticsearchStore(es_settings)
            try:
                while not done.is_set():
                    try:
                        totals.append((await store.search(SearchQuery(q="tinh gian bien che"))).total)
                    except Exception as exc:  # noqa: BLE001 - recorded, asserted below
                        errors.append(exc)
            finally:
                await store.close()

        asyncio.run(loop())

    searcher = threading.Thread(target=search_loop)
    searcher.start()
    lines: list[str] = []
    try:
        outcome = asyncio.run(reindex(es_settings, source="topics", progress=False, out=lines.append))
    finally:
        done.set()
        searcher.join()
    assert outcome.written == len(SEED_ARTICLES)
    assert not errors and totals and min(totals) == max(totals) > 0

    async def aliases(store):
        return {alias: await store.live_indices(alias) for alias in store.aliases.all()}

    assert run(aliases, ElasticsearchStore(es_settings)) == {
        alias: [f"{alias}-v2"] for alias in ElasticsearchStore(es_settings).aliases.all()}
