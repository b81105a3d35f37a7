"""The adapter's write path against recorded Elasticsearch answers, over real HTTP on loopback.

The real AsyncElasticsearch client sends real bulk requests to tests.elasticsearch_helpers.FakeElasticsearch,
which answers the way a cluster does: a malformed document, a 429, a version conflict.
"""
from __future__ import annotations

import asyncio
import base64
import json

import pytest

from common.settings import Settings
from common.stores.elasticsearch_store import ElasticsearchStore, doc_version
from common.stores.ports import Rejected, StoreUnavailable
from tests.elasticsearch_helpers import (
    DOCUMENT_PARSING,
    REJECTED_EXECUTION,
    VERSION_CONFLICT,
    FakeElasticsearch,
)
from tests.seed_helpers import SEED_ARTICLES


def store_for(url: str, **settings) -> ElasticsearchStore:
    store = ElasticsearchStore(Settings(es_url=url, **settings))
    store.bulk_backoff_s = 0.01  # the retry schedule is not what these tests measure
    return store


def write(store: ElasticsearchStore, articles) -> list[Rejected]:
    async def run():
        try:
            return await store.write(articles)
        finally:
            await store.close()

    return asyncio.run(run())


@pytest.fixture
def fake_es(serve):
    fake = FakeElasticsearch()
    fake.url = serve(fake.app()).url
    return fake


def test_a_malformed_document_is_rejected_with_elasticsearch_reason_and_the_rest_is_written(fake_es):
    bad = SEED_ARTICLES[1].article_id
    fake_es.bulk_item = lambda op, meta, source: (400, DOCUMENT_PARSING) if meta["_id"] == bad else None
    rejected = write(store_for(fake_es.url), SEED_ARTICLES[:3])
    assert [(r.article_id, r.error) for r in rejected] == [(bad, "document_parsing_exception")]
    assert "failed to parse field [published] of type [date]" in rejected[0].reason
    assert "caused by illegal_argument_exception" in rejected[0].reason
    sent = [line for r in fake_es.bulk_requests() for line in r.ndjson() if "index" in line]
    assert {m["index"]["_id"] for m in sent if m["index"]["_index"] == "provnews-articles"} == {
        a.article_id for a in SEED_ARTICLES[:3]}


def test_a_429_item_is_retried_then_raises_store_unavailable_so_offsets_stay_uncommitted(fake_es):
    busy = {"on": True}
    fake_es.bulk_item = lambda op, meta, source: (429, REJECTED_EXECUTION) if busy["on"] and meta["_id"] == "seed0" else None
    with pytest.raises(StoreUnavailable, match="429 es_rejected_execution_exception"):
        write(store_for(fake_es.url), SEED_ARTICLES[:1])
    retries = fake_es.bulk_requests()
    assert len(retries) == 4  # the first request and three retries of the refused item only
    assert [len(r.ndjson()) for r in retries[1:]] == [2, 2, 2]
    busy["on"] = False
    assert write(store_for(fake_es.url), SEED_ARTICLES[:1]) == []  # the consumer's retry goes through


def test_a_version_conflict_on_replay_counts_as_success(fake_es):
    fake_es.bulk_item = lambda op, meta, source: (409, VERSION_CONFLICT)
    assert write(store_for(fake_es.url), SEED_ARTICLES[:2]) == []


def test_an_older_event_than_the_stored_one_is_not_written_at_all(fake_es):
    article = SEED_ARTICLES[0]
    fake_es.stored = {article.article_id: (doc_version(article) + 1, {"metrics": [], "mentions": []})}
    assert write(store_for(fake_es.url), [article]) == []
    assert fake_es.bulk_requests() == []


def test_metric_and_mention_documents_of_an_earlier_version_are_deleted_and_missing_ones_are_fine(fake_es):
    article = SEED_ARTICLES[2]
    fake_es.stored = {article.article_id: (1, {"metrics": [f"{article.article_id}-m0", f"{article.article_id}-m7"],
                                              "mentions": ["gone"]})}
    fake_es.bulk_item = lambda op, meta, source: (404, None) if op == "delete" else None
    assert write(store_for(fake_es.url), [article]) == []
    deletes = [line["delete"]["_id"] for r in fake_es.bulk_requests() for line in r.ndjson() if "delete" in line]
    assert sorted(deletes) == ["gone", f"{article.article_id}-m7"]


def test_bulk_requests_are_bounded_and_go_to_aliases_visible_on_return(fake_es):
    write(store_for(fake_es.url, es_bulk_chunk_size=7), SEED_ARTICLES)
    requests = fake_es.bulk_requests()
    assert len(requests) > 1
    for r in requests:
        actions = [line for line in r.ndjson() if {"index", "delete"} & set(line)]
        assert len(actions) <= 7
        assert r.query == {"refresh": "wait_for", "require_alias": "true"}


def test_an_unavailable_cluster_raises_store_unavailable(fake_es):
    fake_es.status = 503
    with pytest.raises(StoreUnavailable):
        write(store_for(fake_es.url, es_request_timeout_s=5), SEED_ARTICLES[:1])


def test_nothing_listening_raises_store_unavailable(closed_port):
    with pytest.raises(StoreUnavailable):
        write(store_for(f"http://127.0.0.1:{closed_port}", es_request_timeout_s=2), SEED_ARTICLES[:1])


def test_api_key_and_user_password_from_settings_reach_the_cluster(fake_es):
    write(store_for(fake_es.url, es_api_key="a2V5OnNlY3JldA=="), SEED_ARTICLES[:1])
    assert {r.headers.get("authorization") for r in fake_es.requests} == {"ApiKey a2V5OnNlY3JldA=="}
    fake_es.requests.clear()
    write(store_for(fake_es.url, es_username="provnews", es_password="s3cret"), SEED_ARTICLES[:1])
    expected = "Basic " + base64.b64encode(b"provnews:s3cret").decode()
    assert {r.headers.get("authorization") for r in fake_es.requests} == {expected}


def test_readiness_needs_the_aliases(fake_es):
    async def ping():
        store = store_for(fake_es.url)
        try:
            return await store.ping()
        finally:
            await store.close()

    assert asyncio.run(ping()) is True
    fake_es.status = 404
    assert asyncio.run(ping()) is False


def test_setup_applies_the_templates_then_creates_version_1_behind_each_alias(fake_es):
    fake_es.aliases_exist = False

    async def setup():
        store = store_for(fake_es.url)
        try:
            return await store.setup(), await store.ping()
        finally:
            await store.close()

    lines, ready = asyncio.run(setup())
    put = [(r.path, r.body) for r in fake_es.requests if r.method == "PUT"]
    assert [path for path, _ in put] == [
        "/_component_template/provnews-text", "/_index_template/provnews-articles",
        "/_index_template/provnews-mentions", "/_index_template/provnews-metrics",
        "/provnews-articles-v1", "/provnews-metrics-v1", "/provnews-mentions-v1"]
    assert json.loads(put[4][1]) == {"aliases": {"provnews-articles": {}}}
    assert json.loads(put[1][1])["template"]["mappings"]["dynamic"] == "strict"
    assert lines[-1] == "created provnews-mentions-v1 behind alias provnews-mentions" and ready


def setup_lines(fake_es) -> list[str]:
    async def setup():
        store = store_for(fake_es.url)
        try:
            return await store.setup()
        finally:
            await store.close()

    return asyncio.run(setup())


def test_setup_adds_the_new_fields_of_a_newer_mapping_to_the_live_index(fake_es):
    """Documents of the new shape would be refused by the live index's strict mapping until a reindex."""
    from common.stores.elasticsearch_store import load_templates, mapping_versions, templates_dir

    wanted = mapping_versions(load_templates(templates_dir(Settings())))
    newer = sorted(alias for alias, version in wanted.items() if version > 1)
    assert newer, "no template is past version 1: nothing to check"
    lines = setup_lines(fake_es)
    puts = {r.path: json.loads(r.body) for r in fake_es.requests if r.method == "PUT" and r.path.endswith("/_mapping")}
    assert sorted(puts) == [f"/{alias}-v1/_mapping" for alias in newer]
    for alias in newer:
        body = puts[f"/{alias}-v1/_mapping"]
        assert body["_meta"] == {"mapping_version": wanted[alias]} and body["dynamic"] == "strict"
        assert "received_at" in body["properties"]
        assert f"{alias}-v1: mapping version 1 -> {wanted[alias]} (new fields added; documents indexed before lack " \
               "them until `provnews reindex`)" in lines
    assert not any(line.startswith("warning:") for line in lines)


def test_setup_says_to_reindex_when_the_live_mapping_cannot_be_extended(fake_es):
    fake_es.refuse_mapping_change = True
    warnings = [line for line in setup_lines(fake_es) if line.startswith("warning:")]
    assert warnings and all(line.endswith("run `provnews reindex`") for line in warnings)


def test_a_ca_certificate_from_settings_configures_the_client():
    from common.stores.elasticsearch_store import client_options

    options = client_options(Settings(es_url="https://es.example:9200", es_ca_cert="/etc/provnews/ca.pem"))
    assert options["ca_certs"] == "/etc/provnews/ca.pem" and "api_key" not in options and "basic_auth" not in options


def test_collapse_asks_for_one_hit_per_story_and_counts_stories():
    from common.stores.elasticsearch_store import search_request
    from common.stores.ports import SearchQuery

    plain = search_request(SearchQuery(q="sap nhap"))
    assert "collapse" not in plain and "stories" not in plain["aggs"]
    collapsed = search_request(SearchQuery(q="sap nhap", collapse=True))
    assert collapsed["collapse"] == {"field": "story_id", "inner_hits": {"name": "story", "size": 0}}
    assert collapsed["aggs"]["stories"]["cardinality"]["field"] == "story_id"
