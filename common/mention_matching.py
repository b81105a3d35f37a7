"""Does a filter match an article's reform mentions? A pure function, and what it found.

An article's mentions are one per reform topic and one per metric (common.mentions), so
`topics` AND `metric` can only both hold over the article's mentions taken together: a filter is
matched against all the mentions of one article at once. The article-wide fields (provinces,
persons, documents) are the same on each of them. A keyword is looked for in the text when there is
one, otherwise in the title and the evidence sentences.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from common.mention_filters import Filter
from common.text import fold_chars as fold
from common.text import lower_chars as lower
from schemas.events import AlertMatch, ReformMention
from schemas.extraction import Evidence

MAX_EVIDENCE = 5
_SENTENCE_END = re.compile(r"[.!?…]\s|\n")


@dataclass(frozen=True)
class Match:
    """The topics, metrics and keywords of the article that made the filter hold."""

    items: tuple[AlertMatch, ...]


def match(filter_: Filter, mentions: Sequence[ReformMention], text: str | None = None) -> Match | None:
    if not mentions:
        return None
    first = mentions[0]
    if filter_.provinces and not set(filter_.provinces) & {*first.provinces, *first.provinces_2025}:
        return None
    if filter_.persons and not _any_equal(filter_.persons, first.persons, _name_key):
        return None
    if filter_.documents and not _any_equal(filter_.documents, first.documents, _document_key):
        return None

    items: list[AlertMatch] = []
    if filter_.topics:
        topical = [m for m in mentions if m.kind == "topic" and m.topic in filter_.topics]
        if not topical:
            return None
        items += map(_item, topical)
    metric = filter_.metric
    if metric and (metric.unit_contains is not None or metric.min_value is not None):
        measured = [m for m in mentions if m.kind == "metric" and m.metric is not None
                    and (metric.unit_contains is None or _contains(metric.unit_contains, m.metric.unit))
                    and (metric.min_value is None or m.metric.value >= metric.min_value)]
        if not measured:
            return None
        items += map(_item, measured)
    if not items:  # nothing said what kind of mention: every reform mention of the article counts
        items = [_item(m) for m in mentions]

    if filter_.keywords:
        haystack = text if text is not None else "\n".join(
            [first.title or "", *(e.sentence for m in mentions for e in m.evidence)])
        found = [AlertMatch(kind="keyword", keyword=k, evidence=sentences) for k in filter_.keywords
                 if (sentences := keyword_sentences(k, haystack))]
        if not found:
            return None
        items += found
    return Match(items=tuple(items))


def keyword_sentences(keyword: str, text: str) -> list[str]:
    """The sentences of `text` the keyword occurs in as whole words; without diacritics it matches either way."""
    needle, haystack = _comparable(keyword, text)
    pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
    sentences: list[str] = []
    for hit in pattern.finditer(haystack):
        sentence = _sentence_around(text, hit.start(), hit.end())
        if sentence not in sentences:
            sentences.append(sentence)
        if len(sentences) == MAX_EVIDENCE:
            break
    return sentences


def evidence_sentences(evidence: Sequence[Evidence]) -> list[str]:
    return list(dict.fromkeys(e.sentence for e in evidence if e.sentence))[:MAX_EVIDENCE]


def _item(mention: ReformMention) -> AlertMatch:
    metric = mention.metric.model_copy(update={"evidence": []}) if mention.metric else None
    return AlertMatch(kind=mention.kind, mention_id=mention.mention_id, topic=mention.topic, metric=metric,
                      evidence=evidence_sentences(mention.evidence))


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _comparable(needle: str, haystack: str) -> tuple[str, str]:
    """Both lower-cased; both also without diacritics when the needle has none, so 'bien che' finds 'biên chế'."""
    needle, haystack = lower(_normal(needle)), lower(unicodedata.normalize("NFC", haystack))
    return (needle, fold(haystack)) if needle.isascii() else (needle, haystack)


def _contains(needle: str, haystack: str) -> bool:
    needle, haystack = _comparable(needle, _normal(haystack))
    return needle in haystack


def _name_key(name: str) -> str:
    return _normal(name)


def _document_key(code: str) -> str:
    return re.sub(r"\s+", "", _normal(code))


def _any_equal(wanted: Sequence[str], present: Sequence[str], key) -> bool:
    for w in wanted:
        for p in present:
            a, b = _comparable(key(w), key(p))
            if a == b:
                return True
    return False


def _sentence_around(text: str, start: int, end: int, limit: int = 400) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() + 1 if right_match else len(text)
    sentence = " ".join(text[left:right].split())
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"
