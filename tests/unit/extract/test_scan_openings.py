"""Scans written to open where the regex engine skips fast (the metadata's dates tried only where a match can start,
digit-led patterns opening with a listed digit class) find what their plain forms find."""
import re
import unicodedata
from pathlib import Path

import pytest

from common.text import finditer_from
from services.extract.engine import legal_documents, numbers
from services.extract.engine.metadata import _FULL_DATE, _FULL_DATE_STARTS, _PERIOD_OF_YEAR, _PERIOD_STARTS

_EDGES = [
    "Ngày 15/9/2021, tỉnh ban hành; ngày 5 tháng 9 năm 2021-10-5 và 2022-1-30 cũng vậy.",
    "Số 1.5/6/2020, 12/3/2021x, -7/8/2019, /9/10/2018, 3 . 4 . 2020, 31-12-2024 và Ngày  2  tháng 3  năm 2023.",
    "Kết quả 112 tháng đầu năm 2022, 6 tháng đầu năm 2023, 9 tháng/2021, sáu tháng năm 2020, chín tháng đầu năm 2019.",
    "Quý IV/2023, quý II năm 2024, quý III/ 2025, quýIV/2023, sáu tháng2024, ngàyngày 1 tháng 1 năm 2020.",
    "",
    "n",
    "Giảm ١٢ phòng, ＳＯ １２ và 𝟙𝟚 ban; 1.875 người, 1,234,567 đồng, 10,7%, 1.5 lần, Covid-19, 18-NQ/TW.",
    "Theo 18-NQ/TW, ١٨-NQ/TW, 𝟙𝟠-KL/TW, 107/2020/NĐ-CP, 30¬-CTr/TU và 01 - KL/TW; 1234/QĐ-UBND.",
]


def _texts() -> list[str]:
    root = Path(__file__).resolve().parents[3]
    folders = [root / "seeds", root / "tests/fixtures/genre", root / "tests/fixtures/genre2", root.parent / "shared/corpus/articles"]
    texts = [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.glob("*.txt"))]
    return [unicodedata.normalize("NFC", text) for text in texts] + _EDGES


@pytest.mark.parametrize(("pattern", "starts"), [(_FULL_DATE, _FULL_DATE_STARTS), (_PERIOD_OF_YEAR, _PERIOD_STARTS)])
def test_the_date_scans_find_what_finditer_finds(pattern, starts):
    texts = _texts()
    assert len(texts) > 20
    found = 0
    for text in texts:
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in finditer_from(pattern, starts, text)] == expected, text[:80]
        found += len(expected)
    assert found > 5  # the texts exercise the pattern


def test_every_place_a_date_opens_is_a_start():
    # Every position where the pattern matches (not only those a finditer reaches) is one the starts accept there.
    for text in _texts()[-len(_EDGES):] + _texts()[:5]:
        for pattern, starts in ((_FULL_DATE, _FULL_DATE_STARTS), (_PERIOD_OF_YEAR, _PERIOD_STARTS)):
            opens = {i for i in range(len(text)) if pattern.match(text, i)}
            assert opens <= {i for i in opens if starts.match(text, i)}, text[:80]


@pytest.mark.parametrize(
    ("pattern", "listed_digit"),
    [(numbers.NUMBER, numbers._DIGIT), (legal_documents._LONE_SYMBOL, legal_documents._FIRST_DIGIT)],
)
def test_a_scan_opening_with_the_listed_digit_class_finds_what_it_finds_with_a_plain_digit(pattern, listed_digit):
    assert listed_digit in pattern.pattern
    plain = re.compile(pattern.pattern.replace(listed_digit, r"\d", 1))
    found = 0
    for text in _texts():
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in pattern.finditer(text)] == expected, text[:80]
        found += len(expected)
    assert found > 20
