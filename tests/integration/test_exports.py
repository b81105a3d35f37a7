"""Exports of search results and metrics, read back as a spreadsheet would: CSV (UTF-8 with a BOM) and NDJSON.

The same filters as the lists they export; streamed page by page; bounded by export_max_rows.
Runs on every storage adapter (the query suite's fixture), and on a real SQLite file with many articles.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date

import httpx
import pytest

from common.settings import Settings
from common.stores.sqlite_store import SqliteStore
from services.query.app import create_app
from services.query.exports import METRIC_COLUMNS, SEARCH_COLUMNS
from tests.article_helpers import article


def export(base, path, **params) -> httpx.Response:
    response = httpx.get(f"{base}{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response


def read_csv(response: httpx.Response) -> list[dict]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would read the UTF-8 as a legacy code page"
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def read_ndjson(response: httpx.Response) -> list[dict]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_search_as_csv_keeps_diacritics_and_the_filters(query_api):  # noqa: F811
    listed = httpx.get(f"{query_api}/v1/search", params={"q": "tinh gian bien che"}).json()
    response = export(query_api, "/v1/search/export", q="tinh gian bien che", format="csv")
    rows = read_csv(response)
    assert list(rows[0]) == [c.name for c in SEARCH_COLUMNS]
    assert sorted(r["id"] for r in rows) == sorted(h["id"] for h in listed["hits"]) == ["a1", "a3"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a1"]["title"] == "Yên Bái tinh giản biên chế"
    assert by_id["a1"]["provinces"] == "Yên Bái" and by_id["a1"]["provinces_2025"] == "Lào Cai"
    assert by_id["a3"]["topics"].split("; ") == ["sap_xep_bo_may", "tinh_gian_bien_che"]
    assert by_id["a1"]["published"] == "2018-03-09"
    assert "<mark>" not in by_id["a1"]["snippet"] and "tinh giản biên chế" in by_id["a1"]["snippet"]
    assert response.headers["x-total-count"] == "2"
    assert response.headers["content-disposition"].startswith('attachment; filename="provnews-search-')


def test_search_as_ndjson_has_lists_as_arrays(query_api):  # noqa: F811
    records = read_ndjson(export(query_api, "/v1/search/export", province="Lào Cai", format="ndjson"))
    assert sorted(r["id"] for r in records) == ["a1", "a2"]
    a1 = next(r for r in records if r["id"] == "a1")
    assert a1["provinces"] == ["Yên Bái"] and a1["provinces_2025"] == ["Lào Cai"]
    assert list(a1) == [c.name for c in SEARCH_COLUMNS]


def test_metrics_as_csv_and_ndjson(query_api):  # noqa: F811
    rows = read_csv(export(query_api, "/v1/metrics/export", province="Quảng Ninh"))
    assert list(rows[0]) == [c.name for c in METRIC_COLUMNS]
    assert [(r["article_id"], r["value"], r["unit"], r["action"]) for r in rows] == [("a3", "12", "phòng, ban", "giảm")]
    records = read_ndjson(export(query_api, "/v1/metrics/export", format="ndjson", topic="tinh_gian_bien_che"))
    assert sorted(r["article_id"] for r in records) == ["a1", "a3"]
    assert all(r["value"] == 12 and r["unit"] == "phòng, ban" for r in records)


def test_a_bad_export_is_refused_before_any_byte(query_api):  # noqa: F811
    bad_format = httpx.get(f"{query_api}/v1/search/export", params={"format": "xlsx"})
    assert bad_format.status_code == 422
    unknown_topic = httpx.get(f"{query_api}/v1/metrics/export", params={"topic": "nope"})
    assert unknown_topic.status_code == 422 and unknown_topic.json()["error"] == "unknown_topic"


MANY = 250


@pytest.fixture
def many(tmp_path, serve):
    """A real SQLite file with MANY articles, each with one metric: three pages of an export."""
    store = SqliteStore(tmp_path / "many.sqlite3")
    articles = [article(f"m{i:03d}", title=f"Bài số {i} về sắp xếp bộ máy", published=date(2024, 1 + i % 12, 1 + i % 28),
                        text=f"Tỉnh Hà Giang giảm {i} phòng, ban.", provinces=[("Hà Giang", "Tuyên Quang")])
                for i in range(MANY)]
    assert asyncio.run(store.write(articles)) == []

    def start(**settings):
        return serve(create_app(Settings(data_dir=tmp_path / "data", **settings), store=store, live=False)).url
    return start


def test_a_large_export_is_streamed_page_by_page(many):
    base = many()
    with httpx.stream("GET", f"{base}/v1/search/export", params={"format": "ndjson"}, timeout=30) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # sent as it is read, not built whole first
        assert response.headers["x-total-count"] == str(MANY)
        body = b"".join(response.iter_raw())
    ids = [json.loads(line)["id"] for line in body.decode().splitlines()]
    assert len(ids) == len(set(ids)) == MANY
    rows = read_csv(export(base, "/v1/metrics/export", province="Tuyên Quang"))
    assert len(rows) == MANY and {r["provinces"] for r in rows} == {"Hà Giang"}


def test_an_export_stops_at_the_row_limit_and_says_so(many):
    base = many(export_max_rows=120)
    response = export(base, "/v1/search/export")
    rows = read_csv(response)
    assert len(rows) == 120 == int(response.headers["x-export-rows"])
    assert response.headers["x-total-count"] == str(MANY)
    newest_first = [r["published"] for r in rows]
    assert newest_first == sorted(newest_first, reverse=True)
