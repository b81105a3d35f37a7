"""Title, publication date, source outlet and bylines. (First version.)"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from provnews.extract.engine.clean import CleanedArticle
from provnews.extract.engine.document import Document


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    published: date | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)


def read_metadata(
    raw: str,
    cleaned: CleanedArticle,
    doc: Document,
    *,
    published_hint: date | None = None,
    source_hint: str | None = None,
    url: str | None = None,
) -> Metadata:
    return Metadata(title=cleaned.title, published=published_hint, source=source_hint)
