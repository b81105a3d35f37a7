"""What the feeds service remembers between runs, in one SQLite file (feeds.sqlite3 under the data dir).

Per feed: its validators for conditional GET (ETag, Last-Modified), when to poll it next and how many
polls in a row have failed. Per item: whether its page has been ingested. New items and the feed's new
validators are written in one transaction, so a restart can neither skip an item (validators saved,
items lost) nor take one twice (an item is `posted` only once ingest has acknowledged it).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from common.sqlite import SqliteOnOneThread

ItemStatus = Literal["pending", "posted", "skipped", "failed"]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    next_poll_at REAL NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_status TEXT,
    last_error TEXT,
    polled_at REAL
);
CREATE TABLE IF NOT EXISTS items (
    feed_url TEXT NOT NULL,
    item_key TEXT NOT NULL,
    link TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at REAL NOT NULL DEFAULT 0,
    article_id TEXT,
    reason TEXT,
    PRIMARY KEY (feed_url, item_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_pending ON items(status, feed_url, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: float = 0.0
    failures: int = 0
    last_status: str | None = None
    last_error: str | None = None
    polled_at: float | None = None


@dataclass(frozen=True)
class Item:
    feed_url: str
    item_key: str
    link: str
    status: ItemStatus = "pending"
    attempts: int = 0
    article_id: str | None = None
    reason: str | None = None


class SqliteFeedState(SqliteOnOneThread):
    schema = _SCHEMA

    async def feed(self, url: str) -> FeedState:
        return await self._run(self._feed, url)

    def _feed(self, url: str) -> FeedState:
        row = self._db().execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(**dict(row)) if row else FeedState(url=url)

    async def feeds(self) -> list[FeedState]:
        return await self._run(lambda: [FeedState(**dict(r)) for r in self._db().execute("SELECT * FROM feeds ORDER BY url")])

    async def record_poll(self, state: FeedState, new_items: Sequence[tuple[str, str]] = ()) -> int:
        """The feed's new state and its new items (key, link) in one transaction; returns how many were new."""
        return await self._run(self._record_poll, state, list(new_items))

    def _record_poll(self, state: FeedState, new_items: list[tuple[str, str]]) -> int:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM items WHERE feed_url = ?", (state.url,)).fetchone()[0]
            added = 0
            for key, link in new_items:
                seq += 1
                added += db.execute("INSERT OR IGNORE INTO items (feed_url, item_key, link, seq, status) "
                                    "VALUES (?, ?, ?, ?, 'pending')", (state.url, key, link, seq)).rowcount
            db.execute(
                """INSERT INTO feeds (url, etag, last_modified, next_poll_at, failures, last_status, last_error, polled_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified,
                     next_poll_at=excluded.next_poll_at, failures=excluded.failures, last_status=excluded.last_status,
                     last_error=excluded.last_error, polled_at=excluded.polled_at""",
                (state.url, state.etag, state.last_modified, state.next_poll_at, state.failures, state.last_status,
                 state.last_error, state.polled_at))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    async def known_keys(self, feed_url: str, keys: Sequence[str]) -> set[str]:
        def known() -> set[str]:
            marks = ", ".join("?" * len(keys))
            rows = self._db().execute(f"SELECT item_key FROM items WHERE feed_url = ? AND item_key IN ({marks})",  # noqa: S608
                                      (feed_url, *keys))
            return {r[0] for r in rows}
        return await self._run(known) if keys else set()

    async def due_items(self, feed_url: str, now: float, limit: int) -> list[Item]:
        """Items still to ingest, oldest first, whose next try is due."""
        def due() -> list[Item]:
            rows = self._db().execute(
                "SELECT feed_url, item_key, link, status, attempts, article_id, reason FROM items "
                "WHERE feed_url = ? AND status = 'pending' AND next_try_at <= ? ORDER BY seq LIMIT ?",
                (feed_url, now, limit))
            return [Item(**dict(r)) for r in rows]
        return await self._run(due)

    async def settle(self, item: Item, status: ItemStatus, *, article_id: str | None = None, reason: str | None = None,
                     next_try_at: float = 0.0) -> None:
        """An item's outcome: posted, skipped or failed for good, or pending again from next_try_at."""
        def settle() -> None:
            self._db().execute(
                "UPDATE items SET status = ?, attempts = attempts + 1, article_id = ?, reason = ?, next_try_at = ? "
                "WHERE feed_url = ? AND item_key = ?",
                (status, article_id, reason, next_try_at, item.feed_url, item.item_key))
        await self._run(settle)

    async def items(self, feed_url: str) -> list[Item]:
        """Every item of the feed, in the order they were found."""
        def items() -> list[Item]:
            rows = self._db().execute("SELECT feed_url, item_key, link, status, attempts, article_id, reason FROM items "
                                      "WHERE feed_url = ? ORDER BY seq", (feed_url,))
            return [Item(**dict(r)) for r in rows]
        return await self._run(items)

    async def counts(self, feed_url: str) -> dict[str, int]:
        def counts() -> dict[str, int]:
            rows = self._db().execute("SELECT status, COUNT(*) FROM items WHERE feed_url = ? GROUP BY status", (feed_url,))
            return {r[0]: r[1] for r in rows}
        return await self._run(counts)
