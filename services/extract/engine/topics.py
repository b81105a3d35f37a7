"""Topics: first version (empty), grown by the extraction engine issue."""
from __future__ import annotations

from provnews.extract.engine.document import Document
from provnews.schemas.extraction import Topic


def find_topics(doc: Document) -> list[Topic]:
    return []
