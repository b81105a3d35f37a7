"""Organizations: first version (empty), grown by the extraction engine issue."""
from __future__ import annotations

from provnews.extract.engine.document import Document
from provnews.schemas.extraction import Organization, Person


def find_organizations(doc: Document, persons: list[Person]) -> list[Organization]:
    return []
