"""One SQLite connection on one thread, shared by the embedded stores (index, alerts).

SQLite objects must stay on the thread that made them, so every call runs on a single-thread
executor. WAL lets other processes read while this one writes; synchronous=FULL makes a commit
survive power loss, so a Kafka offset may be committed after it.
"""
from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


class SqliteOnOneThread:
    schema: str = ""
    schema_version: int = 1

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0, thread_name: str = "sqlite",
                 owner_only: bool = False):
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._owner_only = owner_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._conn: sqlite3.Connection | None = None

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._owner_only:  # secrets inside: SQLite's -wal and -shm files take the same mode
                self.path.touch(mode=0o600, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(self.schema)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(self.schema_version),))
            self._conn = conn
        return self._conn

    async def ping(self) -> bool:
        try:
            return await self._run(lambda: self._db().execute("SELECT 1").fetchone()[0] == 1)
        except (sqlite3.Error, OSError, RuntimeError):
            return False

    async def close(self) -> None:
        def _close():
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await self._run(_close)
        self._executor.shutdown(wait=True)
