"""Why the engine found what it found: `provnews extract --explain` and per-rule precision over gold sets.

Each finding's evidence names the rule that read it. Scored against hand-annotated articles (matched as
the extraction contract scores them), the findings of each rule say how often it is right; a rule that
fires on no gold article at all is listed too, so dead rules and overfitted ones can be seen.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from common.text import fold
from schemas.extraction import Extraction
from services.extract.engine import extract
from services.extract.engine.rules import all_rules

# (articles, their gold annotations), relative to the project root: every gold set the project has. The
# real corpus's once-blind half is among them: it has been fixed against since its second scoring.
DEFAULT_GOLD_SETS = (
    (Path("../shared/seeds"), Path("../shared/gold/seeds")),
    (Path("tests/fixtures/genre"), Path("tests/fixtures/genre/gold")),
    (Path("tests/fixtures/genre2"), Path("tests/fixtures/genre2/gold")),
    (Path("../shared/corpus/articles"), Path("tests/fixtures/corpus/gold")),
)
FIELDS = ("persons", "organizations", "locations", "provinces", "legal_documents", "metrics", "topics")


# --- explain ---------------------------------------------------------------------------------------


def _label(field: str, finding) -> str:
    if field == "persons":
        return finding.name + (f" ({'; '.join(finding.roles)})" if finding.roles else "")
    if field == "locations":
        return f"{finding.name} ({finding.level})"
    if field == "provinces":
        return f"{finding.name} (2025: {finding.name_2025})"
    if field == "legal_documents":
        return " ".join(str(x) for x in (finding.kind, finding.number, finding.code, finding.title) if x)
    if field == "metrics":
        return f"{finding.action} {finding.value:g} {finding.unit} [{finding.qualifier}, level {finding.level}]"
    if field == "topics":
        return finding.id
    return finding.name


def explain_lines(extraction: Extraction) -> Iterable[str]:
    """Each finding, the rules that read it, and each piece of evidence with its rule."""
    for field in FIELDS:
        findings = getattr(extraction, field)
        if not findings:
            continue
        yield f"{field}:"
        for finding in findings:
            rules = ", ".join(dict.fromkeys(e.rule or "?" for e in finding.evidence))
            yield f"  {_label(field, finding)}  <- {rules}"
            for e in finding.evidence:
                yield f"      {e.rule} [{e.start}:{e.end}] {e.sentence}"


# --- matching, as the extraction contract scores ------------------------------------------------

_GENERIC_UNIT_WORDS = frozenset(
    "va cac cua cap nguoi don vi tuong duong so trong o thuoc voi la mot nhung duoc da con".split()
)


def _nfc(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").split()).casefold()


def _words(s: str) -> set[str]:
    return set(fold(s).split())


def _half_of(gold: str, pred: str) -> bool:
    g = _words(gold)
    return bool(g) and 2 * len(g & _words(pred)) >= len(g)


def _province_key(name: str) -> str:
    from common.lexicon import canonical_province_loosely

    return canonical_province_loosely(name) or fold(name)


def _value_close(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-3 * max(1.0, abs(a), abs(b))


def _unit_shares_a_word(gold: str, pred: str) -> bool:
    g = _words(gold) - _GENERIC_UNIT_WORDS or _words(gold)
    return bool(g & _words(pred))


# field -> (the finding as the gold file writes it, same(gold item, predicted item))
_SAME: dict[str, tuple[Callable, Callable]] = {
    "persons": (lambda f: {"name": f.name}, lambda g, p: _nfc(g["name"]) == _nfc(p["name"])),
    "organizations": (lambda f: {"name": f.name},
                      lambda g, p: _half_of(g["name"], p["name"]) and _half_of(p["name"], g["name"])),
    "locations": (lambda f: {"name": f.name},
                  lambda g, p: _half_of(g["name"], p["name"]) and _half_of(p["name"], g["name"])),
    "provinces": (lambda f: f.name, lambda g, p: _province_key(g) == _province_key(p)),
    "legal_documents": (lambda f: {"kind": f.kind, "number": f.number},
                        lambda g, p: g.get("kind") == p["kind"] and fold(str(g.get("number"))) == fold(str(p["number"]))),
    "metrics": (lambda f: {"value": f.value, "unit": f.unit},
                lambda g, p: _value_close(g.get("value"), p["value"]) and _unit_shares_a_word(g.get("unit", ""), p["unit"])),
    "topics": (lambda f: f.id, lambda g, p: g == p),
}


def _matched(field: str, gold: list, findings: list) -> list[bool]:
    """For each finding, whether it matches a gold item (one to one, first fit in gold order)."""
    as_written, same = _SAME[field]
    predicted = [as_written(f) for f in findings]
    hit = [False] * len(findings)
    for g in gold:
        for j, p in enumerate(predicted):
            if not hit[j] and same(g, p):
                hit[j] = True
                break
    return hit


# --- per-rule precision ------------------------------------------------------------------------------


@dataclass
class RuleTally:
    findings: int = 0
    correct: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None


def rule_precision(gold_sets: Iterable[tuple[Path, Path]] = DEFAULT_GOLD_SETS) -> dict[str, RuleTally]:
    """Rule id -> findings it contributed to, and how many of those match the gold annotation. A finding read
    by several rules (a person named once after a title, once after "ông") counts for each."""
    tallies = {r.id: RuleTally() for r in all_rules()}
    for texts, golds in gold_sets:
        for gold_file in sorted(golds.glob("*.json")):
            text_file = texts / f"{gold_file.stem}.txt"
            if not text_file.exists():
                continue
            gold = json.loads(gold_file.read_text(encoding="utf-8"))
            extraction = extract(text_file.read_text(encoding="utf-8"))
            for field in FIELDS:
                findings = getattr(extraction, field)
                for finding, ok in zip(findings, _matched(field, gold.get(field) or [], findings)):
                    for rule_id in dict.fromkeys(e.rule for e in finding.evidence):
                        tally = tallies.setdefault(rule_id or "?", RuleTally())
                        tally.findings += 1
                        tally.correct += ok
    return tallies


def precision_lines(tallies: dict[str, RuleTally]) -> Iterable[str]:
    kinds = {r.id: r for r in all_rules()}
    yield f"{'rule':<44} {'findings':>8} {'correct':>8} {'precision':>9}"
    for rule_id, tally in sorted(tallies.items()):
        rule = kinds.get(rule_id)
        if rule is not None and rule.kind == "filter":
            yield f"{rule_id:<44} {'(a filter: what it drops is not in the output)':>28}"
            continue
        precision = "never fired" if tally.precision is None else f"{tally.precision:.3f}"
        yield f"{rule_id:<44} {tally.findings:>8} {tally.correct:>8} {precision:>9}"
