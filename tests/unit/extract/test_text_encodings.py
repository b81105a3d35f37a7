"""The same article however its text was encoded: line ends, a byte-order mark, no-break spaces, tabs.

Pages reach the engine from many crawlers and editors. What it extracts must not depend on which of them
wrote the text, so every real excerpt and seed is extracted as given and in each variant, and compared.
"""
from __future__ import annotations

import unicodedata

import pytest

from services.extract.engine import extract, to_contract
from tests.unit.extract.gold_agreement import SHARED

TEXTS = sorted((SHARED / "corpus" / "articles").glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
VARIANTS = {
    "windows line ends": lambda t: t.replace("\n", "\r\n"),
    "old Mac line ends": lambda t: t.replace("\n", "\r"),
    "byte-order mark": lambda t: "\ufeff" + t,
    "no-break spaces": lambda t: t.replace(" ", "\u00a0", 60),
    "decomposed accents": lambda t: unicodedata.normalize("NFD", t),
    "blanks at line ends": lambda t: "\n".join(line + " \t" for line in t.split("\n")),
}


def _contract(text: str) -> dict:
    found = to_contract(extract(text), "article.txt")
    found.pop("evidence", None)  # offsets into the cleaned text, which is the same text in each variant
    return found


def test_there_are_texts_to_compare():
    assert len(TEXTS) >= 50


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_an_article_gives_the_same_extraction_whatever_its_encoding(variant):
    changed = []
    for path in TEXTS:
        text = path.read_text(encoding="utf-8")
        base, other = _contract(text), _contract(VARIANTS[variant](text))
        changed += [f"{path.name}: {field}" for field in base if base[field] != other.get(field)]
    assert not changed, f"{variant} changes " + ", ".join(changed)
