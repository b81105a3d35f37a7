"""The query API's routes over the in-memory store, through httpx's ASGI transport (no port is bound): what
each route answers, in which shape and with which status, whatever adapter is behind the port."""
from __future__ import annotations

import csv
import io
from contextlib import asynccontextmanager

import httpx

from common.settings import Settings
from services.query.app import create_app
from tests.article_helpers import ARTICLES
from tests.fakes_stores import FakeArticleStore


@asynccontextmanager
async def client(store: FakeArticleStore, tmp_path):
    app = create_app(Settings(data_dir=tmp_path), store=store, live=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://query") as c:
            yield c


async def test_an_article_comes_whole_with_its_story_and_its_versions(tmp_path):
    async with client(FakeArticleStore(ARTICLES), tmp_path) as api:
        response = await api.get("/v1/articles/a1")
        missing = await api.get("/v1/articles/nope")

    assert response.status_code == 200
    body = response.json()
    assert body["article_id"] == "a1" and body["extraction"]["title"] == "Yên Bái tinh giản biên chế"
    assert [d["id"] for d in body["duplicates"]] == ["a3"]  # the other article of story a1
    assert body["duplicates"][0]["published"] == "2021-09-16"
    [version] = body["versions"]
    assert version["version"] == 1 and version["chars"] == len(ARTICLES[0].raw_text)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_search_filters_pages_and_counts_facets(tmp_path):
    async with client(FakeArticleStore(ARTICLES), tmp_path) as api:
        found = (await api.get("/v1/search", params={"q": "tinh gian bien che"})).json()
        by_topic = (await api.get("/v1/search", params={"topic": "tinh_gian_bien_che", "size": 1, "page": 2})).json()
        collapsed = (await api.get("/v1/search", params={"topic": "tinh_gian_bien_che", "collapse": "true"})).json()
        refused = await api.get("/v1/search", params={"size": 1000})

    assert {h["id"] for h in found["hits"]} == {"a1", "a3"} and found["total"] == 2
    assert "<mark>" in found["hits"][0]["snippet"]
    assert {f["value"]: f["count"] for f in found["facets"]["topic"]}["tinh_gian_bien_che"] == 2
    assert by_topic["total"] == 2 and [h["id"] for h in by_topic["hits"]] == ["a1"]  # newest first: a3, then a1
    assert collapsed["total"] == 1 and collapsed["hits"][0]["duplicates"] == 1
    assert refused.status_code == 422


async def test_an_unavailable_store_is_a_503_with_a_retry_after(tmp_path):
    async with client(FakeArticleStore(ARTICLES, unavailable=1), tmp_path) as api:
        down = await api.get("/v1/articles/a1")
        back = await api.get("/v1/articles/a1")

    assert down.status_code == 503 and down.headers["retry-after"] == "5"
    assert down.json()["error"] == "store_unavailable"
    assert back.status_code == 200


async def test_an_export_streams_every_hit_through_the_port(tmp_path):
    async with client(FakeArticleStore(ARTICLES), tmp_path) as api:
        response = await api.get("/v1/search/export", params={"format": "csv"})

    assert response.status_code == 200 and response.headers["x-total-count"] == str(len(ARTICLES))
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert [r["id"] for r in rows] == ["a3", "a2", "a1", "a4"]  # newest first, the undated last


async def test_the_store_is_closed_with_the_app(tmp_path):
    store = FakeArticleStore(ARTICLES)
    async with client(store, tmp_path) as api:
        assert (await api.get("/readyz")).status_code == 200
        assert not store.closed
    assert store.closed
