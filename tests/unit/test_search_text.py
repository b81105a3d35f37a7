"""Folding and highlighting, shared by both storage adapters."""
from __future__ import annotations

from common.stores.search_layout import fold, has_diacritics, snippet


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


def lines_run(fn, *args) -> int:
    """How many Python lines `fn(*args)` executes (loops count once per turn): work, not wall-clock time."""
    import sys

    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return count


def test_snippet_work_is_linear_in_the_occurrences_of_a_repeated_word():
    """One word repeated thousands of times made a search take 24 s: the window search was quadratic."""
    def work(n: int) -> int:
        return lines_run(snippet, "Bài thử. " + "giảm " * n, ["giam"])

    small, large = work(400), work(1600)
    assert large <= 4.4 * small, (small, large)  # four times the text, not sixteen times the work


def test_snippet_prefers_the_window_holding_the_most_distinct_terms():
    text = "sáp " * 100 + "x " * 200 + "sáp nhập xã " + "y " * 200
    out = snippet(text, ["sap", "nhap", "xa"])
    assert "<mark>sáp</mark> <mark>nhập</mark> <mark>xã</mark>" in out
