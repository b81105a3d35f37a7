"""Following feeds: poll each when it is due (conditional GET), remember new items, ingest their pages.

The order of effects is what makes restarts safe: a poll's new items and the feed's new validators are
saved together before any page is fetched; an item is marked `posted` only after ingest answered 202.
A crash in between posts that one item again on restart, under the same article id (ingest derives it
from the page's URL), so the index and the alerts, which are idempotent by id and story, see it once.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import feedparser
import httpx
from trafilatura.utils import decode_file

from common.logs import get_logger
from services.feeds.feedlist import Feed, FeedList
from services.feeds.httpx_fetcher import FEED_TYPES, PAGE_TYPES, FetchFailed, FetchRefused, HttpxFetcher
from services.feeds.sqlite_state import FeedState, Item, SqliteFeedState

log = get_logger(__name__)
ITEMS_PER_ROUND = 50  # pages fetched per feed per round at most, so one long feed does not hold up the rest
ITEM_RETRY_S = 300.0
GONE = (404, 410)


class IngestUnavailable(Exception):
    """Ingest did not take the article this time (503, unreachable): the item stays pending."""


@dataclass(frozen=True)
class Limits:
    max_feed_bytes: int
    max_page_bytes: int
    backoff_max_s: float
    max_item_attempts: int


class IngestPoster:
    """Posts a fetched page to the ingest service's POST /v1/articles."""

    def __init__(self, base_url: str, timeout_s: float, api_key: str | None = None):
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, trust_env=False, headers=headers)

    async def post(self, article: dict) -> tuple[int, dict]:
        """(status, answer) for 2xx and 4xx answers; IngestUnavailable otherwise."""
        try:
            response = await self._client.post("/v1/articles", content=json.dumps(article, ensure_ascii=False).encode(),
                                               headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise IngestUnavailable(f"ingest unreachable: {type(exc).__name__}: {exc}"[:300]) from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            # Not the item's fault (ingest down, busy, or our key refused): it stays pending, said in the log.
            raise IngestUnavailable(f"ingest answered {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError:
            answer = {"detail": response.text[:300]}
        return response.status_code, answer

    async def close(self) -> None:
        await self._client.aclose()


def item_key(entry: dict) -> str:
    """An entry's identity across polls: its id (guid), else its link, else a digest of what it says."""
    for field in ("id", "link"):
        if value := (entry.get(field) or "").strip():
            return value[:1000]
    basis = json.dumps([entry.get("title"), entry.get("published"), entry.get("summary")], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()


def backoff_s(interval_s: float, failures: int, cap_s: float, *, jitter: Callable[[], float] = random.random) -> float:
    """After `failures` failed polls in a row: the interval doubled each time, capped, with up to 10% jitter."""
    delay = min(interval_s * 2 ** max(failures - 1, 0), cap_s)
    return delay * (1 + 0.1 * jitter())


def retry_after_s(value: str | None, now: float) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


class Follower:
    def __init__(self, feeds: FeedList, state: SqliteFeedState, fetcher: HttpxFetcher, poster: IngestPoster,
                 limits: Limits, *, clock: Callable[[], float] = time.time):
        self.feeds, self.state, self.fetcher, self.poster, self.limits, self.clock = \
            feeds, state, fetcher, poster, limits, clock

    # -- polling a feed --------------------------------------------------------------------------
    async def poll(self, feed: Feed) -> FeedState:
        """One conditional GET of the feed; its new items are saved with its new state."""
        before = await self.state.feed(feed.key)
        now, interval = self.clock(), self.feeds.interval_s(feed)
        headers = {k: v for k, v in (("If-None-Match", before.etag), ("If-Modified-Since", before.last_modified)) if v}
        try:
            fetched = await self.fetcher.get(feed.key, max_bytes=self.limits.max_feed_bytes, accept=FEED_TYPES,
                                             headers=headers)
        except (FetchRefused, FetchFailed) as exc:
            return await self._failed(feed, before, getattr(exc, "error", "unreachable"), str(exc))
        if fetched.status == 304:
            after = replace(before, next_poll_at=now + interval, failures=0, last_status="304 not modified",
                            last_error=None, polled_at=now)
            await self.state.record_poll(after)
            log.info("feed.not_modified", feed=feed.key)
            return after
        if fetched.status != 200:
            return await self._failed(feed, before, f"http_{fetched.status}", f"the feed answered {fetched.status}",
                                      retry_after_s(fetched.headers.get("retry-after"), now))
        parsed = feedparser.parse(fetched.body, response_headers={"content-type": fetched.headers.get("content-type", ""),
                                                                  "content-location": fetched.url})
        if parsed.bozo and not parsed.entries:
            return await self._failed(feed, before, "unparseable_feed",
                                      f"not a feed: {parsed.get('bozo_exception', 'no entries')}"[:300])
        entries = [(item_key(e), urljoin(fetched.url, e.get("link") or "")) for e in parsed.entries if e.get("link")]
        known = await self.state.known_keys(feed.key, [k for k, _ in entries])
        new = [(k, link) for k, link in reversed(entries) if k not in known]  # feeds list newest first: oldest in first
        after = replace(before, etag=fetched.headers.get("etag"), last_modified=fetched.headers.get("last-modified"),
                        next_poll_at=now + interval, failures=0, last_status="200", last_error=None, polled_at=now)
        added = await self.state.record_poll(after, new)
        log.info("feed.polled", feed=feed.key, entries=len(parsed.entries), new=added)
        return after

    async def _failed(self, feed: Feed, before: FeedState, error: str, detail: str,
                      retry_after: float | None = None) -> FeedState:
        now, failures = self.clock(), before.failures + 1
        delay = backoff_s(self.feeds.interval_s(feed), failures, self.limits.backoff_max_s)
        if retry_after is not None:
            delay = min(max(delay, retry_after), self.limits.backoff_max_s)
        after = replace(before, next_poll_at=now + delay, failures=failures, last_status=error, last_error=detail[:500],
                        polled_at=now)
        await self.state.record_poll(after)
        log.warning("feed.poll_failed", feed=feed.key, error=error, reason=detail[:300], failures=failures,
                    retry_in_s=round(delay, 1))
        return after

    # -- ingesting its items ---------------------------------------------------------------------
    async def ingest_due(self, feed: Feed) -> int:
        """Fetch and post the feed's pending items, oldest first; returns how many ingest accepted."""
        accepted = 0
        for item in await self.state.due_items(feed.key, self.clock(), ITEMS_PER_ROUND):
            try:
                accepted += await self._ingest(feed, item)
            except IngestUnavailable as exc:
                log.warning("feed.ingest_unavailable", feed=feed.key, reason=str(exc))
                break  # the item stays pending, its attempts untouched; the next round tries again
            except (sqlite3.Error, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - a page that breaks something: given up with the reason, the rest go on
                log.exception("feed.item_failed", feed=feed.key, link=item.link, error=type(exc).__name__)
                await self.state.settle(item, "failed", reason=f"{type(exc).__name__}: {exc}"[:500])
        return accepted

    async def _ingest(self, feed: Feed, item: Item) -> bool:
        try:
            page = await self.fetcher.get(item.link, max_bytes=self.limits.max_page_bytes, accept=PAGE_TYPES)
        except FetchRefused as exc:
            return await self._skip(item, f"{exc.error}: {exc.detail}")
        except FetchFailed as exc:
            return await self._retry(item, str(exc))
        if page.status in GONE:
            return await self._skip(item, f"the page answered {page.status}")
        if page.status != 200:
            return await self._retry(item, f"the page answered {page.status}")
        article = {"html": decode_file(page.body), "url": page.url}
        article.update({k: v for k, v in (("source", feed.source), ("province_hint", feed.province_hint)) if v})
        status, answer = await self.poster.post(article)
        if status == 202:
            await self.state.settle(item, "posted", article_id=answer.get("id"))
            log.info("feed.item_ingested", feed=feed.key, article_id=answer.get("id"), link=item.link)
            return True
        return await self._skip(item, f"ingest refused it: {status} {answer.get('error', '')} {answer.get('detail', '')}")

    async def _skip(self, item: Item, reason: str) -> bool:
        await self.state.settle(item, "skipped", reason=reason[:500])
        log.warning("feed.item_skipped", feed=item.feed_url, link=item.link, reason=reason[:300])
        return False

    async def _retry(self, item: Item, reason: str) -> bool:
        if item.attempts + 1 >= self.limits.max_item_attempts:
            await self.state.settle(item, "failed", reason=reason[:500])
            log.warning("feed.item_failed", feed=item.feed_url, link=item.link, reason=reason[:300],
                        attempts=item.attempts + 1)
        else:
            await self.state.settle(item, "pending", reason=reason[:500],
                                    next_try_at=self.clock() + ITEM_RETRY_S * 2 ** item.attempts)
        return False

    # -- rounds ----------------------------------------------------------------------------------
    async def round(self, *, all_feeds: bool = False) -> float:
        """Poll the feeds that are due (or all of them) and ingest what is pending; the seconds until the next is due."""
        for feed in self.feeds.feed:
            state = await self.state.feed(feed.key)
            try:
                if all_feeds or state.next_poll_at <= self.clock():
                    await self.poll(feed)
                await self.ingest_due(feed)
            except (sqlite3.Error, OSError):
                raise  # the state file itself: nothing can be remembered, so stop (the supervisor restarts us)
            except Exception as exc:  # noqa: BLE001 - one feed's surprise must not stop the others; it is recorded
                log.exception("feed.round_failed", feed=feed.key, error=type(exc).__name__)
                await self._failed(feed, await self.state.feed(feed.key), "internal_error",
                                   f"{type(exc).__name__}: {exc}")
        states = [await self.state.feed(f.key) for f in self.feeds.feed]
        return max(min((s.next_poll_at for s in states), default=self.clock() + 60) - self.clock(), 0.0)

    async def run(self, stop: asyncio.Event, *, max_sleep_s: float = 60.0) -> None:
        """Rounds until stop is set; between rounds, sleep until a feed is due (at most max_sleep_s)."""
        while not stop.is_set():
            wait = await self.round()
            try:
                await asyncio.wait_for(stop.wait(), timeout=min(max(wait, 0.05), max_sleep_s))
            except TimeoutError:
                pass
