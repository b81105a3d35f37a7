"""What a subscriber follows, and how a written filter is checked and put in canonical form. Pure.

Lists are OR within a list and AND across lists. Provinces are accepted by their name before or
after the July 2025 merger (and the usual variant spellings, with or without diacritics) and stored
under the canonical name the extraction engine uses.
"""
from __future__ import annotations

import unicodedata

from provnews.extract.engine import lexicon
from provnews.schemas.extraction import TOPIC_IDS
from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_VALUES = 50
_Value = Field(min_length=1, max_length=200)


class FilterError(ValueError):
    """A filter that cannot match what it says: unknown topic or province, or nothing at all."""

    def __init__(self, error: str, detail: str, **extra):
        super().__init__(detail)
        self.error, self.detail, self.extra = error, detail, extra


class MetricFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_contains: str | None = Field(default=None, min_length=1, max_length=200,
                                      description="Part of the unit, e.g. 'biên chế' or 'bien che'.")
    min_value: float | None = Field(default=None, description="At least this value.")


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: list[str] = Field(default=[], max_length=MAX_VALUES, description="Reform topic ids.")
    provinces: list[str] = Field(default=[], max_length=MAX_VALUES, description="Named before or after the 2025 merger.")
    persons: list[str] = Field(default=[], max_length=MAX_VALUES)
    documents: list[str] = Field(default=[], max_length=MAX_VALUES,
                                 description="Document codes ('18-NQ/TW') or kind:number ('nghi_quyet:18').")
    keywords: list[str] = Field(default=[], max_length=MAX_VALUES, description="Words looked for in the article text.")
    metric: MetricFilter | None = None

    @field_validator("topics", "provinces", "persons", "documents", "keywords")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        cleaned = [" ".join(unicodedata.normalize("NFC", v).split()) for v in values]
        if any(not v or len(v) > 200 for v in cleaned):
            raise ValueError("values must be between 1 and 200 characters")
        return list(dict.fromkeys(cleaned))

    def is_empty(self) -> bool:
        metric_empty = self.metric is None or (self.metric.unit_contains is None and self.metric.min_value is None)
        return metric_empty and not (self.topics or self.provinces or self.persons or self.documents or self.keywords)


def checked(filter_: Filter, *, allow_empty: bool = False) -> Filter:
    """The filter with canonical province names, or FilterError saying what is wrong with it."""
    if not allow_empty and filter_.is_empty():
        raise FilterError("empty_filter", "the filter is empty: give at least one of topics, provinces, persons, "
                                          "documents, keywords or metric")
    unknown_topics = [t for t in filter_.topics if t not in TOPIC_IDS]
    if unknown_topics:
        raise FilterError("unknown_topic", f"unknown topic id(s): {', '.join(unknown_topics)}", known=list(TOPIC_IDS))
    canonical = [(name, canonical_province(name)) for name in filter_.provinces]
    unknown_provinces = [name for name, canon in canonical if canon is None]
    if unknown_provinces:
        raise FilterError("unknown_province", f"unknown province(s): {', '.join(unknown_provinces)}")
    return filter_.model_copy(update={"provinces": list(dict.fromkeys(c for _, c in canonical))})


# -- provinces ------------------------------------------------------------------------------------
def canonical_province(name: str) -> str | None:
    """The canonical (pre-2025) name a written province name stands for, if any."""
    return lexicon.canonical_province_loosely(name)


def province_names() -> dict[str, str]:
    """Canonical name -> name after the July 2025 merger."""
    return dict(lexicon.name_2025())
