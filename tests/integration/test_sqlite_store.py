"""The SQLite adapter on a real file: durable, idempotent, readable from a second connection."""
from __future__ import annotations

import asyncio
import sqlite3

from common.stores.ports import SearchQuery
from common.stores.sqlite_store import SqliteStore
from tests.article_helpers import ARTICLES


def run(coro):
    return asyncio.run(coro)


def test_writes_are_idempotent_upserts(tmp_path):
    async def scenario():
        store = SqliteStore(tmp_path / "s.sqlite3")
        await store.write(ARTICLES)
        await store.write(ARTICLES)
        await store.write(ARTICLES[:1])
        result = await store.search(SearchQuery())
        stats = await store.stats()
        await store.close()
        return result, stats

    result, stats = run(scenario())
    assert result.total == 4 and stats.articles == 4
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 4
    assert db.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == 4
    assert db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == 8  # 4 topics + 4 metrics
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_committed_write_is_visible_to_another_process_connection(tmp_path):
    async def scenario():
        store = SqliteStore(tmp_path / "s.sqlite3")
        await store.write(ARTICLES[:2])
        await store.close()

    run(scenario())
    reader = SqliteStore(tmp_path / "s.sqlite3")
    try:
        assert run(reader.get("a2")).extraction.title == "Lào Cai sáp nhập xã"
    finally:
        run(reader.close())


def test_a_changed_article_replaces_its_rows(tmp_path):
    changed = ARTICLES[0].model_copy(update={"extraction": ARTICLES[0].extraction.model_copy(update={"topics": []})})

    async def scenario():
        store = SqliteStore(tmp_path / "s.sqlite3")
        await store.write(ARTICLES[:1])
        await store.write([changed])
        result = await store.search(SearchQuery(topic=["tinh_gian_bien_che"]))
        await store.close()
        return result

    assert run(scenario()).total == 0


def test_a_document_sqlite_refuses_is_rejected_alone(tmp_path):
    async def scenario():
        store = SqliteStore(tmp_path / "s.sqlite3")
        # Stand-in for any constraint SQLite enforces: refuse a2's metric rows.
        await store._run(lambda: store._db().execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON metrics WHEN NEW.article_id = 'a2' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a constraint'); END"))
        rejected = await store.write(ARTICLES[:3])
        found = [await store.get(i) is not None for i in ("a1", "a2", "a3")]
        await store.close()
        return rejected, found

    rejected, found = run(scenario())
    assert [(r.article_id, r.error) for r in rejected] == [("a2", "IntegrityError")]
    assert "refused by a constraint" in rejected[0].reason
    assert found == [True, False, True]
