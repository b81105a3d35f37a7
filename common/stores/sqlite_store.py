"""The embedded store: one SQLite file in WAL mode, FTS5 for search with and without diacritics.

FTS5's unicode61 tokenizer strips combining marks but leaves `đ` alone (it is a letter of its own,
not d plus a mark), so the folded columns are folded by `documents.fold` before they reach SQLite.
A query without diacritics searches the folded columns; a query with them searches the exact ones.
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.logs import get_logger
from common.mentions import reform_mentions
from common.sqlite import SqliteOnOneThread
from common.stores.ports import (
    FACETS,
    FacetCount,
    Hit,
    KeptArticles,
    MetricPage,
    MetricRow,
    Prepare,
    QueryTimedOut,
    RebuildRefused,
    Rejected,
    SearchQuery,
    SearchResult,
    Stats,
    StoredArticle,
    StoreUnavailable,
    Swapped,
    Timeline,
    TimelineSeries,
    TimelineSplit,
)
from common.stores.search_layout import facet_values, fold, has_diacritics, query_terms, snippet, version_of
from schemas.events import ExtractedArticle

SCHEMA_VERSION = 1
FACET_LIMIT = 20
MAX_VERSIONS = 20  # of one article, the latest kept
REBUILD_BATCH = 200  # rows read at a time from the live file
# A write stamped just before the rebuild started may commit after the rebuild read its snapshot: carrying over
# a margin more costs a few idempotent rewrites.
REBUILD_MARGIN = timedelta(seconds=5)
log = get_logger(__name__)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    story_id TEXT NOT NULL,
    title TEXT,
    url TEXT,
    source TEXT,
    published TEXT,
    received_at TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    doc TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS article_facets (
    article_id TEXT NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (article_id, facet, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_by_value ON article_facets(facet, value, article_id);
CREATE TABLE IF NOT EXISTS metrics (
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    action TEXT, value REAL, unit TEXT, qualifier TEXT, level TEXT,
    provinces TEXT, provinces_2025 TEXT, published TEXT, sentence TEXT,
    metric_class TEXT, class_rule TEXT, reduces INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, position)
);
CREATE TABLE IF NOT EXISTS mentions (
    mention_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT,
    published TEXT,
    provinces TEXT, provinces_2025 TEXT, persons TEXT, sentence TEXT
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body, title_folded, body_folded, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS article_versions (
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    title TEXT, source TEXT, url TEXT,
    raw_text TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);
"""


# Columns added since a store file was first made: added in place (rows indexed before have NULL until a reindex).
_ADDED_COLUMNS = {"metrics": (("metric_class", "TEXT"), ("class_rule", "TEXT"), ("reduces", "INTEGER NOT NULL DEFAULT 0"))}


class SqliteStore(SqliteOnOneThread):
    """Writes on one thread; reads on a small pool of read-only connections (WAL lets them run while a
    write does), each stopped by SQLite's progress handler once it runs over `query_timeout_s`, so one
    heavy search neither blocks the others nor runs for ever."""

    schema = _SCHEMA
    schema_version = SCHEMA_VERSION
    PROGRESS_EVERY = 1000  # SQLite virtual-machine steps between deadline checks

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0, readers: int = 4,
                 query_timeout_s: float = 10.0):
        super().__init__(path, busy_timeout_s=busy_timeout_s, thread_name="sqlite-writer")
        self.query_timeout_s = query_timeout_s
        self._reader_pool = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._schema_ready = False

    def _db(self) -> sqlite3.Connection:
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            return reader
        fresh = self._conn is None
        db = super()._db()
        if fresh:  # the writer's connection: columns added since the file was made are added in place
            for table, columns in _ADDED_COLUMNS.items():
                have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns:
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")  # noqa: S608 - fixed names
        return db

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "connection", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)  # used by its own thread; closed by close()
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only=ON")
            conn.set_progress_handler(self._over_time, self.PROGRESS_EVERY)
            with self._readers_lock:
                self._readers.append(conn)
            self._local.connection = conn
        return conn

    def _over_time(self) -> int:
        deadline = getattr(self._local, "deadline", None)
        return 1 if deadline is not None and time.monotonic() > deadline else 0

    async def _read(self, fn, *args):
        if not self._schema_ready:  # the writer's connection creates the schema first
            await self._run(self._db)
            self._schema_ready = True

        def call():
            self._local.reader = self._reader()
            self._local.deadline = time.monotonic() + self.query_timeout_s
            try:
                return fn(*args)
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise QueryTimedOut(f"the query ran over {self.query_timeout_s:g} s and was stopped") from exc
                raise StoreUnavailable(str(exc)) from exc
            finally:
                self._local.reader = self._local.deadline = None

        return await asyncio.get_running_loop().run_in_executor(self._reader_pool, call)

    async def close(self) -> None:
        self._reader_pool.shutdown(wait=True)
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        await super().close()

    # -- writing ---------------------------------------------------------------------------------
    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        try:
            return await self._run(self._write, list(articles))
        except sqlite3.OperationalError as exc:  # locked or disk trouble: the caller retries
            raise StoreUnavailable(str(exc)) from exc

    def _write(self, articles: list[ExtractedArticle]) -> list[Rejected]:
        db = self._db()
        now = datetime.now(UTC).isoformat()
        rejected: list[Rejected] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for article in articles:
                # One savepoint per article: a document SQLite refuses is rejected alone, the batch goes on.
                db.execute("SAVEPOINT article")
                try:
                    self._upsert(db, article, now)
                except sqlite3.OperationalError:
                    raise
                except (sqlite3.DatabaseError, ValueError, OverflowError) as exc:
                    db.execute("ROLLBACK TO article")
                    rejected.append(Rejected(article_id=article.article_id, error=type(exc).__name__, reason=str(exc)))
                db.execute("RELEASE article")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return rejected

    def _record_version(self, db: sqlite3.Connection, article: ExtractedArticle) -> None:
        """An article posted again with other text is a new version, kept with the earlier ones (the latest
        MAX_VERSIONS), not a silent overwrite; the same text again (a replay, a repeat) changes nothing."""
        row = db.execute("SELECT doc FROM articles WHERE id = ?", (article.article_id,)).fetchone()
        if row is None:
            return
        new = version_of(json.loads(article.model_dump_json()))
        latest = db.execute("SELECT version, text_sha256 FROM article_versions WHERE article_id = ? "
                            "ORDER BY version DESC LIMIT 1", (article.article_id,)).fetchone()
        if latest is None:
            old_doc = json.loads(row["doc"])
            old = version_of(old_doc)
            if old["text_sha256"] == new["text_sha256"]:
                return
            self._insert_version(db, article.article_id, old, old_doc.get("raw_text") or "")
            number = 2
        elif latest["text_sha256"] == new["text_sha256"]:
            return
        else:
            number = latest["version"] + 1
        self._insert_version(db, article.article_id, {**new, "version": number}, article.raw_text)
        db.execute("DELETE FROM article_versions WHERE article_id = ? AND version <= ?",
                   (article.article_id, number - MAX_VERSIONS))
        log.info("article.revised", article_id=article.article_id, version=number, chars=new["chars"])

    @staticmethod
    def _insert_version(db: sqlite3.Connection, article_id: str, version: dict, raw_text: str) -> None:
        db.execute("INSERT OR REPLACE INTO article_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (article_id, version["version"], version["received_at"], version["text_sha256"], version["title"],
                    version["source"], version["url"], raw_text))

    def _upsert(self, db: sqlite3.Connection, article: ExtractedArticle, now: str) -> None:
        self._record_version(db, article)
        ex = article.extraction
        published = article.published.isoformat() if article.published else None
        row = db.execute(
            """INSERT INTO articles (id, story_id, title, url, source, published, received_at, engine_version, doc, indexed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET story_id=excluded.story_id, title=excluded.title, url=excluded.url,
                 source=excluded.source, published=excluded.published, received_at=excluded.received_at,
                 engine_version=excluded.engine_version, doc=excluded.doc, indexed_at=excluded.indexed_at
               RETURNING rowid""",
            (article.article_id, article.story_id, ex.title, article.url, article.source, published,
             article.received_at.isoformat(), ex.engine_version, article.model_dump_json(), now),
        ).fetchone()
        rowid = row[0]
        for table in ("article_facets", "metrics", "mentions"):
            db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article.article_id,))  # noqa: S608 - fixed names
        db.execute("DELETE FROM articles_fts WHERE rowid = ?", (rowid,))
        title, body = ex.title or "", ex.clean_text or article.raw_text
        db.execute("INSERT INTO articles_fts (rowid, title, body, title_folded, body_folded) VALUES (?, ?, ?, ?, ?)",
                   (rowid, title, body, fold(title), fold(body)))
        facets = facet_values(article)
        db.executemany("INSERT OR IGNORE INTO article_facets VALUES (?, ?, ?)",
                       [(article.article_id, facet, value) for facet in FACETS for value in facets[facet]])
        provinces, provinces_2025 = json.dumps(facets["province"], ensure_ascii=False), json.dumps(facets["province_2025"], ensure_ascii=False)
        db.executemany(
            "INSERT INTO metrics (article_id, position, action, value, unit, qualifier, level, provinces, provinces_2025, "
            "published, sentence, metric_class, class_rule, reduces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(article.article_id, i, m.action, m.value, m.unit, m.qualifier, m.level, provinces, provinces_2025, published,
              m.evidence[0].sentence if m.evidence else m.text, m.metric_class, m.class_rule, int(m.reduces))
             for i, m in enumerate(ex.metrics)],
        )
        db.executemany(
            "INSERT OR REPLACE INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(m.mention_id, m.article_id, m.kind, m.topic, published, provinces, provinces_2025,
              json.dumps(m.persons, ensure_ascii=False), m.evidence[0].sentence if m.evidence else None)
             for m in reform_mentions(article)],
        )

    # -- reading ---------------------------------------------------------------------------------
    async def search(self, query: SearchQuery) -> SearchResult:
        return await self._read(self._search, query)

    def _search(self, query: SearchQuery) -> SearchResult:
        db = self._db()
        join, condition, params = _conditions(query)
        terms = query_terms(query.q) if query.q else []
        matching = f"SELECT a.id FROM articles a {join} WHERE {condition}"
        if query.collapse:
            candidates = f"SELECT a.story_id FROM articles a {join} WHERE {condition}"
            total = db.execute(f"SELECT COUNT(DISTINCT story_id) FROM ({candidates})", params).fetchone()[0]
        else:
            total = db.execute(f"SELECT COUNT(*) FROM ({matching})", params).fetchone()[0]
        rows = db.execute(_hits_sql(query) + " LIMIT ? OFFSET ?",
                          [*params, query.size, (query.page - 1) * query.size]).fetchall()
        hits = [_hit(ExtractedArticle.model_validate_json(row["doc"]), terms, row["duplicates"]) for row in rows]
        facet_rows = db.execute(
            f"""SELECT facet, value, COUNT(*) AS n FROM article_facets WHERE article_id IN ({matching})
                GROUP BY facet, value ORDER BY facet, n DESC, value""",
            params,
        ).fetchall()
        facets: dict[str, list[FacetCount]] = {f: [] for f in FACETS}
        for row in facet_rows:
            bucket = facets[row["facet"]]
            if len(bucket) < FACET_LIMIT:
                bucket.append(FacetCount(value=row["value"], count=row["n"]))
        return SearchResult(total=total, page=query.page, size=query.size, hits=hits, facets=facets)

    async def get(self, article_id: str) -> StoredArticle | None:
        return await self._read(self._get, article_id)

    def _get(self, article_id: str) -> StoredArticle | None:
        db = self._db()
        row = db.execute("SELECT doc, story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        duplicates = db.execute(
            "SELECT id, title, source, url, published FROM articles WHERE story_id = ? AND id != ? ORDER BY published, id",
            (row["story_id"], article_id),
        ).fetchall()
        doc = json.loads(row["doc"])
        versions = [dict(v) for v in db.execute(
            "SELECT version, received_at, title, source, url, text_sha256, length(raw_text) AS chars "
            "FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,))]
        return StoredArticle.model_validate(
            {**doc, "duplicates": [dict(d) for d in duplicates], "versions": versions or [version_of(doc)]})

    async def stats(self) -> Stats:
        return await self._read(self._stats)

    def _stats(self) -> Stats:
        db = self._db()

        def counts(sql: str) -> list[FacetCount]:
            return [FacetCount(value=r[0], count=r[1]) for r in db.execute(sql).fetchall()]

        def facet(name: str) -> list[FacetCount]:
            return counts(f"SELECT value, COUNT(*) n FROM article_facets WHERE facet = '{name}' GROUP BY value ORDER BY n DESC, value")

        return Stats(
            articles=db.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
            by_province=facet("province"),
            by_province_2025=facet("province_2025"),
            by_topic=facet("topic"),
            by_month=counts("SELECT substr(published, 1, 7) m, COUNT(*) FROM articles WHERE published IS NOT NULL GROUP BY m ORDER BY m"),
        )

    # -- the explorer: a timeline and the metrics for the current filter -------------------------------
    async def timeline(self, query: SearchQuery, split: TimelineSplit) -> Timeline:
        return await self._read(self._timeline, query, split)

    def _timeline(self, query: SearchQuery, split: TimelineSplit) -> Timeline:
        db = self._db()
        matching, params = _matching(query)
        by_month = [FacetCount(value=r[0], count=r[1]) for r in db.execute(
            f"""SELECT substr(published, 1, 7) m, COUNT(*) FROM articles
                WHERE published IS NOT NULL AND id IN ({matching}) GROUP BY m ORDER BY m""", params)]
        undated = db.execute(f"SELECT COUNT(*) FROM articles WHERE published IS NULL AND id IN ({matching})",
                             params).fetchone()[0]
        series: dict[str, list[FacetCount]] = {}
        for row in db.execute(
            f"""SELECT f.value, substr(a.published, 1, 7) m, COUNT(*) FROM articles a
                JOIN article_facets f ON f.article_id = a.id AND f.facet = ?
                WHERE a.published IS NOT NULL AND a.id IN ({matching}) GROUP BY f.value, m ORDER BY m""",
            [split, *params],
        ):
            series.setdefault(row[0], []).append(FacetCount(value=row[1], count=row[2]))
        ranked = sorted(series.items(), key=lambda kv: (-sum(c.count for c in kv[1]), kv[0]))
        return Timeline(split=split, by_month=by_month, undated=undated,
                        series=[TimelineSeries(value=v, total=sum(c.count for c in months), by_month=months)
                                for v, months in ranked])

    async def list_metrics(self, query: SearchQuery) -> MetricPage:
        return await self._read(self._list_metrics, query)

    def _list_metrics(self, query: SearchQuery) -> MetricPage:
        db = self._db()
        matching, params = _matching(query)
        total = db.execute(f"SELECT COUNT(*) FROM metrics WHERE article_id IN ({matching})",
                           params).fetchone()[0]
        rows = db.execute(_metrics_sql(matching) + " LIMIT ? OFFSET ?",
                          [*params, query.size, (query.page - 1) * query.size]).fetchall()
        return MetricPage(total=total, page=query.page, size=query.size, metrics=[_metric_row(r) for r in rows])

    # -- streams: every matching row in one read, in chunks (exports and the scoreboard) --------------
    # On the writer's thread and connection, which the query service otherwise leaves idle: a cursor stays
    # on the connection that opened it, and an export is bounded by its row limit, not by query_timeout_s.
    async def stream_hits(self, query: SearchQuery, chunk: int = 500) -> AsyncIterator[list[Hit]]:
        """The hits of search, in its order, without paging: one snapshot of the store, read a chunk at a time."""
        _, _, params = _conditions(query)
        terms = query_terms(query.q) if query.q else []
        cursor = await self._run(lambda: self._db().execute(_hits_sql(query), params))
        try:
            while rows := await self._run(cursor.fetchmany, chunk):
                yield [_hit(ExtractedArticle.model_validate_json(r["doc"]), terms, r["duplicates"]) for r in rows]
        finally:
            await self._run(cursor.close)

    async def stream_metrics(self, query: SearchQuery, chunk: int = 1000) -> AsyncIterator[list[MetricRow]]:
        """The rows of list_metrics, in its order, without paging."""
        matching, params = _matching(query)
        cursor = await self._run(lambda: self._db().execute(_metrics_sql(matching), params))
        try:
            while rows := await self._run(cursor.fetchmany, chunk):
                yield [_metric_row(r) for r in rows]
        finally:
            await self._run(cursor.close)

    async def refresh(self) -> None:
        """Nothing to do: a search sees a write as soon as write() returns."""

    # -- reindexing (provnews reindex) -------------------------------------------------------------
    def rebuild(self, *, delete_old: bool = False) -> SqliteRebuild:
        """A new file next to this one, copied in at the end (delete_old: nothing to delete, no old copy is kept)."""
        return SqliteRebuild(self)

    async def swap_from(self, built: Path, *, changed_since: str,
                        prepare: Callable[[list[ExtractedArticle]], list[ExtractedArticle]]) -> int:
        """Replace this store's contents with those of the store built at `built`, in one transaction.

        Renaming the built file over the live one would strand running services on the old inode and mix
        WAL files, so its rows are copied in instead: writers wait, readers see the old contents until the
        commit. Articles indexed here after `changed_since` (the indexer kept running during the rebuild)
        are carried over through `prepare`. Returns how many were carried over."""
        return await self._run(self._swap_from, built, changed_since, prepare)

    def _swap_from(self, built: Path, changed_since: str, prepare) -> int:
        db = self._db()
        db.execute("ATTACH DATABASE ? AS built", (str(built),))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                meanwhile = [ExtractedArticle.model_validate_json(row[0]) for row in db.execute(
                    "SELECT doc FROM main.articles WHERE indexed_at > ? ORDER BY rowid", (changed_since,))]
                for table in ("articles", "article_facets", "metrics", "mentions", "articles_fts"):
                    columns = ", ".join(r[1] for r in db.execute(f"PRAGMA main.table_info({table})"))
                    if table == "articles_fts":
                        columns = "rowid, " + columns
                    db.execute(f"DELETE FROM main.{table}")  # noqa: S608 - fixed names
                    db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM built.{table}")  # noqa: S608
                now = datetime.now(UTC).isoformat()
                carried = prepare(meanwhile)
                for article in carried:
                    self._upsert(db, article, now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.execute("DETACH DATABASE built")
        return len(carried)


def _conditions(query: SearchQuery) -> tuple[str, str, list]:
    """The FTS join, the WHERE condition and its parameters for the query's text and filters."""
    where, params, join = [], [], ""
    if query.q and (terms := query_terms(query.q)):
        exact = has_diacritics(query.q)
        columns = "{title body}" if exact else "{title_folded body_folded}"
        match = " ".join('"' + (t if exact else fold(t)).replace('"', '""') + '"' for t in terms)
        join = "JOIN articles_fts ON articles_fts.rowid = a.rowid"
        where.append("articles_fts MATCH ?")
        params.append(f"{columns} : ({match})")
    for facet, values in (("topic", query.topic), ("person", query.person),
                          ("organization", query.organization), ("document", query.document),
                          ("source", query.source), ("year", [str(y) for y in query.year])):
        if values:
            where.append("a.id IN (SELECT article_id FROM article_facets "
                         f"WHERE facet = ? AND value IN ({_marks(values)}))")
            params += [facet, *values]
    if query.province:
        where.append("a.id IN (SELECT article_id FROM article_facets "
                     f"WHERE facet IN ('province', 'province_2025') AND value IN ({_marks(query.province)}))")
        params += query.province
    if query.date_from:
        where.append("a.published >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to:
        where.append("a.published <= ?")
        params.append(query.date_to.isoformat())
    return join, " AND ".join(where) or "1", params


def _matching(query: SearchQuery) -> tuple[str, list]:
    """SQL selecting the ids of the articles that match the query's text and filters, with its parameters."""
    join, condition, params = _conditions(query)
    return f"SELECT a.id FROM articles a {join} WHERE {condition}", params


def _hits_sql(query: SearchQuery) -> str:
    """The hits of a search in order (id, doc, duplicates), for _conditions' parameters; paging is added by callers."""
    join, condition, _ = _conditions(query)
    score = "bm25(articles_fts, 10.0, 1.0, 10.0, 1.0)" if join else "0"
    candidates = (f"SELECT a.id, a.doc, a.story_id, a.published, a.received_at, {score} AS score "
                  f"FROM articles a {join} WHERE {condition}")
    order = "score, published DESC, id" if join else "published DESC NULLS LAST, received_at DESC, id"
    if query.collapse:
        # One hit per story: its best-ranked article, with how many other matching articles it stands for.
        return (f"SELECT id, doc, n - 1 AS duplicates FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY story_id "
                f"ORDER BY {order}) AS nth, COUNT(*) OVER (PARTITION BY story_id) AS n FROM ({candidates})) "
                f"WHERE nth = 1 ORDER BY {order}")
    return f"SELECT id, doc, 0 AS duplicates FROM ({candidates}) ORDER BY {order}"


def _metrics_sql(matching: str) -> str:
    return (f"""SELECT m.*, a.title, a.source, a.url, a.story_id FROM metrics m JOIN articles a ON a.id = m.article_id
                WHERE m.article_id IN ({matching})
                ORDER BY m.published DESC NULLS LAST, a.received_at DESC, m.article_id, m.position""")


def _metric_row(r: sqlite3.Row) -> MetricRow:
    return MetricRow(article_id=r["article_id"], position=r["position"], title=r["title"], source=r["source"],
                     url=r["url"], published=r["published"], action=r["action"] or "", value=r["value"],
                     unit=r["unit"] or "", qualifier=r["qualifier"] or "exact", level=r["level"],
                     provinces=json.loads(r["provinces"] or "[]"), provinces_2025=json.loads(r["provinces_2025"] or "[]"),
                     sentence=r["sentence"] or "", story_id=r["story_id"], metric_class=r["metric_class"],
                     reduces=bool(r["reduces"]))


def _marks(values: Sequence) -> str:
    return ", ".join("?" * len(values))


def _hit(article: ExtractedArticle, terms: list[str], duplicates: int = 0) -> Hit:
    ex = article.extraction
    facets = facet_values(article)
    return Hit(id=article.article_id, story_id=article.story_id, title=ex.title, url=article.url, source=article.source,
               published=article.published, provinces=facets["province"], provinces_2025=facets["province_2025"],
               topics=facets["topic"], snippet=snippet(ex.clean_text or article.raw_text, terms), duplicates=duplicates)


class SqliteRebuild:
    """The StoreRebuild of a SqliteStore: a new file next to the live one, whose rows are copied into the live
    file in one transaction at the end (SqliteStore.swap_from), and then deleted."""

    def __init__(self, live: SqliteStore):
        self.live = live
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = live.path.with_name(f"{live.path.name}.rebuild-{stamp}")
        self.name = f"sqlite {live.path}"
        self.build: SqliteStore | None = SqliteStore(self.path)
        self.live_at_start = 0  # what the rebuild must at least hold; later articles are carried over at the swap

    async def begin(self) -> None:
        self.live_at_start = _count_articles(self.live.path) if self.live.path.exists() else 0

    async def kept_articles(self) -> KeptArticles:
        path = self.live.path
        if not path.exists():
            raise RebuildRefused(f"no SQLite store at {path}")
        # Read-only, on a connection of its own: the live file is neither migrated nor locked by the reading.
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        total = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

        async def rows() -> AsyncIterator[ExtractedArticle]:
            try:
                cursor = db.execute("SELECT doc FROM articles ORDER BY rowid")
                while chunk := await asyncio.to_thread(cursor.fetchmany, REBUILD_BATCH):
                    for (doc,) in chunk:
                        yield ExtractedArticle.model_validate_json(doc)
            finally:
                db.close()

        return KeptArticles(where=f"the articles in {path}", total=total, articles=rows())

    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        return await self.build.write(articles)

    async def finish(self, *, since: datetime, prepare: Prepare, allow_fewer: bool) -> Swapped:
        await self._close_build()
        built, live = _count_articles(self.path), self.live_at_start
        if built < live and not allow_fewer:
            raise RebuildRefused(f"the rebuild has {built} articles, the live store {live}: not swapped "
                                 "(--allow-fewer swaps anyway)")
        carried = await self.live.swap_from(self.path, changed_since=(since - REBUILD_MARGIN).isoformat(),
                                            prepare=prepare)
        self._remove_build()
        return Swapped(carried_over=carried, notes=[f"swapped the rebuilt store into {self.live.path} ({built} articles)"])

    async def abort(self) -> None:
        await self._close_build()
        self._remove_build()

    async def close(self) -> None:
        await self._close_build()

    async def _close_build(self) -> None:
        if self.build is not None:
            build, self.build = self.build, None
            await build.close()

    def _remove_build(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _count_articles(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        db.close()
