"""Places: first version (empty), grown by the extraction engine issue."""
from __future__ import annotations

from provnews.extract.engine.document import Document
from provnews.schemas.extraction import Location, Province


def find_locations(doc: Document) -> list[Location]:
    return []


def find_provinces(doc: Document) -> list[Province]:
    return []
