"""Following feeds (services/feeds) against a site on loopback (tests/feeds_site.py), posting to the real
ingest service on the test broker: conditional GET, new items once each, backoff, the SSRF rules, and a
`provnews follow` process killed in the middle and started again."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest

from services.feeds.bootstrap import bootstrap, close
from services.feeds.feedlist import FeedList, FeedListError, load_feeds
from services.feeds.follower import backoff_s
from services.ingest.app import create_app as create_ingest
from tests.conftest import ROOT, wait_until
from tests.feeds_site import Site
from tests.kafka_helpers import read_topic


@pytest.fixture
def site(serve) -> Site:
    site = Site()
    server = serve(site.app())
    site.base_url = server.url
    yield site
    site.released.set()


@pytest.fixture
def ingest_url(settings, serve) -> str:
    return serve(create_ingest(settings)).url


def feeds_of(*urls: str, interval_s: float = 600) -> FeedList:
    return FeedList.model_validate({"defaults": {"interval_s": interval_s}, "feed": [{"url": u} for u in urls]})


def received(settings, count: int) -> list[dict]:
    messages = read_topic(settings.kafka_bootstrap, settings.topic_raw, want=lambda m: len(m) >= count)
    return [json.loads(m.value)["data"] for m in messages]


def follow(settings, feeds: FeedList, ingest_url: str, *rounds_clock: float, allow: bool = True):
    """Rounds of a follower (a new one each call, as after a restart), at the given clock times."""
    s = settings.model_copy(update={"feeds_allowlist": ["127.0.0.1"] if allow else []})

    async def run():
        follower = bootstrap(s, feeds, ingest_url=ingest_url)
        states = []
        try:
            for now in rounds_clock:
                follower.clock = lambda now=now: now
                await follower.round()
                states.append({f.key: await follower.state.feed(f.key) for f in feeds.feed})
            return states, {f.key: await follower.state.counts(f.key) for f in feeds.feed}
        finally:
            await close(follower)
    return asyncio.run(run())


def test_new_items_are_ingested_once_and_unchanged_feeds_answer_304(settings, site, ingest_url):
    feed = f"{site.base_url}/feeds/news.xml"
    feeds = feeds_of(feed)
    follow(settings, feeds, ingest_url, 1000.0, 2000.0)  # the second poll is conditional: 304
    assert site.feed_requests[1].get("if-none-match") == '"v1"'
    site.publish([2, 3, 4, 5])  # 1 drops off the feed, 4 and 5 are new
    states, counts = follow(settings, feeds, ingest_url, 3000.0)
    assert counts[feed] == {"posted": 5}
    assert states[0][feed].etag == '"v2"' and states[0][feed].last_status == "200"
    events = received(settings, 5)
    assert len(events) == 5 and len({e["article_id"] for e in events}) == 5
    titles = [e["title"] for e in events]
    assert titles[0] == "Bắc Kạn sắp xếp 101 thôn, tổ dân phố"  # item 1, the oldest, first
    assert titles[1] == "Cao Bằng giảm 12 phòng, ban sau sắp xếp bộ máy"
    assert sorted(site.page_requests) == sorted(f"/tin/{n}.html" for n in range(1, 6))  # each page fetched once


def test_a_feed_that_fails_is_polled_later_and_later(settings, site, ingest_url):
    urls = {name: f"{site.base_url}{path}" for name, path in (
        ("500", "/status/500.xml"), ("503", "/status/503.xml"), ("garbage", "/feeds/garbage.xml"))}
    states, counts = follow(settings, feeds_of(*urls.values(), interval_s=100), ingest_url, 1000.0, 1500.0)
    first, second = states
    assert first[urls["500"]].last_status == "http_500" and first[urls["500"]].failures == 1
    assert 1100 <= first[urls["500"]].next_poll_at <= 1110  # the interval, then doubling
    assert second[urls["500"]].failures == 2 and 1700 <= second[urls["500"]].next_poll_at <= 1720
    assert first[urls["503"]].next_poll_at >= 1120  # its Retry-After: 120
    assert first[urls["garbage"]].last_status == "unparseable_feed"
    assert all(not c for c in counts.values())
    assert backoff_s(100, 30, 3600, jitter=lambda: 0) == 3600  # capped


def test_items_that_cannot_be_ingested_are_skipped_with_a_reason(settings, site, ingest_url):
    feed = f"{site.base_url}/feeds/odd.xml"
    _, counts = follow(settings.model_copy(update={"max_article_bytes": 256 * 1024}), feeds_of(feed), ingest_url, 1000.0)
    assert counts[feed] == {"skipped": 4, "posted": 1}

    async def reasons():
        follower = bootstrap(settings, feeds_of(feed))
        try:
            return {item.link.rsplit("/", 1)[-1]: item.reason for item in await follower.state.items(feed)}
        finally:
            await close(follower)
    why = asyncio.run(reasons())
    assert "404" in why["missing.html"]
    assert why["file.pdf"].startswith("unexpected_content_type")
    assert why["huge.html"].startswith("too_large")
    assert why["private.html"].startswith("url_refused") and "10.255.255.1" in why["private.html"]
    assert why["7.html"] is None


def test_loopback_is_refused_unless_allowlisted(settings, site, ingest_url):
    feed = f"{site.base_url}/feeds/news.xml"
    states, counts = follow(settings, feeds_of(feed), ingest_url, 1000.0, allow=False)
    assert states[0][feed].last_status == "url_refused" and "loopback" in states[0][feed].last_error
    assert "PROVNEWS_FEEDS_ALLOWLIST" in states[0][feed].last_error
    assert site.feed_requests == [] and not counts[feed]


def test_the_feeds_file_is_checked(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nurl = "https://a.example/rss"\n[[feed]]\nurl = "https://a.example/rss"\n')
    with pytest.raises(FeedListError, match="listed twice"):
        load_feeds(path)
    path.write_text('[[feed]]\nurl = "ftp://a.example/rss"\n')
    with pytest.raises(FeedListError, match="feed.0.url"):
        load_feeds(path)
    with pytest.raises(FeedListError, match="no feeds file"):
        load_feeds(tmp_path / "none.toml")


def test_a_follower_killed_mid_feed_neither_misses_nor_reposts_after_a_restart(settings, site, ingest_url, tmp_path):
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(f'[[feed]]\nurl = "{site.base_url}/feeds/news.xml"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    env.update(PROVNEWS_DATA_DIR=str(settings.data_dir), PROVNEWS_FEEDS_FILE=str(feeds_file),
               PROVNEWS_FEEDS_ALLOWLIST='["127.0.0.1"]', PROVNEWS_FEEDS_INGEST_URL=ingest_url)
    site.hold = {2}  # item 2's page does not answer: the follower is killed while it waits
    follower = subprocess.Popen([sys.executable, "-m", "provnews.cli", "follow"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: "/tin/2.html" in site.page_requests, timeout=60, message="the follower to reach item 2")
        assert len(received(settings, 1)) == 1  # item 1 is in
    finally:
        follower.send_signal(signal.SIGKILL)
        follower.wait(30)
    site.hold, _ = set(), site.released.set()
    site.publish([2, 3, 4, 5])
    again = subprocess.run([sys.executable, "-m", "provnews.cli", "follow", "--once"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    events = received(settings, 5)
    ids = [e["article_id"] for e in events]
    assert len(ids) == 5 == len(set(ids)), [e["title"] for e in events]
    assert [e["url"].rsplit("/", 1)[-1].split("?")[0] for e in events] == [f"{n}.html" if n % 2 else f"tin-{n}.html"
                                                                              for n in range(1, 6)]


def test_where_ingest_asks_for_keys_the_follower_sends_its_own(settings, site, serve):
    from pydantic import SecretStr

    guarded = settings.model_copy(update={"ingest_api_keys": {"feeds": SecretStr("key-feeds")}})
    ingest_url = serve(create_ingest(guarded)).url
    feed = f"{site.base_url}/feeds/news.xml"
    _, counts = follow(settings, feeds_of(feed), ingest_url, 1000.0)  # no key: 401, the items wait
    assert counts[feed] == {"pending": 3}
    keyed = settings.model_copy(update={"ingest_api_key": SecretStr("key-feeds")})
    _, counts = follow(keyed, feeds_of(feed), ingest_url, 2000.0)
    assert counts[feed] == {"posted": 3} and len(received(settings, 3)) == 3
