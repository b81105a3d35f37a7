"""The scoreboard's metric classes (common/metric_classes.py, lexicon/metric_classes.tsv): each row reads its
own example, hand-labelled units from the gold sets get the class a reader gives them, and the engine's
metrics carry the class and the rule that decided it."""
from __future__ import annotations

import pytest

from common.metric_classes import classify_unit, reduces, table
from provnews.metric_class_report import labelled
from services.extract.engine import extract


@pytest.mark.parametrize("row", [r for r in table() if r.what != "reduces"], ids=lambda r: r.rule)
def test_each_row_reads_its_example(row):
    assert classify_unit(row.example) == (None if row.what == "none" else row.what, row.rule)


@pytest.mark.parametrize("unit, expected", labelled())
def test_hand_labelled_units(unit, expected):
    assert (classify_unit(unit)[0] or "none") == expected


@pytest.mark.parametrize("unit, expected", [
    ("bản", "villages"), ("ban", "departments"),  # diacritics kept: a village is not a board
    ("trường hợp tinh giản biên chế", "payroll"), ("trường mầm non", "public_service_units"),  # the longest phrase
    ("lãnh đạo cấp phòng", "leadership"), ("phòng", "departments"),
    ("PHÒNG, BAN", "departments"), ("thôn,tổ dân phố", "villages"),
    ("phòngban", None), ("đơn vị", None),
])
def test_a_unit_is_read_head_first_and_whole_words(unit, expected):
    assert classify_unit(unit)[0] == expected


@pytest.mark.parametrize("action, cut", [
    ("giảm", True), ("cắt giảm", True), ("tinh giản", True), ("Giảm", True),
    ("giảm từ", False), ("giảm còn", False), ("còn", False), ("sáp nhập", False), ("có", False), ("tăng", False),
])
def test_only_cutting_actions_reduce(action, cut):
    assert reduces(action) is cut


def test_extracted_metrics_carry_class_rule_and_reduction():
    [cut, left] = extract("Tỉnh Hà Giang đã giảm 15 phòng, ban thuộc sở. Sau sắp xếp, tỉnh còn 17 sở.").metrics
    assert (cut.metric_class, cut.class_rule, cut.reduces) == ("departments", "class.departments", True)
    assert (left.metric_class, left.reduces) == ("departments", False)
    [money] = extract("Mỗi năm tỉnh tiết kiệm 12 tỷ đồng chi thường xuyên.").metrics
    assert (money.metric_class, money.class_rule) == (None, "class.none.money")
