"""A web page as an article (services/ingest/pages.py): the main text without the site's furniture,
and the metadata, on pages written for these tests in the layouts provincial sites use."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.ingest.articles import ArticleSubmission, article_id, to_received
from services.ingest.pages import NoArticleText, read_page

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
FURNITURE = ("Tin liên quan", "Đọc nhiều", "Quảng cáo", "Giấy phép", "Trang chủ", "Tìm kiếm", "Thống kê truy cập",
             "Các tin khác", "In bài viết", "Chia sẻ Facebook", "Cơ quan chủ quản", "Liên kết website", "dataLayer")


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_a_semantic_page_gives_its_text_and_metadata():
    found = read_page(page("semantic.html"), "https://baohagiang.example/thoi-su/x.html?utm_source=rss")
    assert "toàn tỉnh đã giảm 15 phòng, ban thuộc các sở, ngành và 4 chi cục" in found.text
    assert "tinh giản 412 biên chế công chức" in found.text
    assert not [f for f in FURNITURE if f in found.text]
    assert found.title == "Hà Giang giảm 15 phòng, ban sau sắp xếp bộ máy"
    assert found.published == date(2024, 10, 9)  # first published, not the later update
    assert found.authors == ["Lan Hương"]
    assert found.site_name == "Báo Hà Giang"
    assert found.canonical_url == "https://baohagiang.example/thoi-su/ha-giang-giam-15-phong-ban-12345.html"
    assert found.source == "baohagiang.example"


def test_a_portal_of_tables_and_divs_with_json_ld():
    found = read_page(page("portal.html"), "https://backan.example/tin-tuc/bac-kan-sap-xep-122-thon.html")
    assert "cắt giảm 86 thủ tục hành chính" in found.text and "giảm 192 người hoạt động không chuyên trách" in found.text
    assert not [f for f in FURNITURE if f in found.text]
    assert found.title == "Bắc Kạn sắp xếp 122 thôn, tổ dân phố"
    assert found.published == date(2023, 5, 16)
    assert found.authors == ["Trần Quang Minh"]
    assert found.source == "backan.example"  # no canonical link: the URL it came from


def test_a_list_page_has_no_article():
    with pytest.raises(NoArticleText):
        read_page(page("index-page.html"), "https://baohagiang.example/thoi-su")
    with pytest.raises(NoArticleText):
        read_page("<html><body></body></html>")


def test_a_canonical_link_to_the_home_page_is_not_the_articles_url():
    html = page("semantic.html").replace("https://baohagiang.example/thoi-su/ha-giang-giam-15-phong-ban-12345.html",
                                         "https://baohagiang.example/")
    assert read_page(html, "https://baohagiang.example/a/1.html").canonical_url == "https://baohagiang.example/a/1.html"


def test_a_submitted_page_becomes_the_received_article_with_the_page_kept():
    html = page("semantic.html")
    received = to_received(ArticleSubmission(html=html, url="https://baohagiang.example/thoi-su/x.html?utm_source=rss"))
    assert received.html == html.strip()  # as submitted (the model strips outer whitespace)
    assert received.title == "Hà Giang giảm 15 phòng, ban sau sắp xếp bộ máy"
    assert received.published_at.date() == date(2024, 10, 9)
    assert received.source == "baohagiang.example" and received.authors == ["Lan Hương"]
    assert received.url == "https://baohagiang.example/thoi-su/ha-giang-giam-15-phong-ban-12345.html"
    # The same article reached from a feed link with tracking, or from its canonical address: one id.
    assert received.article_id == article_id(text="", url=received.url)
    assert "giảm 37 đơn vị sự nghiệp công lập" in received.text and "Đọc nhiều" not in received.text


def test_what_the_submission_says_wins_over_the_page():
    received = to_received(ArticleSubmission(html=page("portal.html"), title="Tiêu đề riêng", source="backan.gov.example",
                                             published_at=date(2023, 5, 17)))
    assert (received.title, received.source, received.published_at.date()) == (
        "Tiêu đề riêng", "backan.gov.example", date(2023, 5, 17))


@pytest.mark.parametrize("body", [
    {"text": "x", "html": "<p>x</p>"}, {"url": "https://x.example/a"}, {"html": ""}, {"html": 5},
])
def test_a_submission_is_text_or_html_not_both_nor_neither(body):
    with pytest.raises(ValidationError):
        ArticleSubmission.model_validate_json(json.dumps(body))


def test_the_largest_page_ingest_takes_still_fits_every_kafka_size():
    """A page is refused over max_article_bytes; one just under it, all text, makes the largest received event:
    the page and its text, which must stay under the size every topic and producer allows."""
    from common.settings import Settings
    from schemas.events import ArticleReceived

    settings = Settings()
    def paragraph(n: int) -> str:  # each one different: trafilatura drops repeated paragraphs
        return f"<p>Đoạn {n}: " + f"tỉnh đã giảm {n} phòng, ban thuộc sở và tinh giản {n + 7} biên chế công chức. " * 8 + "</p>\n"
    parts, size = [], 200  # the JSON body's own bytes around the page
    while size + (grown := len(json.dumps(paragraph(len(parts)), ensure_ascii=False).encode()) - 2) \
            < settings.max_article_bytes:
        parts.append(paragraph(len(parts)))
        size += grown
    body = "".join(parts)
    html = f"<html><head><title>Trang lớn</title></head><body><article>{body}</article></body></html>"
    received = to_received(ArticleSubmission(html=html, url="https://x.example/a"))
    size = len(ArticleReceived.wrap(received, subject=received.article_id, event_id="x").to_bytes())
    assert len(received.text) > 0.5 * len(html) and size <= settings.max_event_bytes
