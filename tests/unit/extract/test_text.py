"""The text layer's scanning helpers: written for speed, they must match exactly what the plain forms match."""
import re

import pytest

from provnews.extract.engine.text import unchanged_by_upper, word_start_alternation

_TEXTS = [
    "Tỉnh Quảng Ninh và tỉnh Quảng Nam; xã Hòa Bình, TP.Huế, Tp Huế.",
    "Hòa Bình-Quảng Ninh, XHòa Bình, 3Quảng Nam, (Quảng Ninh) Quảng Ninh",
    "Quảng", "", "tỉnh tỉnh tỉnh", "12 sở, 3 các sở, các sở gồm",
]


@pytest.mark.parametrize("alternatives", [
    ["Quảng Ninh", "Quảng Nam", "Hòa Bình", "tỉnh", "TP\\.?", "Tp"],
    ["Quảng", "Quảng Ninh"],  # the order decides which of two at one place wins: it must be kept
    [f"{digit}[0-9]*" for digit in "0123456789"] + ["các"],
])
def test_word_start_alternation_matches_as_the_plain_alternation(alternatives):
    not_after = r"[\w.]"
    plain = re.compile(rf"(?<!{not_after})(?:{'|'.join(alternatives)})")
    fast = re.compile(word_start_alternation(alternatives, not_after))
    for text in _TEXTS:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_word_start_alternation_refuses_an_alternative_without_a_plain_first_character():
    with pytest.raises(ValueError):
        word_start_alternation(["[Tt]ỉnh"], r"\w")


@pytest.mark.parametrize("text", [
    "CHÍNH QUYỀN ĐIỆN TỬ", "Chính quyền điện tử", "ĐẮK LẮK", "ĐẮK LắK", "123 - 456", "", "STRASSE ß", "ǅ", "Ä a",
])
def test_unchanged_by_upper_is_upper_equality(text):
    assert unchanged_by_upper(text) == (text.upper() == text)
