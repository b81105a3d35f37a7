"""Subscriptions and the delivery outbox in one SQLite file (WAL, synchronous=FULL).

The consumer writes matches and their deliveries in one transaction and only then commits its
Kafka offsets; the delivery loop reads due deliveries from here. So a crash anywhere replays or
resends rather than loses, and the unique (subscription_id, story_id) keeps replays from doubling.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from common.mention_filters import Filter
from common.sqlite import SqliteOnOneThread
from schemas.events import AlertedArticle
from services.alerts.ports import (
    AttemptRecord,
    ClaimedDelivery,
    DeliveryRecord,
    DeliveryStatus,
    DigestBatch,
    NewMatch,
    StoreUnavailable,
    Subscription,
)
from services.alerts.retry import AttemptResult

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    filter TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('instant', 'digest')),
    digest_interval INTEGER,
    secret TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_owner ON subscriptions(owner, created_at);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    round_started_at REAL NOT NULL,
    created_at REAL NOT NULL,
    due_at REAL,
    in_flight INTEGER NOT NULL DEFAULT 0,
    delivered_at REAL,
    last_status_code INTEGER,
    last_error TEXT,
    dead_reason TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, in_flight, due_at);
CREATE INDEX IF NOT EXISTS deliveries_subscription ON deliveries(subscription_id, created_at);
CREATE TABLE IF NOT EXISTS matches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    article TEXT NOT NULL,
    matched_at REAL NOT NULL,
    delivery_id TEXT,
    UNIQUE (subscription_id, story_id)
);
CREATE INDEX IF NOT EXISTS matches_undelivered ON matches(subscription_id, delivery_id);
CREATE INDEX IF NOT EXISTS matches_delivery ON matches(delivery_id);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    outcome TEXT NOT NULL CHECK (outcome IN ('in_flight', 'delivered', 'failed', 'interrupted')),
    status_code INTEGER,
    latency_ms REAL,
    error TEXT,
    next_retry_at REAL
);
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts(delivery_id, number);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _ts(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class SqliteAlertStore(SqliteOnOneThread):
    schema = _SCHEMA
    schema_version = SCHEMA_VERSION

    def __init__(self, path: Path):
        super().__init__(path, thread_name="alerts-sqlite", owner_only=True)  # it holds the webhook secrets

    async def _run(self, fn, *args):
        try:
            return await super()._run(fn, *args)
        except sqlite3.OperationalError as exc:  # locked or disk trouble: the caller retries
            raise StoreUnavailable(str(exc)) from exc

    def _tx(self, fn, *args):
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            result = fn(db, *args)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return result

    # -- subscriptions ---------------------------------------------------------------------------
    async def create_subscription(self, subscription: Subscription, secret: str, *, limit: int | None = None) -> bool:
        """Stored, unless its owner already has `limit` subscriptions (then False)."""
        def insert(db) -> bool:
            s = subscription
            if limit is not None and db.execute("SELECT COUNT(*) FROM subscriptions WHERE owner = ?",
                                                (s.owner,)).fetchone()[0] >= limit:
                return False
            db.execute("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (s.id, s.owner, s.name, s.webhook_url, s.filter.model_dump_json(), s.mode, s.digest_interval,
                        secret, s.created_at.timestamp(), s.updated_at.timestamp()))
            return True
        return await self._run(self._tx, insert)

    async def get_subscription(self, subscription_id: str, owner: str) -> Subscription | None:
        def get():
            row = self._db().execute("SELECT * FROM subscriptions WHERE id = ? AND owner = ?",
                                     (subscription_id, owner)).fetchone()
            return _subscription(row) if row else None
        return await self._run(get)

    async def list_subscriptions(self, owner: str) -> list[Subscription]:
        def select():
            rows = self._db().execute("SELECT * FROM subscriptions WHERE owner = ? ORDER BY created_at, id", (owner,))
            return [_subscription(r) for r in rows]
        return await self._run(select)

    async def all_subscriptions(self) -> list[Subscription]:
        def select():
            return [_subscription(r) for r in self._db().execute("SELECT * FROM subscriptions ORDER BY created_at")]
        return await self._run(select)

    async def update_subscription(self, subscription: Subscription) -> bool:
        def update(db):
            s = subscription
            return db.execute(
                """UPDATE subscriptions SET name = ?, webhook_url = ?, filter = ?, mode = ?, digest_interval = ?,
                   updated_at = ? WHERE id = ? AND owner = ?""",
                (s.name, s.webhook_url, s.filter.model_dump_json(), s.mode, s.digest_interval,
                 s.updated_at.timestamp(), s.id, s.owner)).rowcount == 1
        return await self._run(self._tx, update)

    async def delete_subscription(self, subscription_id: str, owner: str) -> bool:
        def delete(db):
            return db.execute("DELETE FROM subscriptions WHERE id = ? AND owner = ?",
                              (subscription_id, owner)).rowcount == 1
        return await self._run(self._tx, delete)

    # -- the outbox ------------------------------------------------------------------------------
    async def record_matches(self, matches: Sequence[NewMatch], now: float) -> list[bool]:
        return await self._run(self._tx, self._record_matches, list(matches), now)

    def _record_matches(self, db: sqlite3.Connection, matches: list[NewMatch], now: float) -> list[bool]:
        kept = []
        for m in matches:
            row = db.execute("SELECT mode FROM subscriptions WHERE id = ?", (m.subscription_id,)).fetchone()
            if row is None:  # deleted since it was matched
                kept.append(False)
                continue
            instant = row["mode"] == "instant"
            inserted = db.execute(
                """INSERT INTO matches (subscription_id, story_id, article_id, article, matched_at, delivery_id)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, story_id) DO NOTHING""",
                (m.subscription_id, m.article.story_id, m.article.article_id, m.article.model_dump_json(), now,
                 m.delivery_id if instant else None)).rowcount
            if inserted and instant:
                db.execute(
                    """INSERT INTO deliveries (id, subscription_id, mode, body, status, round_started_at, created_at, due_at)
                       VALUES (?, ?, 'instant', ?, 'pending', ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
                    (m.delivery_id, m.subscription_id, m.body, now, now, now))
            kept.append(bool(inserted))
        return kept

    async def due_digests(self, now: float) -> list[DigestBatch]:
        def select():
            db = self._db()
            # Digest subscriptions whose oldest waiting match is an interval old; instant ones (switched from
            # digest by a PATCH) with anything left waiting.
            subs = db.execute(
                """SELECT s.* FROM subscriptions s JOIN matches m ON m.subscription_id = s.id
                   WHERE m.delivery_id IS NULL GROUP BY s.id
                   HAVING s.mode = 'instant' OR MIN(m.matched_at) <= ? - COALESCE(s.digest_interval, 0)""",
                (now,)).fetchall()
            batches = []
            for sub in subs:
                rows = db.execute("SELECT id, article FROM matches WHERE subscription_id = ? AND delivery_id IS NULL "
                                  "ORDER BY matched_at, id", (sub["id"],)).fetchall()
                batches.append(DigestBatch(subscription=_subscription(sub), match_ids=[r["id"] for r in rows],
                                           articles=[AlertedArticle.model_validate_json(r["article"]) for r in rows]))
            return batches
        return await self._run(select)

    async def create_digest(self, batch: DigestBatch, delivery_id: str, body: bytes, now: float) -> bool:
        def create(db):
            ids = batch.match_ids
            marks = ",".join("?" * len(ids))
            waiting = db.execute(f"SELECT COUNT(*) FROM matches WHERE delivery_id IS NULL AND id IN ({marks})",  # noqa: S608
                                 ids).fetchone()[0]
            if waiting != len(ids):
                return False
            db.execute(
                """INSERT INTO deliveries (id, subscription_id, mode, body, status, round_started_at, created_at, due_at)
                   VALUES (?, ?, 'digest', ?, 'pending', ?, ?, ?)""",
                (delivery_id, batch.subscription.id, body, now, now, now))
            db.execute(f"UPDATE matches SET delivery_id = ? WHERE id IN ({marks})", (delivery_id, *ids))  # noqa: S608
            return True
        return await self._run(self._tx, create)

    # -- sending ---------------------------------------------------------------------------------
    async def recover(self, now: float) -> int:
        def recover(db):
            db.execute("UPDATE attempts SET outcome = 'interrupted', finished_at = ?, error = 'the service stopped "
                       "before the answer came' WHERE outcome = 'in_flight'", (now,))
            return db.execute("UPDATE deliveries SET in_flight = 0, due_at = MIN(COALESCE(due_at, ?), ?) "
                              "WHERE in_flight = 1", (now, now)).rowcount
        return await self._run(self._tx, recover)

    async def claim_due(self, now: float, limit: int, busy: dict[str, int], per_subscription: int) -> list[ClaimedDelivery]:
        return await self._run(self._tx, self._claim_due, now, limit, dict(busy), per_subscription)

    def _claim_due(self, db, now: float, limit: int, busy: dict[str, int], per_subscription: int) -> list[ClaimedDelivery]:
        rows = db.execute(
            """SELECT d.id, d.subscription_id, d.body, d.attempts, d.round_started_at, s.webhook_url, s.secret
               FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
               WHERE d.status = 'pending' AND d.in_flight = 0 AND d.due_at <= ?
               ORDER BY d.due_at LIMIT ?""", (now, limit * 4 + sum(busy.values()))).fetchall()
        claimed = []
        for row in rows:
            if len(claimed) == limit:
                break
            sub = row["subscription_id"]
            if busy.get(sub, 0) >= per_subscription:  # one slow receiver must not take every sender
                continue
            busy[sub] = busy.get(sub, 0) + 1
            number = db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM attempts WHERE delivery_id = ?",
                                (row["id"],)).fetchone()[0]
            attempt_id = db.execute("INSERT INTO attempts (delivery_id, number, started_at, outcome) "
                                    "VALUES (?, ?, ?, 'in_flight')", (row["id"], number, now)).lastrowid
            db.execute("UPDATE deliveries SET in_flight = 1, attempts = attempts + 1 WHERE id = ?", (row["id"],))
            claimed.append(ClaimedDelivery(id=row["id"], subscription_id=sub, webhook_url=row["webhook_url"],
                                           secret=row["secret"], body=row["body"], attempt_id=attempt_id,
                                           attempts=row["attempts"] + 1, round_started_at=row["round_started_at"]))
        return claimed

    async def finish_attempt(self, claimed: ClaimedDelivery, result: AttemptResult, now: float, *,
                             status: DeliveryStatus, due_at: float | None, dead_reason: str | None) -> None:
        def finish(db):
            db.execute("""UPDATE attempts SET outcome = ?, finished_at = ?, status_code = ?, latency_ms = ?, error = ?,
                          next_retry_at = ? WHERE id = ?""",
                       ("delivered" if status == "delivered" else "failed", now, result.status_code,
                        round(result.latency_ms, 1), result.error, due_at if status == "pending" else None,
                        claimed.attempt_id))
            db.execute("""UPDATE deliveries SET in_flight = 0, status = ?, due_at = ?, last_status_code = ?,
                          last_error = ?, dead_reason = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? END
                          WHERE id = ?""",
                       (status, due_at, result.status_code, result.error, dead_reason, status, now, claimed.id))
        await self._run(self._tx, finish)

    async def next_due(self) -> float | None:
        def select():
            return self._db().execute("SELECT MIN(due_at) FROM deliveries WHERE status = 'pending' "
                                      "AND in_flight = 0").fetchone()[0]
        return await self._run(select)

    async def deliveries(self, subscription_id: str, status: DeliveryStatus | None, limit: int) -> list[DeliveryRecord]:
        def select():
            db = self._db()
            sql = "SELECT * FROM deliveries WHERE subscription_id = ?"
            params: list = [subscription_id]
            if status:
                sql += " AND status = ?"
                params.append(status)
            rows = db.execute(sql + " ORDER BY created_at DESC, id LIMIT ?", (*params, limit)).fetchall()
            out = []
            for row in rows:
                attempts = [
                    AttemptRecord(number=a["number"], started_at=_ts(a["started_at"]), outcome=a["outcome"],
                                  status_code=a["status_code"], latency_ms=a["latency_ms"], error=a["error"],
                                  next_retry_at=_ts(a["next_retry_at"]))
                    for a in db.execute("SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number", (row["id"],))
                ]
                articles = [r[0] for r in db.execute("SELECT article_id FROM matches WHERE delivery_id = ? "
                                                     "ORDER BY matched_at, id", (row["id"],))]
                out.append(DeliveryRecord(
                    id=row["id"], subscription_id=row["subscription_id"], mode=row["mode"], status=row["status"],
                    article_ids=articles, created_at=_ts(row["created_at"]), attempts=attempts,
                    next_retry_at=_ts(row["due_at"]) if row["status"] == "pending" else None,
                    delivered_at=_ts(row["delivered_at"]), last_status_code=row["last_status_code"],
                    dead_reason=row["dead_reason"]))
            return out
        return await self._run(select)

    async def redeliver(self, delivery_id: str, owner: str, now: float) -> Literal["ok", "not_found", "not_dead"]:
        def redeliver(db):
            row = db.execute("SELECT d.status FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id "
                             "WHERE d.id = ? AND s.owner = ?", (delivery_id, owner)).fetchone()
            if row is None:
                return "not_found"
            if row["status"] != "dead":
                return "not_dead"
            db.execute("UPDATE deliveries SET status = 'pending', attempts = 0, round_started_at = ?, due_at = ?, "
                       "dead_reason = NULL WHERE id = ?", (now, now, delivery_id))
            return "ok"
        return await self._run(self._tx, redeliver)


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(id=row["id"], owner=row["owner"], name=row["name"], webhook_url=row["webhook_url"],
                        filter=Filter.model_validate_json(row["filter"]), mode=row["mode"],
                        digest_interval=row["digest_interval"], created_at=_ts(row["created_at"]),
                        updated_at=_ts(row["updated_at"]))
