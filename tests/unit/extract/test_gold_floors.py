"""The engine on every hand-annotated gold set: per-field agreement must not fall below its floor.

One parametrised test over the seeds, the two genre sets written for the engine, and the real excerpts of
`../shared/corpus/articles/` (gold in one folder, `tests/fixtures/corpus/gold/`, so the shared scorer reads it
whole; scored here in the two halves of `tests/fixtures/corpus/SPLIT.md`, each with its own floors).
Each field is compared in its own simple way (gold_agreement.py). A floor sits just under what the engine
scored when it was set: a regression fails here, an improvement only means the floor can be raised.
"""
from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.unit.extract.gold_agreement import FIXTURES, SHARED, agreement, golds

CORPUS = SHARED / "corpus" / "articles"
CORPUS_GOLD = FIXTURES / "corpus" / "gold"
SPLIT = FIXTURES / "corpus" / "SPLIT.md"
BLIND_SIZE = 20


def _corpus_split() -> tuple[frozenset[str], frozenset[str]]:
    """SPLIT.md's rule: the 20 excerpts whose file names have the smallest SHA-1 were the blind set."""
    names = sorted((p.name for p in CORPUS.glob("*.txt")), key=lambda n: hashlib.sha1(n.encode()).hexdigest())
    return frozenset(names[BLIND_SIZE:]), frozenset(names[:BLIND_SIZE])


CORPUS_DEV, CORPUS_BLIND = _corpus_split()
# name: (folder of texts, folder of gold, the texts of the set or None for every gold file of the folder)
GOLD_SETS = {
    "seeds": (SHARED / "seeds", SHARED / "gold" / "seeds", None),
    "genre": (FIXTURES / "genre", FIXTURES / "genre" / "gold", None),
    "genre2": (FIXTURES / "genre2", FIXTURES / "genre2" / "gold", None),
    "corpus_dev": (CORPUS, CORPUS_GOLD, CORPUS_DEV),
    "corpus_blind": (CORPUS, CORPUS_GOLD, CORPUS_BLIND),
}
FIELDS = ("title", "published", "source", "authors", "persons", "roles", "organizations", "locations",
          "provinces", "legal_documents", "metrics", "topics")

# Measured when the floors were set (after the page-furniture and metadata fixes of issue 11), minus a small
# margin. Agreement: title, published and source the share of articles exactly right (null included), authors
# the share with the same set; the other fields Jaccard over the set (organizations by their leading words,
# roles as exact (person, role) pairs, metrics Dice over values).
# genre: roles 0.878, locations 0.974, legal_documents 0.952, metrics 0.982, topics 0.875, the rest 1.0.
# genre2: roles 0.895, organizations 0.765, provinces 0.875, metrics 0.980, topics 0.923, the rest 1.0.
# corpus_dev (after the entity fixes too): roles 0.737, organizations 0.972, locations 0.979,
# legal_documents 0.964, metrics 0.891, topics 0.881, the rest 1.0.
FLOORS = {
    "seeds": dict.fromkeys(FIELDS, 0.99),
    "genre": {
        "title": 0.99, "published": 0.99, "source": 0.99, "authors": 0.99, "persons": 0.99, "roles": 0.86,
        "organizations": 0.99, "locations": 0.96, "provinces": 0.99, "legal_documents": 0.94,
        "metrics": 0.97, "topics": 0.86,
    },
    "genre2": {
        "title": 0.99, "published": 0.99, "source": 0.99, "authors": 0.99, "persons": 0.99, "roles": 0.88,
        "organizations": 0.75, "locations": 0.99, "provinces": 0.86, "legal_documents": 0.99,
        "metrics": 0.97, "topics": 0.91,
    },
    "corpus_dev": {
        "title": 0.99, "published": 0.99, "source": 0.99, "authors": 0.99, "persons": 0.99, "roles": 0.72,
        "organizations": 0.95, "locations": 0.98, "provinces": 0.99, "legal_documents": 0.94,
        "metrics": 0.89, "topics": 0.86,
    },
    # Set from the one final measurement of the blind set (after issue 11's fixes, which never looked at it):
    # title 0.90, published 1.0, source 0.95, authors 1.0, persons 0.75, roles 0.571, organizations 0.748,
    # locations 0.73, provinces 0.861, legal_documents 0.652, metrics 0.87, topics 0.73. From here on the
    # set is no longer blind: it guards against regressions like the others. Raised after the cleaner and place fixes
    # of issue 10's closing session (title 1.0, source 1.0, organizations 0.796, locations 0.918, provinces 0.969;
    # corpus_dev locations 0.99, metrics 0.907).
    "corpus_blind": {
        "title": 0.99, "published": 0.99, "source": 0.99, "authors": 0.99, "persons": 0.73, "roles": 0.55,
        "organizations": 0.78, "locations": 0.90, "provinces": 0.95, "legal_documents": 0.63,
        "metrics": 0.85, "topics": 0.71,
    },
}


@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_every_gold_file_names_a_text_of_its_set(name):
    texts, gold, only = GOLD_SETS[name]
    files = [g["file"] for g in golds(gold, only)]
    assert files, f"{name}: no gold in {gold}"
    assert all((texts / f).is_file() for f in files)
    expected = sorted(only) if only is not None else sorted(p.name for p in texts.glob("*.txt"))
    assert files == expected, f"{name}: a text without gold, or gold without its text"
    assert all(p.stem + ".txt" == json.loads(p.read_text(encoding="utf-8"))["file"] for p in gold.glob("*.json"))


def test_the_corpus_gold_is_one_folder_of_every_excerpt_split_as_split_md_lists():
    """The shared scorer reads only the JSON files directly inside the folder it is given: no gold in subfolders."""
    assert not [p for p in CORPUS_GOLD.iterdir() if p.is_dir()]
    assert {p.stem + ".txt" for p in CORPUS_GOLD.glob("*.json")} == {p.name for p in CORPUS.glob("*.txt")}
    assert not CORPUS_DEV & CORPUS_BLIND and len(CORPUS_BLIND) == BLIND_SIZE
    listed = SPLIT.read_text(encoding="utf-8").split("## Development")
    assert set(re.findall(r"^- (\S+\.txt)$", listed[0], re.M)) == CORPUS_BLIND
    assert set(re.findall(r"^- (\S+\.txt)$", listed[1], re.M)) == CORPUS_DEV


@pytest.mark.parametrize(("name", "field"), [(name, field) for name in sorted(GOLD_SETS) for field in FIELDS])
def test_field_agreement_stays_above_its_floor(name, field):
    texts, gold, only = GOLD_SETS[name]
    measured = agreement(texts, gold, field, only)
    floor = FLOORS[name][field]
    assert measured >= floor, f"{name} {field}: agreement {measured:.3f} fell below {floor}"
