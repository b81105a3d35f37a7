"""Metrics: first version (empty), grown by the extraction engine issue."""
from __future__ import annotations

from provnews.extract.engine.document import Document
from provnews.schemas.extraction import Metric


def find_metrics(doc: Document) -> list[Metric]:
    return []
