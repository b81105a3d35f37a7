"""`provnews extract --explain` and `provnews rules --precision`: why each finding was made, and how often each rule is right."""
import json
import re

from typer.testing import CliRunner

from provnews.cli import app
from provnews.rule_report import explain_lines, rule_precision
from services.extract.engine import extract
from services.extract.engine.rules import all_rules

SENTENCE = "Ông Nguyễn Văn An, Bí thư Tỉnh ủy Quảng Ninh, cho biết tỉnh đã giảm 12 phòng."


def test_explain_names_the_rule_of_every_finding_and_of_every_piece_of_evidence():
    lines = list(explain_lines(extract(SENTENCE)))
    assert "persons:" in lines and "metrics:" in lines
    assert any(line.startswith("  Nguyễn Văn An (Bí thư Tỉnh ủy)  <- person.title_after") for line in lines)
    assert any(line.startswith("      metric.verb_before [") and "giảm 12 phòng" in line for line in lines)
    declared = {r.id for r in all_rules()}
    for line in lines:
        if line.startswith("      "):
            assert line.split()[0] in declared


def test_extract_explain_on_the_command_line():
    result = CliRunner().invoke(app, ["extract", "--explain", "seeds/000_72bc97cf111ca9cb.txt"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("== 000_72bc97cf111ca9cb.txt\n")
    findings = [line for line in result.output.splitlines() if line.startswith("  ") and not line.startswith("    ")]
    assert findings and all(re.search(r"<- [a-z_]+\.[a-z_.]+", line) for line in findings)


def _gold_set(tmp_path, gold: dict):
    (tmp_path / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return tmp_path, tmp_path / "gold"


def test_per_rule_precision_counts_right_and_wrong_findings(tmp_path):
    # The annotator kept the person and the metric but not the province: province.name is wrong once.
    gold = {"persons": [{"name": "Nguyễn Văn An"}], "metrics": [{"value": 12, "unit": "phòng"}], "provinces": []}
    tallies = rule_precision([_gold_set(tmp_path, gold)])
    assert (tallies["person.title_after"].findings, tallies["person.title_after"].correct) == (1, 1)
    assert (tallies["metric.verb_before"].findings, tallies["metric.verb_before"].correct) == (1, 1)
    assert (tallies["province.name"].findings, tallies["province.name"].correct) == (1, 0)
    assert tallies["location.numbered"].findings == 0 and tallies["location.numbered"].precision is None


def test_rules_precision_on_the_command_line(tmp_path):
    texts, golds = _gold_set(tmp_path, {"persons": [{"name": "Nguyễn Văn An"}], "provinces": ["Quảng Ninh"]})
    result = CliRunner().invoke(app, ["rules", "--precision", "--gold", f"{texts}:{golds}"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:]}
    assert rows["province.name"] == ["1", "1", "1.000"]
    assert rows["person.listed_after_person"] == ["0", "0", "never", "fired"]
    listing = CliRunner().invoke(app, ["rules"])
    assert "metric.verb_before" in listing.output and "filter" in listing.output
