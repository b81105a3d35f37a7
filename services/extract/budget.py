"""The engine in a child process with a time budget per article.

A pure-Python function cannot be interrupted from another thread, so the engine runs in a process of
its own: an article that takes longer than the budget has its process killed and replaced, and the
stream dead-letters the article and goes on. It also keeps the engine's CPU work off the event loop
that heartbeats, fetches and publishes, so the worker uses a second core while it extracts.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from common.logs import get_logger

log = get_logger(__name__)
STARTUP_TIMEOUT_S = 120.0


class OverBudget(Exception):
    """The engine took longer than the budget on one article."""


class EngineFailed(Exception):
    """The engine raised; `kind` is the exception's class, the message its traceback."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the child process
    from services.extract.engine import extract

    conn.send(("ready",))
    while True:
        try:
            text, options = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", extract(text, **options)))
        except Exception as exc:  # the parent dead-letters the article with this
            conn.send(("error", type(exc).__name__, "".join(traceback.format_exception(exc))))


class BudgetedEngine:
    """`await engine.extract(text, **options)` in a child process, killed and replaced past `budget_s`."""

    def __init__(self, budget_s: float):
        self.budget_s = budget_s
        self._context = multiprocessing.get_context("spawn")  # never fork a process with an event loop and threads
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        # One thread: calls reach the child in the order they were made.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")

    def _start(self) -> None:
        """A new child, once it has imported the engine: starting one is never charged to an article's budget."""
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child,), name="provnews-engine", daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        try:
            started = parent.poll(STARTUP_TIMEOUT_S) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            started = False
        if not started:
            self._kill()
            raise EngineFailed("EngineProcessDidNotStart",
                               f"the engine process did not start within {STARTUP_TIMEOUT_S:g} s")

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(10)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def _call(self, text: str, options: dict[str, Any]):
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._kill()
                self._start()
            assert self._conn is not None
            self._conn.send((text, options))
            if not self._conn.poll(self.budget_s):
                self._kill()
                raise OverBudget(f"extraction took longer than the budget of {self.budget_s:g} s")
            try:
                reply = self._conn.recv()
            except EOFError as exc:  # the child died (out of memory, killed): the article goes to the DLQ
                self._kill()
                raise EngineFailed("EngineProcessDied", f"the engine process died: exit code "
                                   f"{self._process.exitcode if self._process else '?'}") from exc
        if reply[0] == "ok":
            return reply[1]
        raise EngineFailed(reply[1], reply[2])

    def warm_up(self) -> None:
        """Start the child ahead of the first article."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._kill()
                self._start()

    async def extract(self, text: str, **options):
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._call, text, options)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            if self._process is not None:
                self._process.join(5)
                if self._process.is_alive():
                    self._process.kill()
            self._process = self._conn = None
