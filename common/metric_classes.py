"""Which comparable class a reform metric counts in (departments, payroll, communes, …), by its unit.

The classes are what the province scoreboard adds up: figures of one class can be compared across
provinces and, when their action cuts what they count, summed. Every decision names the row of
`lexicon/metric_classes.tsv` that made it (its rule id), as every other finding of the engine does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from common import lexicon
from common.text import lower_chars, normalise
from schemas.extraction import METRIC_CLASSES, Metric

LEXICON = "metric_classes.tsv"
_SEPARATORS = re.compile(r"\s*[,;/]\s*|\s+")


@dataclass(frozen=True)
class Row:
    rule: str
    what: str  # a class, "none", or "reduces"
    phrases: tuple[str, ...]
    example: str


@cache
def table() -> tuple[Row, ...]:
    found = []
    for rule, what, phrases, example in lexicon.rows(LEXICON):
        if what not in (*METRIC_CLASSES, "none", "reduces"):
            raise ValueError(f"{LEXICON}: {rule} names an unknown class {what!r}")
        found.append(Row(rule, what, tuple(key(p) for p in phrases.split(" | ")), example))
    return tuple(found)


def key(text: str) -> str:
    """Lower case with diacritics kept, "%" spelt out, punctuation between words made one comma or space."""
    text = lower_chars(normalise(text)).replace("%", " phần trăm ")
    return " ".join(_SEPARATORS.sub(lambda m: ", " if m.group().strip() else " ", text.strip()).split()).replace(" ,", ",")


def _opens(unit: str, phrase: str) -> bool:
    return unit == phrase or unit.startswith(phrase + " ") or unit.startswith(phrase + ",")


@lru_cache(maxsize=4096)  # pure, and the same units come back article after article
def classify_unit(unit: str) -> tuple[str | None, str | None]:
    """(class, rule id): the class of the longest phrase opening the unit; (None, rule) for a "none" row,
    (None, None) when no row reads it."""
    unit_key = key(unit)
    best: tuple[int, Row] | None = None
    for row in table():
        if row.what == "reduces":
            continue
        for phrase in row.phrases:
            if _opens(unit_key, phrase) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), row)
    if best is None:
        return None, None
    row = best[1]
    return (None if row.what == "none" else row.what), row.rule


@lru_cache(maxsize=1024)
def reduces(action: str) -> bool:
    """The action cuts what it counts ("giảm 12 phòng"), so the figure is a reduction one may add up."""
    action_key = key(action)
    return any(row.what == "reduces" and action_key in row.phrases for row in table())


def classified(metric: Metric) -> Metric:
    metric_class, rule = classify_unit(metric.unit)
    return metric.model_copy(update={"metric_class": metric_class, "class_rule": rule, "reduces": reduces(metric.action)})
