"""Web pages posted to the ingest service (on loopback, publishing to a real broker): the received event
carries the page's text, its metadata and the page itself; a page without an article is refused."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from provnews.ingest_client import ingest_files
from services.ingest.app import create_app
from tests.kafka_helpers import end_offsets, read_topic

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "https://baohagiang.example/thoi-su/x.html?utm_source=rss"
CANONICAL = "https://baohagiang.example/thoi-su/ha-giang-giam-15-phong-ban-12345.html"


@pytest.fixture
def ingest(settings, serve):
    return serve(create_app(settings)).url


def published(settings) -> int:
    return sum(end_offsets(settings.kafka_bootstrap, settings.topic_raw).values())


def received_events(settings, count: int) -> list[dict]:
    messages = read_topic(settings.kafka_bootstrap, settings.topic_raw, want=lambda m: len(m) >= count)
    return [json.loads(m.value)["data"] for m in messages]


def test_a_posted_page_is_published_with_its_text_metadata_and_html(ingest, settings):
    html = (PAGES / "semantic.html").read_text(encoding="utf-8")
    response = httpx.post(f"{ingest}/v1/articles", json={"html": html, "url": URL})
    assert response.status_code == 202, response.text
    [event] = received_events(settings, 1)
    assert event["article_id"] == response.json()["id"]
    assert event["html"] == html.strip()
    assert "tinh giản 412 biên chế công chức" in event["text"] and "Tin liên quan" not in event["text"]
    assert event["title"] == "Hà Giang giảm 15 phòng, ban sau sắp xếp bộ máy"
    assert event["published_at"].startswith("2024-10-09")
    assert (event["source"], event["url"], event["authors"]) == ("baohagiang.example", CANONICAL, ["Lan Hương"])


def test_a_page_without_an_article_is_422_and_nothing_is_published(ingest, settings):
    before = published(settings)
    html = (PAGES / "index-page.html").read_text(encoding="utf-8")
    response = httpx.post(f"{ingest}/v1/articles", json={"html": html, "url": "https://baohagiang.example/thoi-su"})
    assert response.status_code == 422 and response.json()["error"] == "no_article_text"
    both = httpx.post(f"{ingest}/v1/articles", json={"html": html, "text": "x"})
    assert both.status_code == 422 and "either text or html" in both.json()["detail"]
    assert published(settings) == before


def test_a_page_over_the_article_limit_is_413(ingest, settings):
    html = (PAGES / "semantic.html").read_text(encoding="utf-8")
    padded = html.replace("</body>", "<!--" + "x" * settings.max_article_bytes + "--></body>")
    response = httpx.post(f"{ingest}/v1/articles", json={"html": padded, "url": URL})
    assert response.status_code == 413


def test_batch_lines_and_the_ingest_command_take_pages(ingest, settings, tmp_path):
    lines = [json.dumps({"html": (PAGES / name).read_text(encoding="utf-8")}) for name in ("portal.html", "index-page.html")]
    response = httpx.post(f"{ingest}/v1/articles:batch", content="\n".join(lines) + "\n",
                          headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 207
    assert [(r["status"], r.get("error")) for r in response.json()["results"]] == [(202, None), (422, "no_article_text")]
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ha-giang.html").write_text((PAGES / "semantic.html").read_text(encoding="utf-8"), encoding="utf-8")
    summary = ingest_files([folder], ingest, show_progress=False)
    assert len(summary.accepted) == 1 and not summary.rejected
    events = received_events(settings, 2)
    assert [e["title"] for e in events] == ["Bắc Kạn sắp xếp 122 thôn, tổ dân phố",
                                            "Hà Giang giảm 15 phòng, ban sau sắp xếp bộ máy"]
    assert events[1]["url"] == CANONICAL  # from the page's canonical link: the file had no URL
