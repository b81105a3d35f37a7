"""Article ids: the same article always gets the same id."""
from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from provnews.ingest.articles import ArticleSubmission, article_id, normalize_url, to_received

TEXT = "Tỉnh đã giảm 81 phòng, ban, chi cục."


def test_url_normalisation_ignores_scheme_www_fragment_tracking_and_trailing_slash():
    assert normalize_url("http://WWW.BaoQuangNinh.vn/tin/a.html?utm_source=fb#top") == normalize_url(
        "https://baoquangninh.vn/tin/a.html"
    )
    assert normalize_url("https://x.vn/a?id=2&b=1") == normalize_url("https://x.vn/a?b=1&id=2")
    assert normalize_url("https://x.vn/a?id=2") != normalize_url("https://x.vn/a?id=3")


def test_id_comes_from_the_url_when_there_is_one():
    assert article_id(text="one text", url="https://x.vn/a") == article_id(text="another", url="https://x.vn/a/")
    assert article_id(text=TEXT, url="https://x.vn/a") != article_id(text=TEXT, url="https://x.vn/b")


def test_id_from_text_is_the_same_for_nfc_and_nfd_and_spacing():
    nfd = unicodedata.normalize("NFD", TEXT)
    assert nfd != TEXT
    assert article_id(text=nfd, url=None) == article_id(text=TEXT, url=None)
    assert article_id(text=TEXT.replace(" ", "  ") + "\n", url=None) == article_id(text=TEXT, url=None)
    assert article_id(text=TEXT + " Thêm.", url=None) != article_id(text=TEXT, url=None)


def test_received_text_is_nfc():
    received = to_received(ArticleSubmission(text=unicodedata.normalize("NFD", TEXT)))
    assert received.text == unicodedata.normalize("NFC", TEXT)


@pytest.mark.parametrize("body", [
    b'{"text": ""}', b'{"text": "   "}', b'{"text": 42}', b'{"text": "x", "url": "not a url"}',
    b'{"text": "x", "published_at": "yesterday"}', b'{"text": "x", "unknown": 1}', b'{"title": "no text"}',
])
def test_submission_refuses_bad_shapes(body):
    with pytest.raises(ValidationError):
        ArticleSubmission.model_validate_json(body)


def test_submission_accepts_dates_and_datetimes():
    assert ArticleSubmission.model_validate_json(b'{"text":"x","published_at":"2024-03-09"}').published_at.year == 2024
    stamp = ArticleSubmission.model_validate_json(b'{"text":"x","published_at":"2024-03-09T18:45:00+07:00"}')
    assert stamp.published_at.hour == 18
