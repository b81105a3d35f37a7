"""Vietnamese number formats as the provincial press prints them."""
import pytest

from services.extract.engine.numbers import NUMBER, is_year, parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("1.875", 1875),  # dots group thousands
        ("35.000", 35000),
        ("1.234.567", 1234567),
        ("10,7", 10.7),  # the comma is the decimal mark
        ("1,33", 1.33),
        ("2.450,5", 2450.5),
        ("1,234,567", 1234567),  # English grouping, unambiguous with two groups
        ("1.5", 1.5),  # a dot before one or two digits is an English decimal point
        ("301", 301),
        ("05", 5),
    ],
)
def test_parse_number_reads_vietnamese_formats(token, value):
    assert parse_number(token) == pytest.approx(value)


def test_parse_number_refuses_what_is_not_a_numeral():
    assert parse_number("") is None
    assert parse_number("khoảng") is None


def _numbers(text: str) -> list[str]:
    return [m.group("num") for m in NUMBER.finditer(text)]


def test_numerals_in_running_text_are_found_whole():
    text = "giảm 1.875 người, đạt 10,7% và thu 35.000 tỷ đồng"
    assert _numbers(text) == ["1.875", "10,7", "35.000"]


@pytest.mark.parametrize(
    "text",
    [
        "dịch Covid-19 bùng phát",  # glued to a name
        "tổng đài 1900.558.826",  # a phone number grouped with dots is not 1900558826
        "xã đạt chuẩn 30a",  # glued letters
        "lúc 14:30",  # the minutes of a clock time
    ],
)
def test_glued_or_telephone_digit_runs_are_not_read_as_quantities(text):
    found = _numbers(text)
    assert "19" not in found and "558" not in found and "30" not in found
    assert "1900558826" not in found


def test_a_fraction_reads_only_its_first_part_and_leaves_the_rest_to_the_caller():
    assert _numbers("có 4/10 huyện đạt chuẩn") == ["4"]


def test_years_are_recognised():
    assert is_year("2015") and is_year("2030")
    assert not is_year("1875") and not is_year("301") and not is_year("20.000")


_NUMBER_AS_FIRST_WRITTEN = (
    r"(?<![\w/\-–+])(?<!\d[.,:])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}|\d+,\d+|\d+\.\d{1,2}(?!\d)|\d+)"
    r"(?![\w]|[.,:]\d)"
)


@pytest.mark.parametrize("text", [
    "giảm 1.875 biên chế, 10,7%, 1,234,567 đồng và 1.5 lần; 301 xã", "Covid-19, 30a, 18-NQ/TW, 1900.558.826, +84 912",
    "9:30, 12.34.567, 1,2,3, 5.000.000,25 và 7", "số 07, ٣ xã, 2024-2025", "", "1", "a1 1a .1 1. 1,",
])
def test_number_matches_as_first_written(text):
    import re

    plain = re.compile(_NUMBER_AS_FIRST_WRITTEN)
    assert [(m.span(), m.group("num")) for m in NUMBER.finditer(text)] == \
        [(m.span(), m.group("num")) for m in plain.finditer(text)]
