"""Article ids: the same article always gets the same id."""
from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from services.ingest.articles import ArticleSubmission, article_id, normalize_url, to_received

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


@pytest.mark.parametrize("one,other", [
    ("https://x.vn/tin/" + unicodedata.normalize("NFD", "sáp-nhập-xã"), "https://x.vn/tin/sáp-nhập-xã"),
    ("https://x.vn/tin/s%C3%A1p-nh%E1%BA%ADp", "https://x.vn/tin/sáp-nhập"),
    ("https://x.vn/tin/sa%CC%81p", "https://x.vn/tin/s%c3%a1p"),
    ("https://x.vn/%78y", "https://x.vn/xy"),
    ("https://x.vn/a%2Db%5Fc%2Ed%7Ee", "https://x.vn/a-b_c.d~e"),
    ("https://x.vn/a?q=%78", "https://x.vn/a?q=x"),
    ("https://x.vn/a?q=" + unicodedata.normalize("NFD", "sáp"), "https://x.vn/a?q=s%C3%A1p"),
    ("https://x.vn/a%2fb", "https://x.vn/a%2Fb"),
])
def test_same_id_whatever_the_unicode_normalisation_or_escaping_of_unreserved_characters(one, other):
    def id_of(url: str) -> str:
        return to_received(ArticleSubmission(text="x", url=url)).article_id

    assert normalize_url(one) == normalize_url(other)
    assert id_of(one) == id_of(other)


def test_escaped_reserved_characters_keep_their_meaning():
    assert normalize_url("https://x.vn/a%2Fb") != normalize_url("https://x.vn/a/b")
    assert normalize_url("https://x.vn/a%3Fb") != normalize_url("https://x.vn/a?b")
