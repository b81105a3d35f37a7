"""Pages and feeds end to end: `provnews up` with a feeds file runs the feeds service, which follows a feed on
a loopback site (tests/feeds_site.py); its items, and a page posted by hand, end up searchable with the
title, date and source the pages give."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_stack, search, wait_until
from tests.feeds_site import Site, item_page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.fixture(scope="module")
def site_and_stack(tmp_path_factory):
    from tests.conftest import ServerThread

    site = Site()
    with ServerThread(site.app()) as server:
        site.base_url = server.url
        tmp = tmp_path_factory.mktemp("feeds-stack")
        s = make_stack(tmp)
        (tmp / "feeds.toml").write_text(f'[defaults]\ninterval_s = 2\n\n[[feed]]\nurl = "{site.base_url}/feeds/news.xml"\n'
                                        'name = "Tin tỉnh"\n', encoding="utf-8")
        s.env["PROVNEWS_FEEDS_ALLOWLIST"] = json.dumps(["127.0.0.1"])
        s.start("--no-seeds", timeout=180)
        try:
            yield site, s
        finally:
            s.stop()
            site.released.set()


def test_a_feeds_items_become_searchable_with_the_pages_metadata(site_and_stack):
    site, stack = site_and_stack
    query = stack.url("query")
    assert any(line.startswith("feeds ") for line in stack.output), stack.output
    wait_until(lambda: search(query, size=50)["total"] >= 3, timeout=90, message="the feed's three items indexed",
               explain=lambda: stack.log_tail("feeds", "ingest"))
    hits = {h["title"]: h for h in search(query, q="sap xep bo may", size=50)["hits"]}
    semantic = hits["Cao Bằng giảm 12 phòng, ban sau sắp xếp bộ máy"]  # item 2: the page's headline
    # The text's own lead day ("Sáng 8/10") is the engine's date; the year, which the text omits, is the page's.
    assert semantic["published"] == "2024-10-08" and semantic["source"] == "baohagiang.example"
    assert semantic["url"] == "https://baohagiang.example/thoi-su/tin-2.html"
    assert "Cao Bằng" in semantic["provinces"]
    article = httpx.get(f"{query}/v1/articles/{semantic['id']}").json()
    assert article["extraction"]["authors"] == ["Lan Hương"]
    assert "Đọc nhiều" not in article["raw_text"] and "Giấy phép" not in article["raw_text"]

    site.publish([1, 2, 3, 4])  # a new item: picked up at the next poll, 2 s later
    wait_until(lambda: search(query, size=50)["total"] >= 4, timeout=60, message="the new item indexed")
    assert search(query, size=50)["total"] == 4  # and nothing twice
    feeds = httpx.get(f"{stack.url('feeds')}/v1/feeds").json()["feeds"]
    assert feeds[0]["items"] == {"posted": 4} and feeds[0]["last_status"] in ("200", "304 not modified")


def test_a_page_posted_by_hand_is_searchable_with_its_metadata(site_and_stack):
    _, stack = site_and_stack
    html = item_page(6).replace("Sáng 8/10, ", "")  # a semantic layout (Lào Cai) whose text names no day
    response = httpx.post(f"{stack.url('ingest')}/v1/articles", json={"html": html, "url": "https://baohagiang.example/x/6"},
                          timeout=30)
    assert response.status_code == 202, response.text
    article_id = response.json()["id"]
    query = stack.url("query")
    wait_until(lambda: httpx.get(f"{query}/v1/articles/{article_id}").status_code == 200, timeout=60,
               message="the page indexed")
    # The text says no date: the page's (first publication, not the later update) fills it.
    [hit] = [h for h in search(query, q="Lào Cai giảm 16 phòng, ban")["hits"] if h["id"] == article_id]
    assert (hit["title"], hit["published"], hit["source"]) == (
        "Lào Cai giảm 16 phòng, ban sau sắp xếp bộ máy", "2024-10-09", "baohagiang.example")
