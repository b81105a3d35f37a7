"""The engine on the second held-out genre set (tests/fixtures/genre2): agreement must not drop.

Eight articles from other provinces, outlets and shapes (an interview, a numbered district report, a
bulletin, a flattened table, a national piece, a 2025 new-commune report, a 2016 date line, a portal
reprint) were written and annotated by hand and committed before the engine was run on them; the blind
score is recorded in the commit history. The floors sit just under what the engine scored after the
fixes that followed, so a regression fails here. Fields are compared as in test_genre_set.py.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from provnews.extract.engine import extract, to_contract

GENRE2 = Path(__file__).resolve().parents[2] / "fixtures" / "genre2"

# Measured after the fixes: title, published, source, authors, locations, legal documents 1.0;
# provinces 0.875 (Hải Dương is named only in 002's masthead and footer); metrics 0.98; topics 0.885;
# persons 0.875 (a name cut after "Phó Chủ tịch UBND tỉnh"); organizations 0.654 (leading words;
# unit-level bodies such as "Phòng Nội vụ huyện ..." and "Trạm Y tế xã ..." are missed).
FLOORS = {
    "title": 0.99,
    "published": 0.99,
    "source": 0.99,
    "authors": 0.99,
    "provinces": 0.85,
    "locations": 0.95,
    "legal_documents": 0.95,
    "metrics": 0.95,
    "topics": 0.85,
    "persons": 0.85,
    "organizations": 0.62,
}
ORGANIZATION_WORDS = 3


def _plain(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _plain(text).replace("đ", "d"))
    return " ".join(re.findall(r"\w+", "".join(c for c in decomposed if not unicodedata.combining(c))))


def _golds() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((GENRE2 / "gold").glob("*.json"))]


@cache
def _predicted(file: str) -> dict:
    return to_contract(extract((GENRE2 / file).read_text(encoding="utf-8")), file)


def _pairs() -> list[tuple[dict, dict]]:
    return [(gold, _predicted(gold["file"])) for gold in _golds()]


def _same_share(field: str, norm) -> float:
    pairs = _pairs()
    return sum(norm(g[field]) == norm(p[field]) for g, p in pairs) / len(pairs)


def _jaccard(key) -> float:
    shared = either = 0
    for gold, pred in _pairs():
        g, p = key(gold), key(pred)
        shared += len(g & p)
        either += len(g | p)
    return shared / either if either else 1.0


def _metric_agreement() -> float:
    matched = total = 0
    for gold, pred in _pairs():
        left = Counter(float(m["value"]) for m in pred["metrics"])
        for m in gold["metrics"]:
            value = float(m["value"])
            twin = next((v for v in left if left[v] and abs(v - value) <= 1e-3 * max(1.0, abs(value))), None)
            if twin is not None:
                left[twin] -= 1
                matched += 1
        total += len(gold["metrics"]) + len(pred["metrics"])
    return 2 * matched / total if total else 1.0


def _agreement(field: str) -> float:
    if field == "title":
        return _same_share(field, _plain)
    if field in ("published", "source"):
        return _same_share(field, lambda v: v)
    if field == "authors":
        return _same_share(field, lambda names: {_plain(n) for n in names})
    if field == "provinces":
        return _jaccard(lambda a: set(a["provinces"]))
    if field == "legal_documents":
        return _jaccard(lambda a: {(d["kind"], d["number"]) for d in a["legal_documents"]})
    if field == "metrics":
        return _metric_agreement()
    if field == "topics":
        return _jaccard(lambda a: set(a["topics"]))
    if field == "organizations":
        return _jaccard(lambda a: {" ".join(_bare(o["name"]).split()[:ORGANIZATION_WORDS]) for o in a[field]})
    return _jaccard(lambda a: {_bare(item["name"]) for item in a[field]})


def test_the_second_genre_set_is_complete():
    texts = sorted(p.name for p in GENRE2.glob("*.txt"))
    assert len(texts) >= 8
    assert [g["file"] for g in _golds()] == texts


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_field_agreement_stays_above_its_floor(field):
    agreement = _agreement(field)
    assert agreement >= FLOORS[field], f"{field}: agreement {agreement:.3f} fell below {FLOORS[field]}"
