"""Vietnamese number formats: find numerals in running text and read their value."""
from __future__ import annotations

import re

from common.text import listed_class

# A numeral standing on its own: not glued to letters ("Covid-19", "30a"), to a slash or hyphen
# code ("18-NQ/TW"), nor part of a longer digit run with separators ("1900.558.826").
# (Written to open with its first digit, then the checks on what stands before that digit, then the rest of each
# form: `(?<![\w/\-–+])(?<!\d[.,:])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|...|\d+)` matches the same, but the regex
# engine cannot skip ahead to the digits of a text with it.) The first digit is a listed class, which the engine
# tests faster than `\d`'s Unicode category.
_DIGIT = listed_class(r"\d")
NUMBER = re.compile(
    rf"(?P<num>{_DIGIT}"
    r"(?<![\w/\-–+]\d)(?<!\d[.,:]\d)(?:"
    r"\d{0,2}(?:\.\d{3})+(?:,\d+)?"  # 1.875 / 35.000 / 1.234,5: dots group thousands, the comma is decimal
    r"|\d{0,2}(?:,\d{3}){2,}"  # 1,234,567: English grouping, only when unambiguous (two groups or more)
    r"|\d*,\d+"  # 10,7 / 1,33: the comma is the decimal mark
    r"|\d*\.\d{1,2}(?!\d)"  # 1.5: an English decimal point (a dot before 3 digits would be grouping)
    r"|\d*"
    r"))"
    r"(?![\w]|[.,:]\d)"
)
# "4/10 huyện": a count out of a total; the slash part is checked by the caller against dates.
FRACTION_TAIL = re.compile(r"\s*/\s*(\d{1,3}(?:\.\d{3})+|\d{1,4})(?![\w/])")  # "1.727/2.072 thôn" too


_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3}){2,}")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")


def parse_number(token: str) -> float | None:
    """The value of a numeral as Vietnamese prints it: `1.875` is 1875, `10,7` is 10.7."""
    token = token.strip()
    if not token or not token[0].isdigit():
        return None
    if _THOUSANDS.fullmatch(token):
        whole, _, decimals = token.partition(",")
        return float(whole.replace(".", "") + ("." + decimals if decimals else ""))
    if _ENGLISH_THOUSANDS.fullmatch(token):
        return float(token.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(token):
        return float(token.replace(",", "."))
    if _PLAIN.fullmatch(token):
        return float(token)
    return None


def is_year(token: str) -> bool:
    """A bare four-digit year of the modern era ("2015", "2016 - 2020")."""
    return len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100
