"""`provnews metric-classes`: how the scoreboard's classes (common/metric_classes.py) fare on the gold sets.

Three measures: (1) the gold metrics' own units, each classified: how many each rule takes and which read
nothing; (2) the hand-labelled units of tests/fixtures/metric_classes/labelled.tsv, scored; (3) the engine's
metrics on the gold articles that match a gold metric: whether the class of the unit the engine read is the
class of the unit the annotator wrote (so a unit read too short or too long shows up).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from common.metric_classes import classify_unit
from provnews.rule_report import DEFAULT_GOLD_SETS, _matched
from services.extract.engine import extract

LABELLED = Path("tests/fixtures/metric_classes/labelled.tsv")


def labelled(path: Path = LABELLED) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(unit, expected) for unit, expected in (line.split("\t") for line in lines if line and not line.startswith("#"))]


def report(gold_sets: Iterable[tuple[Path, Path]] = DEFAULT_GOLD_SETS, labelled_file: Path = LABELLED) -> list[str]:
    by_rule, unread, gold_total = Counter(), Counter(), 0
    agree = disagree = 0
    disagreements: list[str] = []
    for texts, golds in gold_sets:
        for gold_file in sorted(golds.glob("*.json")):
            gold = json.loads(gold_file.read_text(encoding="utf-8")).get("metrics") or []
            for metric in gold:
                gold_total += 1
                _, rule = classify_unit(metric["unit"])
                by_rule[rule or "(none read it)"] += 1
                if rule is None:
                    unread[metric["unit"]] += 1
            text_file = texts / f"{gold_file.stem}.txt"
            if not text_file.exists():
                continue
            found = extract(text_file.read_text(encoding="utf-8")).metrics
            unmatched = list(gold)
            for finding, ok in zip(found, _matched("metrics", gold, found)):
                if not ok:
                    continue
                match = next((g for g in unmatched if abs(g["value"] - finding.value) < 1e-6), None)
                if match is None:
                    continue
                unmatched.remove(match)
                expected = classify_unit(match["unit"])[0]
                if finding.metric_class == expected:
                    agree += 1
                else:
                    disagree += 1
                    disagreements.append(f"  {gold_file.stem}: read {finding.unit!r} -> {finding.metric_class}, "
                                         f"gold {match['unit']!r} -> {expected}")
    pairs = labelled(labelled_file)
    wrong = [(u, e, classify_unit(u)[0] or "none") for u, e in pairs if (classify_unit(u)[0] or "none") != e]
    lines = [f"gold metrics: {gold_total}, by the rule that classified their unit:"]
    lines += [f"  {rule:<32} {n:>4}  {n / gold_total:6.1%}" for rule, n in by_rule.most_common()]
    lines += [f"units no rule reads ({sum(unread.values())}):"] + [f"  {u}" for u, _ in unread.most_common()]
    lines += [f"hand-labelled units: {len(pairs) - len(wrong)} of {len(pairs)} right"]
    lines += [f"  {u!r}: labelled {e}, classified {got}" for u, e, got in wrong]
    matched = agree + disagree
    lines += [f"engine metrics matching a gold metric: {matched}; same class as the gold unit: {agree}"
              + (f" ({agree / matched:.1%})" if matched else "")]
    return lines + disagreements
