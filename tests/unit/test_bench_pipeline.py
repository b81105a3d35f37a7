"""The pipeline benchmark's pure parts: percentiles over every article, the texts it posts, its summary.

The benchmark itself is run by hand (`provnews bench pipeline`); no timing is asserted here.
"""
from __future__ import annotations

import math

from common.settings import Settings
from provnews.bench_pipeline import Counts, SteadyResult, WorkersResult, percentile, summary, texts_of_about


def test_percentiles_are_nearest_rank_over_every_value():
    values = [i / 100 for i in range(1, 101)]  # 0.01 .. 1.00
    assert percentile(values, 50) == 0.50
    assert percentile(values, 99) == 0.99
    assert percentile(values, 100) == 1.00
    assert percentile([0.3], 99) == 0.3
    assert math.isnan(percentile([], 50))


def test_one_slow_article_in_a_hundred_shows_at_p99_not_at_p95():
    values = sorted([0.1] * 99 + [5.0])
    assert percentile(values, 95) == 0.1
    assert percentile(values, 100) == 5.0
    assert percentile(sorted([0.1] * 98 + [5.0, 5.0]), 99) == 5.0


def test_texts_are_cut_at_paragraphs_into_pieces_of_about_the_size_asked():
    title = "Tiêu đề"
    paragraphs = [f"Đoạn {i} " + "chữ " * 100 for i in range(20)]  # about 0.5 KB each
    pieces = texts_of_about([title + "\n" + "\n".join(paragraphs)], 2)
    assert len(pieces) > 1
    assert all(piece.startswith(title + "\n") for piece in pieces)
    assert all(len(piece.encode()) >= 2 * 1024 for piece in pieces)
    body = "\n".join(piece.partition("\n")[2] for piece in pieces)
    assert body == "\n".join(paragraphs)  # nothing dropped, nothing repeated
    assert texts_of_about(["a\nb"], 0) == ["a\nb"]


def test_the_summary_prints_the_ratios_to_the_engine_and_the_floor_and_the_scaling():
    one = WorkersResult(1, end_to_end_rate=100, ingest_rate=500, floor_rate=1000, counts=Counts(lost=0),
                        steady=[SteadyResult(100, 10, [0.1, 0.2, 0.9])])
    two = WorkersResult(2, end_to_end_rate=160, ingest_rate=500, floor_rate=1000, counts=Counts(lost=2, duplicated=1))
    text = summary([one, two], engine_rate=200)
    rows = text.splitlines()
    assert rows[2].split()[:9] == ["1", "500", "100", "200", "0.50", "1000", "0.100", "0", "0"]
    assert rows[3].split()[:9] == ["2", "500", "160", "200", "0.40", "1000", "0.160", "2", "1"]
    assert "100/s 0.20/0.90" in rows[2]
    assert rows[-1].endswith("1.60x end to end")


def test_by_default_there_is_one_extract_worker_per_core_and_partitions_divide_among_them(monkeypatch):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    settings = Settings()
    assert settings.extract_workers == 2
    assert settings.topic_partitions % settings.extract_workers == 0
