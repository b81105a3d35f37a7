"""The scoreboard's rules as pure logic (services/query/scoreboard.py): which province a figure is about, when
a figure restates one already counted, and what is added up."""
from __future__ import annotations

from datetime import date

from common.stores.ports import MetricRow
from services.query.scoreboard import build, cell, province_of


def row(value, *, unit="phòng, ban", story="s1", article="a1", position=0, published=date(2024, 5, 1),
        reduces=True, qualifier="exact", provinces=("Hà Giang",), sentence="Hà Giang giảm.", metric_class="departments"):
    return MetricRow(article_id=article, position=position, title=None, source=None, url=None, published=published,
                     action="giảm" if reduces else "còn", value=value, unit=unit, qualifier=qualifier, level=None,
                     provinces=list(provinces), provinces_2025=[], sentence=sentence, story_id=story,
                     metric_class=metric_class, reduces=reduces)


def test_a_figure_is_about_the_one_province_its_article_or_sentence_names():
    assert province_of(row(1)) == "Hà Giang"
    assert province_of(row(1, provinces=("Hà Giang", "Tuyên Quang"), sentence="Tuyên Quang giảm 3 sở.")) == "Tuyên Quang"
    assert province_of(row(1, provinces=("Hà Giang", "Tuyên Quang"), sentence="Hai tỉnh giảm 3 sở.")) is None
    assert province_of(row(1, provinces=())) is None


def test_restated_figures_count_once_and_different_ones_add_up():
    c = cell([
        row(12, article="a1", position=0),
        row(12, article="a1", position=3),                              # the same article again
        row(12, article="a2", story="s1", published=date(2024, 5, 2)),  # a republication of the story
        row(12, unit="Phòng, ban", article="a3", story="s2"),           # another story, same value, unit and day
        row(12, article="a4", story="s3", published=date(2024, 6, 1)),  # another story, another day: a new cut
        row(12, article="a5", story="s4", published=None),              # undated: not the same day as anything
        row(5, article="a1", position=1),                               # another figure of the same article
    ])
    assert c.reductions == 12 + 12 + 12 + 5 and c.restated == 3
    assert [(f.article_id, f.position) for f in c.summed] == [("a1", 0), ("a1", 1), ("a4", 0), ("a5", 0)]
    assert [(y.year, y.value) for y in c.by_year] == [(2024, 29)]  # the undated cut is summed, not charted


def test_only_exact_cuts_add_up_but_every_figure_can_be_the_latest():
    c = cell([row(40, qualifier="about"), row(17, reduces=False, published=date(2025, 1, 1), article="a9")])
    assert c.reductions is None and c.not_summed == 1 and c.figures == 2
    assert c.latest.article_id == "a9" and c.latest.value == 17


def test_the_board_sorts_by_a_class_and_counts_what_it_cannot_place():
    board = build([row(3), row(9, provinces=("Lào Cai",), sentence="Lào Cai giảm.", article="b1", story="t1"),
                   row(4, provinces=("Lào Cai", "Hà Giang"), sentence="Hai tỉnh giảm.", article="c1", story="t2"),
                   row(7, metric_class=None, article="d1", story="t3")], sort="departments")
    assert [r.province for r in board.provinces] == ["Lào Cai", "Hà Giang"]
    assert board.unattributed == 1 and board.metrics_read == 4
