"""Which reform mentions a reader follows (an alert subscription, a live stream), and how a written
filter is checked and put in canonical form. Pure.

Lists are OR within a list and AND across lists. Provinces are accepted by their name before or
after the July 2025 merger (and the usual variant spellings, with or without diacritics) and stored
under the canonical name the extraction engine uses.
"""
from __future__ import annotations

import unicodedata

from pydantic import BaseModel, ConfigDict, Field, field_validator

from common import lexicon
from schemas.extraction import NOT_BLANK, TOPIC_IDS, unknown_topics_detail

MAX_VALUES = 50
_Value = Field(min_length=1, max_length=200)


TOPIC_SCHEMA = {"type": "string", "enum": list(TOPIC_IDS)}
_VALUE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK}  # spaces collapse


def province_schema() -> dict:
    """The province names documented (before and after 2025); usual variants are accepted too."""
    names = province_names()
    return {"type": "string", "enum": sorted({*names, *names.values()})}


def _province_items(schema: dict) -> None:  # at schema time: the gazetteer is read lazily
    schema["items"] = province_schema()


class FilterError(ValueError):
    """A filter that cannot match what it says: unknown topic or province, or nothing at all."""

    def __init__(self, error: str, detail: str, **extra):
        super().__init__(detail)
        self.error, self.detail, self.extra = error, detail, extra


def _at_least_one_of(*names: str) -> dict:
    """JSON Schema for "at least one of these is given and not empty" (what `is_empty` refuses)."""
    def given(name: str) -> dict:
        empty = {"anyOf": [{"type": "null"}, {"type": "array", "maxItems": 0}]}
        return {"required": [name], "properties": {name: {"not": empty}}}
    return {"anyOf": [given(name) for name in names]}


class MetricFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra=_at_least_one_of("unit_contains", "min_value"))

    unit_contains: str | None = Field(default=None, min_length=1, max_length=200,
                                      json_schema_extra={"pattern": NOT_BLANK},
                                      description="Part of the unit, e.g. 'biên chế' or 'bien che'.")
    # NaN, Infinity and 1e309 (which JSON parsers read as infinity) would be stored as null and empty the filter.
    min_value: float | None = Field(default=None, allow_inf_nan=False, description="At least this value (finite).")

    @field_validator("min_value", mode="before")
    @classmethod
    def _a_number(cls, value):
        if isinstance(value, bool):  # JSON true/false would otherwise be read as 1 and 0
            raise ValueError("min_value must be a number, not true or false")
        return value

    @field_validator("unit_contains")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("unit_contains must not be blank")
        return value

    def is_empty(self) -> bool:
        return self.unit_contains is None and self.min_value is None


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_at_least_one_of(
        "topics", "provinces", "persons", "documents", "keywords", "metric"))

    topics: list[str] = Field(default=[], max_length=MAX_VALUES, description="Reform topic ids.",
                              json_schema_extra={"items": TOPIC_SCHEMA})
    provinces: list[str] = Field(default=[], max_length=MAX_VALUES, description="Named before or after the 2025 merger "
                                 "(usual variants, with or without diacritics, are accepted too).",
                                 json_schema_extra=_province_items)
    persons: list[str] = Field(default=[], max_length=MAX_VALUES, json_schema_extra={"items": _VALUE_SCHEMA})
    documents: list[str] = Field(default=[], max_length=MAX_VALUES, json_schema_extra={"items": _VALUE_SCHEMA},
                                 description="Document codes ('18-NQ/TW') or kind:number ('nghi_quyet:18').")
    keywords: list[str] = Field(default=[], max_length=MAX_VALUES, json_schema_extra={"items": _VALUE_SCHEMA},
                                description="Words looked for in the article text.")
    metric: MetricFilter | None = None

    @field_validator("topics", "provinces", "persons", "documents", "keywords")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        cleaned = [" ".join(unicodedata.normalize("NFC", v).split()) for v in values]
        if any(not v or len(v) > 200 for v in cleaned):
            raise ValueError("values must be between 1 and 200 characters")
        return list(dict.fromkeys(cleaned))

    def is_empty(self) -> bool:
        metric_empty = self.metric is None or self.metric.is_empty()
        return metric_empty and not (self.topics or self.provinces or self.persons or self.documents or self.keywords)


def checked(filter_: Filter, *, allow_empty: bool = False) -> Filter:
    """The filter with canonical province names, or FilterError saying what is wrong with it."""
    if not allow_empty and filter_.is_empty():
        raise FilterError("empty_filter", "the filter is empty: give at least one of topics, provinces, persons, "
                                          "documents, keywords or metric")
    if filter_.metric is not None and filter_.metric.is_empty():
        raise FilterError("empty_filter", "the metric filter is empty: give unit_contains, min_value or both")
    unknown_topics = [t for t in filter_.topics if t not in TOPIC_IDS]
    if unknown_topics:
        raise FilterError("unknown_topic", unknown_topics_detail(unknown_topics), known=list(TOPIC_IDS))
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
