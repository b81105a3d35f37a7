"""Every rule of the engine is tested on its own sentences: where it must read something, and where it must not."""
import pytest

from services.extract.engine import extract
from services.extract.engine.rules import all_rules

RULES = all_rules()
FIELDS = ("persons", "organizations", "locations", "provinces", "legal_documents", "metrics", "topics")


def _rules_in(sentence: str, field: str) -> tuple[list, set[str]]:
    findings = getattr(extract(sentence), field)
    return findings, {e.rule for f in findings for e in f.evidence}


@pytest.mark.parametrize(
    "rule_id, sentence",
    [(r.id, s) for r in RULES for s in r.examples],
)
def test_a_rule_reads_its_examples(rule_id, sentence):
    rule = next(r for r in RULES if r.id == rule_id)
    findings, fired = _rules_in(sentence, rule.field)
    if rule.kind == "filter":
        assert findings == [], f"{rule_id} should leave {rule.field} empty in {sentence!r}"
    else:
        assert rule_id in fired, f"{rule_id} did not fire on {sentence!r} (fired: {sorted(fired)})"


@pytest.mark.parametrize(
    "rule_id, sentence",
    [(r.id, s) for r in RULES for s in r.counterexamples],
)
def test_a_rule_stays_silent_on_its_counterexamples(rule_id, sentence):
    rule = next(r for r in RULES if r.id == rule_id)
    findings, fired = _rules_in(sentence, rule.field)
    if rule.kind == "filter":
        assert findings, f"{rule_id}: {rule.field} should not be empty in {sentence!r}"
    else:
        assert rule_id not in fired, f"{rule_id} fired on {sentence!r}"


def test_every_rule_has_sentences_both_ways_and_names_its_field():
    for rule in RULES:
        assert rule.field in FIELDS
        assert rule.counterexamples, f"{rule.id} has no sentence it must leave alone"
        assert rule.examples or rule.id == "body.office_model", f"{rule.id} has no sentence it reads"


def test_every_finding_carries_a_declared_rule():
    text = open("tests/fixtures/genre/005_baodaklak_cong_bo_sap_xep_2025.txt", encoding="utf-8").read()
    declared = {r.id for r in RULES}
    extraction = extract(text)
    for field in FIELDS:
        for finding in getattr(extraction, field):
            assert finding.evidence, (field, finding)
            assert {e.rule for e in finding.evidence} <= declared, (field, finding)
