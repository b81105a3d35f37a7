"""The query API over a real store. The same suite runs on every storage adapter.

The articles are built by hand (not by the engine) so what each query should answer is known.
The Elasticsearch half runs when PROVNEWS_TEST_ES_URL points at a server.
"""
from __future__ import annotations

import asyncio

import httpx

from services.query.app import create_app
from tests.article_helpers import ARTICLES


def get(base, path, **params):
    return httpx.get(f"{base}{path}", params=params, timeout=10)


def ids(result) -> list[str]:
    return sorted(h["id"] for h in result["hits"])


def test_search_without_diacritics_finds_text_with_them(query_api):
    assert ids(get(query_api, "/v1/search", q="tinh gian bien che").json()) == ["a1", "a3"]


def test_search_with_diacritics_is_exact(query_api):
    assert ids(get(query_api, "/v1/search", q="sáp nhập").json()) == ["a2"]
    assert ids(get(query_api, "/v1/search", q="đảng bộ").json()) == ["a3"]


def test_d_stroke_folds_to_d(query_api):
    assert ids(get(query_api, "/v1/search", q="dang bo").json()) == ["a3"]
    assert ids(get(query_api, "/v1/search", q="duong sa").json()) == ["a4"]


def test_province_filter_matches_names_at_the_time_and_after_2025(query_api):
    assert ids(get(query_api, "/v1/search", province="Lào Cai").json()) == ["a1", "a2"]
    assert ids(get(query_api, "/v1/search", province="Yên Bái").json()) == ["a1"]


def test_filters_and_across_or_within(query_api):
    assert ids(get(query_api, "/v1/search", topic="tinh_gian_bien_che", province="Quảng Ninh").json()) == ["a3"]
    both = httpx.get(f"{query_api}/v1/search", params=[("province", "Yên Bái"), ("province", "Quảng Ninh")]).json()
    assert ids(both) == ["a1", "a3"]
    assert ids(get(query_api, "/v1/search", person="Đặng Xuân Phong").json()) == ["a2"]
    assert ids(get(query_api, "/v1/search", **{"from": "2019-01-01", "to": "2020-12-31"}).json()) == ["a2"]


def test_facets_count_the_matching_articles(query_api):
    facets = get(query_api, "/v1/search", q="tinh gian bien che").json()["facets"]
    assert {f["value"]: f["count"] for f in facets["topic"]} == {"tinh_gian_bien_che": 2, "sap_xep_bo_may": 1}
    assert {f["value"]: f["count"] for f in facets["province_2025"]} == {"Lào Cai": 1, "Quảng Ninh": 1}
    assert {f["value"]: f["count"] for f in facets["year"]} == {"2018": 1, "2021": 1}


def test_hits_have_highlights_and_escape_html(query_api):
    hit = get(query_api, "/v1/search", q="noi dung").json()["hits"][0]
    assert hit["id"] == "a4"
    assert "<mark>Nội</mark> <mark>dung</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"]


def test_paging(query_api):
    first = get(query_api, "/v1/search", size=2, page=1).json()
    second = get(query_api, "/v1/search", size=2, page=2).json()
    assert first["total"] == second["total"] == 4
    assert len(first["hits"]) == 2 and len(second["hits"]) == 2
    assert not set(ids(first)) & set(ids(second))


def test_collapse_gives_one_hit_per_story(query_api):
    plain = get(query_api, "/v1/search", q="tinh gian bien che").json()
    collapsed = get(query_api, "/v1/search", q="tinh gian bien che", collapse="true").json()
    assert plain["total"] == 2 and collapsed["total"] == 1  # a3 republishes a1's story
    assert len(collapsed["hits"]) == 1 and collapsed["hits"][0]["duplicates"] == 1
    assert collapsed["hits"][0]["id"] in ("a1", "a3")
    everything = get(query_api, "/v1/search", collapse="true", size=50).json()
    assert everything["total"] == 3 and sorted(h["duplicates"] for h in everything["hits"]) == [0, 0, 1]
    assert collapsed["facets"]["topic"] == plain["facets"]["topic"]  # facets still count articles


def test_article_has_everything_and_its_near_duplicates(query_api):
    body = get(query_api, "/v1/articles/a1").json()
    assert body["extraction"]["metrics"][0]["value"] == 12
    assert body["extraction"]["provinces"][0]["name_2025"] == "Lào Cai"
    assert [d["id"] for d in body["duplicates"]] == ["a3"]


def test_stats(query_api):
    stats = get(query_api, "/v1/stats").json()
    assert stats["articles"] == 4
    assert {c["value"]: c["count"] for c in stats["by_topic"]}["tinh_gian_bien_che"] == 2
    assert {c["value"]: c["count"] for c in stats["by_province_2025"]}["Lào Cai"] == 2
    assert [c["value"] for c in stats["by_month"]] == ["2018-03", "2019-10", "2021-09"]


def test_errors_have_status_and_reason(query_api):
    missing = get(query_api, "/v1/articles/nope")
    assert missing.status_code == 404 and missing.json() == {"status": 404, "error": "not_found",
                                                             "detail": "no article with id 'nope'"}
    topic = get(query_api, "/v1/search", topic="not_a_topic")
    assert topic.status_code == 422 and topic.json()["error"] == "unknown_topic"
    bad_date = get(query_api, "/v1/search", **{"from": "yesterday"})
    assert bad_date.status_code == 422 and bad_date.json()["error"] == "invalid_request"
    assert "from" in bad_date.json()["detail"]
    backwards = get(query_api, "/v1/search", **{"from": "2020-01-01", "to": "2019-01-01"})
    assert backwards.status_code == 422 and backwards.json()["error"] == "invalid_range"
    too_big = get(query_api, "/v1/search", size=1000)
    assert too_big.status_code == 422


def _loaded_sqlite_store(tmp_path, cls=None, copies: int = 1, **options):
    from common.stores.sqlite_store import SqliteStore

    store = (cls or SqliteStore)(tmp_path / "query.sqlite3", **options)
    articles = [a if n == 0 else a.model_copy(update={"article_id": f"{a.article_id}-{n}"})
                for n in range(copies) for a in ARTICLES]
    assert asyncio.run(store.write(articles)) == []
    return store


def test_a_query_over_its_time_budget_is_stopped_and_answered_503(tmp_path, serve):
    """SQLite's progress handler stops a read past query_timeout_s (here: at once), rather than let it run."""
    api = serve(create_app(store=_loaded_sqlite_store(tmp_path, copies=50, query_timeout_s=1e-9), live=False)).url
    response = get(api, "/v1/search", q="tinh gian bien che", collapse="true")
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "query_timeout"
    assert "ran over 1e-09 s and was stopped" in response.json()["detail"]
    assert response.headers["retry-after"] == "5"


def test_one_slow_query_does_not_hold_up_the_others(tmp_path, serve):
    """A search still running (held here until the test lets it go) leaves /v1/stats answering."""
    import threading

    from common.stores.sqlite_store import SqliteStore

    started, release = threading.Event(), threading.Event()

    class HeldStore(SqliteStore):
        def _search(self, query):
            started.set()
            release.wait(30)
            return super()._search(query)

    api = serve(create_app(store=_loaded_sqlite_store(tmp_path, HeldStore), live=False)).url
    results: list = []
    search_thread = threading.Thread(target=lambda: results.append(get(api, "/v1/search", q="bien che")))
    search_thread.start()
    try:
        assert started.wait(10), "the search did not start"
        stats = httpx.get(f"{api}/v1/stats", timeout=10)  # on one shared thread this waited for the search
        assert stats.status_code == 200 and stats.json()["articles"] == 4
        assert get(api, "/v1/articles/a1").status_code == 200
        assert not results, "the search should still be held"
    finally:
        release.set()
        search_thread.join(30)
    assert results[0].status_code == 200 and ids(results[0].json()) == ["a1", "a3"]


def test_an_empty_topic_is_named_in_the_reason(tmp_path, serve):
    api = serve(create_app(store=_loaded_sqlite_store(tmp_path), live=False)).url
    for path in ("/v1/search", "/v1/timeline", "/v1/metrics"):
        response = httpx.get(f"{api}{path}?topic=")
        assert response.status_code == 422 and response.json()["error"] == "unknown_topic"
        assert response.json()["detail"].startswith("unknown topic id(s): ''; known: tinh_gian_bien_che, ")


def test_a_store_that_fails_is_503_with_the_reason(tmp_path, serve):
    import sqlite3

    from common.stores.sqlite_store import SqliteStore

    class FailingStore(SqliteStore):
        def _stats(self):
            raise sqlite3.OperationalError("disk I/O error")

    api = serve(create_app(store=_loaded_sqlite_store(tmp_path, FailingStore), live=False)).url
    response = get(api, "/v1/stats")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json() == {"status": 503, "error": "store_unavailable",
                               "detail": "the store does not answer: disk I/O error"}
