"""The engine on the second held-out genre set (tests/fixtures/genre2): agreement must not drop.

Eight articles from other provinces, outlets and shapes (an interview, a numbered district report, a
bulletin, a flattened table, a national piece, a 2025 new-commune report, a 2016 date line, a portal
reprint) were written and annotated by hand and committed before the engine was run on them; the blind
score is recorded in the commit history. The floors sit just under what the engine scored after the
fixes that followed, so a regression fails here. Fields are compared as in test_genre_set.py.
"""
from __future__ import annotations

import pytest

from tests.unit.extract.genre_agreement import FIXTURES, agreement, golds

GENRE2 = FIXTURES / "genre2"

# Measured after the fixes: title, published, source, authors, locations, legal documents 1.0;
# provinces 0.875 (Hải Dương is named only in 002's masthead and footer); metrics 0.98; topics 0.885;
# persons 0.875 (a name cut after "Phó Chủ tịch UBND tỉnh"); organizations 0.654 (leading words;
# unit-level bodies such as "Phòng Nội vụ huyện ..." and "Trạm Y tế xã ..." are missed).
# Raised after the given-name, dashed-centre and district-division fixes: topics 0.923, persons 1.0,
# organizations 0.765.
FLOORS = {
    "title": 0.99,
    "published": 0.99,
    "source": 0.99,
    "authors": 0.99,
    "provinces": 0.85,
    "locations": 0.95,
    "legal_documents": 0.95,
    "metrics": 0.95,
    "topics": 0.90,
    "persons": 0.98,
    "organizations": 0.74,
}
def test_the_second_genre_set_is_complete():
    texts = sorted(p.name for p in GENRE2.glob("*.txt"))
    assert len(texts) >= 8
    assert [g["file"] for g in golds(GENRE2)] == texts


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_field_agreement_stays_above_its_floor(field):
    measured = agreement(GENRE2, field)
    assert measured >= FLOORS[field], f"{field}: agreement {measured:.3f} fell below {FLOORS[field]}"
