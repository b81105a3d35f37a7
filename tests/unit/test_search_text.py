"""Folding and highlighting, shared by both storage adapters."""
from __future__ import annotations

from provnews.indexer.search_layout import fold, has_diacritics, snippet


def test_fold_strips_marks_and_d_stroke_keeping_length():
    text = "Tinh giản biên chế ở Đắk Lắk, đồng chí"
    assert fold(text) == "tinh gian bien che o dak lak, dong chi"
    assert len(fold(text)) == len(text)


def test_has_diacritics():
    assert has_diacritics("sáp nhập") and has_diacritics("đ")
    assert not has_diacritics("sap nhap") and not has_diacritics("SAP")


def test_snippet_marks_matches_found_without_diacritics_and_escapes_html():
    out = snippet("Bài có <script>alert(1)</script> và sáp nhập xã.", ["sap", "nhap"])
    assert "<mark>sáp</mark> <mark>nhập</mark>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_snippet_without_a_match_is_the_escaped_opening():
    assert snippet("a < b", ["zzz"]) == "a &lt; b"
