"""Per-field agreement of the engine with a hand-annotated gold set, each field compared in its own simple way.

Written for the floor test (test_gold_floors.py; the project does not use the shared scorer). A gold set
is a folder of texts and a folder of gold JSON files, one per text, each naming its text in "file".
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from services.extract.engine import extract, to_contract

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
# Bodies are named more or less fully ("Sở Nội vụ", "Sở Nội vụ tỉnh Lào Cai"): compare their leading words.
ORGANIZATION_WORDS = 3


def _plain(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _bare(text: str) -> str:
    """Case, accents and punctuation away: "UBND tỉnh Đắk Lắk" and "ubnd tinh dak lak" are one name."""
    decomposed = unicodedata.normalize("NFD", _plain(text).replace("đ", "d"))
    return " ".join(re.findall(r"\w+", "".join(c for c in decomposed if not unicodedata.combining(c))))


def golds(gold: Path, only: frozenset[str] | None = None) -> list[dict]:
    """The gold files of a folder, or of the texts named in `only` (a split of one folder)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold.glob("*.json"))
            if only is None or f"{p.stem}.txt" in only]


def _pairs(texts: Path, gold: Path, only: frozenset[str] | None) -> list[tuple[dict, dict]]:
    return [(g, _predicted(texts, g["file"])) for g in golds(gold, only)]


@cache
def _predicted(texts: Path, file: str) -> dict:
    return to_contract(extract((texts / file).read_text(encoding="utf-8")), file)


def _same_share(pairs, field: str, norm) -> float:
    return sum(norm(g[field]) == norm(p[field]) for g, p in pairs) / len(pairs)


def _jaccard(pairs, key) -> float:
    """Over the whole set: shared items / items in either, each article's items taken as a set."""
    shared = either = 0
    for gold, pred in pairs:
        g, p = key(gold), key(pred)
        shared += len(g & p)
        either += len(g | p)
    return shared / either if either else 1.0


def _metric_agreement(pairs) -> float:
    """Dice over metric values: each gold value pairs with one predicted value within 0.1 %."""
    matched = total = 0
    for gold, pred in pairs:
        left = Counter(float(m["value"]) for m in pred["metrics"])
        for m in gold["metrics"]:
            value = float(m["value"])
            twin = next((v for v in left if left[v] and abs(v - value) <= 1e-3 * max(1.0, abs(value))), None)
            if twin is not None:
                left[twin] -= 1
                matched += 1
        total += len(gold["metrics"]) + len(pred["metrics"])
    return 2 * matched / total if total else 1.0


def _names(field: str):
    return lambda article: {_bare(item["name"]) for item in article[field]}


def _roles(article: dict) -> set[tuple[str, str]]:
    return {(_bare(p["name"]), _bare(role)) for p in article["persons"] for role in p.get("roles") or []}


def agreement(texts: Path, gold: Path, field: str, only: frozenset[str] | None = None) -> float:
    """How far the engine agrees with a gold set (texts in `texts`, gold in `gold`, or only the texts named
    in `only`) on one field, 0 to 1."""
    pairs = _pairs(texts, gold, only)
    if field == "title":
        return _same_share(pairs, field, _plain)
    if field in ("published", "source"):
        return _same_share(pairs, field, lambda v: v)
    if field == "authors":
        return _same_share(pairs, field, lambda names: {_plain(n) for n in names})
    if field == "provinces":
        return _jaccard(pairs, lambda a: set(a["provinces"]))
    if field == "legal_documents":
        return _jaccard(pairs, lambda a: {(d["kind"], d["number"]) for d in a["legal_documents"]})
    if field == "metrics":
        return _metric_agreement(pairs)
    if field == "topics":
        return _jaccard(pairs, lambda a: set(a["topics"]))
    if field == "roles":
        return _jaccard(pairs, _roles)
    if field == "organizations":
        return _jaccard(pairs, lambda a: {" ".join(_bare(o["name"]).split()[:ORGANIZATION_WORDS]) for o in a[field]})
    return _jaccard(pairs, _names(field))
