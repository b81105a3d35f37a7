"""The text layer's scanning helpers: written for speed, they must match exactly what the plain forms match."""
import re
from pathlib import Path

import pytest

from common.text import (
    finditer_from,
    finditer_opening_with,
    listed_class,
    opening_characters,
    unchanged_by_upper,
    word_start_alternation,
)

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


def _article_texts() -> list[str]:
    root = Path(__file__).resolve().parents[3]
    folders = [root / "seeds", root / "tests/fixtures/genre", root / "tests/fixtures/genre2", root.parent / "shared/corpus/articles"]
    return [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.glob("*.txt"))]


def test_the_named_act_scans_find_what_finditer_finds():
    from services.extract.engine.legal_documents import (
        _LOWER_NAMED,
        _LOWER_NAMED_STARTS,
        _NAMED_ACT,
        _NAMED_ACT_STARTS,
    )

    texts = _article_texts()
    assert len(texts) > 20
    for pattern, starts in ((_NAMED_ACT, _NAMED_ACT_STARTS), (_LOWER_NAMED, _LOWER_NAMED_STARTS)):
        found = 0
        for text in texts:
            expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in finditer_from(pattern, starts, text)] == expected
            found += len(expected)
        assert found > 0  # the texts exercise the pattern


def test_finditer_from_keeps_finditers_order_and_skips_overlaps():
    pattern = re.compile(r"ab+c|b+")
    starts = re.compile(r"[ab]")
    for text in ["abbc bbb abc", "", "xbx", "abbbbc"]:
        assert [m.span() for m in finditer_from(pattern, starts, text)] == [m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize(("pattern", "opening"), [
    ("(?:[Bb]an|BCH)x?", "BbB"),
    ("(?=[A-Z])(?<![a-z])(?:Ab|Cd)", "AC"),  # look-arounds take no character
    ("(?P<name>Sở)", "S"),
    ("a?b", "ab"),  # an optional item: the match may open with what follows
    ("(?:Ủy ban )?(?:MTTQ|[Mm]ặt trận)", "ỦMm"),
    ("x{2,3}", "x"),
    ("[a-c]z", "abc"),
])
def test_opening_characters_of_a_pattern(pattern, opening):
    assert opening_characters(pattern) == frozenset(opening)


@pytest.mark.parametrize("pattern", [r"\w+", "[^a]", "(?i:ab)", "(?i)ab", "(?:a|)b", "(?:ab)?", "x*", ""])
def test_a_pattern_that_may_open_with_anything_says_so(pattern):
    assert opening_characters(pattern) is None


@pytest.mark.parametrize("pattern", ["(?:[Bb]an|BCH)x?", "a?b", "(?:Ủy ban )?(?:MTTQ|[Mm]ặt trận)", "[a-c]z"])
def test_no_match_opens_outside_the_opening_characters(pattern):
    opening = opening_characters(pattern)
    text = "Ban BCHx ab b Ủy ban MTTQ mặt trận Mặt trận az cz dz x"
    starts = {m.start() for m in re.finditer(pattern, text)}
    assert starts
    assert all(text[s] in opening for s in starts)


@pytest.mark.parametrize(("pattern", "openings"), [
    (r"(?:sáp\s+nhập|hợp\s+nhất)(?:\s+\w+){0,2}\s+(?:xã|huyện)(?!\w)", ("sáp", "hợp")),
    (r"xã\s+\w+", ("xã",)),
    (r"(?:thôn|xã|huyện)\s+tổ\s+dân\s+phố(?!\w)", ("thôn", "xã", "huyện")),
])
@pytest.mark.parametrize("text", [
    "sáp nhập xã a, hợp nhất các huyện; sáp  nhập 3 xã hợp nhất xã xã b",
    "thôn tổ dân phố xã tổ  dân phố huyện tổ dân phốx", "", "xã", "không có gì",
])
def test_finditer_opening_with_finds_what_finditer_finds(pattern, openings, text):
    compiled = re.compile(pattern)
    assert [m.span() for m in finditer_opening_with(compiled, openings, text)] == [
        m.span() for m in compiled.finditer(text)
    ]


@pytest.mark.parametrize("one_character", [r"[^\w\s]", r"\w", r"[^\S\n]", r"[.,;:]"])
def test_listed_class_matches_what_the_pattern_matches(one_character):
    beyond = "".join(map(chr, (0x10000, 0x1D400, 0x1D7CE, 0x1F600, 0x20000, 0x2F800, 0xE0001, 0x10FFFF)))
    characters = "".join(map(chr, range(0x10000))) + beyond + "Sáp nhập, tinh gọn: «bộ máy» — 2025…"
    listed = re.compile(listed_class(one_character))
    assert [m.span() for m in listed.finditer(characters)] == [
        m.span() for m in re.finditer(one_character, characters)
    ]


def test_listed_class_takes_one_character_only():
    with pytest.raises(ValueError):
        listed_class(r"\w+")
