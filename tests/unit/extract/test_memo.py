"""Per-article memos: one article's scans are never served to another, and nothing outlives its article."""
from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module
from pathlib import Path

import pytest

import services.extract.engine as engine_package
from services.extract.engine import memo
from services.extract.engine.doc import Document
from services.extract.engine.legal_documents import reference_spans
from services.extract.engine.organizations import upper_case_bodies
from services.extract.engine.pipeline import extract
from services.extract.engine.places import listed_places

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


@pytest.fixture(scope="module")
def two_articles() -> tuple[str, str]:
    first, second = sorted(SEEDS.glob("*.txt"))[:2]
    a, b = first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")
    assert a != b
    return a, b


def _misses() -> dict[object, int]:
    return {m: m.cache_info().misses for m in memo.registered()}


def test_a_memo_misses_on_an_article_seen_before_another(two_articles) -> None:
    a, b = two_articles
    normal_a = Document.from_text(extract(a).clean_text).normal  # the text the scans are keyed by
    extract(b)
    for shared_scan in (upper_case_bodies, reference_spans, listed_places):
        misses = shared_scan.cache_info().misses
        shared_scan(normal_a)
        assert shared_scan.cache_info().misses == misses + 1, shared_scan.__name__


def test_a_memo_still_serves_the_steps_of_one_article(two_articles) -> None:
    memo.new_article()
    hits = upper_case_bodies.cache_info().hits
    extract(two_articles[0])
    assert upper_case_bodies.cache_info().hits > hits  # people.py reads the bodies organizations.py scanned


def test_every_memo_is_empty_after_the_reset(two_articles) -> None:
    extract(two_articles[0])
    assert any(m.cache_info().currsize for m in memo.registered())
    memo.new_article()
    assert [m.__name__ for m in memo.registered() if m.cache_info().currsize] == []


def test_an_extraction_holds_one_articles_entries(two_articles) -> None:
    a, b = two_articles
    extract(a)
    extract(b)
    assert upper_case_bodies.cache_info().currsize == 1
    assert reference_spans.cache_info().currsize == 1


def test_an_article_reads_the_same_after_another(two_articles) -> None:
    a, b = two_articles
    first = extract(a).model_dump(mode="json")
    extract(b)
    assert extract(a).model_dump(mode="json") == first


def _engine_memos() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.iter_modules(engine_package.__path__):
        module = import_module(f"{engine_package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if hasattr(value, "cache_info") and hasattr(value, "__wrapped__") and value.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", value))
    return found


def test_every_engine_memo_of_an_articles_text_is_per_article() -> None:
    memos = _engine_memos()
    assert memos, "the engine has memos to check"
    of_text = [(name, m) for name, m in memos if "text" in inspect.signature(m).parameters]
    assert of_text, "some memos are keyed by the article's text"
    registered = set(map(id, memo.registered()))
    assert [name for name, m in of_text if id(m) not in registered] == []
