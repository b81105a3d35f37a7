"""An article posted again with other text is a new version, kept and shown; the same text again is not."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime

import httpx

from common.stores.sqlite_store import SqliteStore
from services.query.app import create_app
from tests.article_helpers import article


def received(a, day: int):
    return a.model_copy(update={"received_at": datetime(2024, 1, day, tzinfo=UTC)})


def test_a_changed_text_is_a_new_version_and_a_replay_is_not(tmp_path, serve):
    store = SqliteStore(tmp_path / "v.sqlite3")
    first = received(article("v1", title="Bản đầu", text="Xã A giảm 3 thôn."), 1)
    second = received(article("v1", title="Bản sửa", text="Xã A giảm 5 thôn, tổ dân phố."), 2)
    other = received(article("v2", title="Khác", text="Xã B giảm 2 thôn."), 1)

    async def write(*articles):
        assert await store.write(list(articles)) == []

    asyncio.run(write(first, other))
    asyncio.run(write(first))  # a replay of the same event
    asyncio.run(write(second))
    asyncio.run(write(second))  # and of the new one
    api = serve(create_app(store=store, live=False)).url

    body = httpx.get(f"{api}/v1/articles/v1").json()
    assert body["raw_text"] == "Xã A giảm 5 thôn, tổ dân phố."  # the latest text is the article
    versions = body["versions"]
    assert [(v["version"], v["title"], v["received_at"][:10], v["chars"]) for v in versions] == [
        (1, "Bản đầu", "2024-01-01", len(first.raw_text)), (2, "Bản sửa", "2024-01-02", len(second.raw_text))]
    assert versions[0]["text_sha256"] == hashlib.sha256(first.raw_text.encode()).hexdigest()
    single = httpx.get(f"{api}/v1/articles/v2").json()["versions"]
    assert [(v["version"], v["chars"]) for v in single] == [(1, len(other.raw_text))]


def test_at_most_so_many_versions_are_kept(tmp_path):
    from common.stores import sqlite_store

    store = SqliteStore(tmp_path / "v.sqlite3")
    for n in range(sqlite_store.MAX_VERSIONS + 5):
        assert asyncio.run(store.write([received(article("v", title=f"t{n}", text=f"Bản số {n}."), 1)])) == []
    versions = asyncio.run(store.get("v")).versions
    assert len(versions) == sqlite_store.MAX_VERSIONS
    assert versions[-1].version == sqlite_store.MAX_VERSIONS + 5 and versions[-1].title == f"t{sqlite_store.MAX_VERSIONS + 4}"
