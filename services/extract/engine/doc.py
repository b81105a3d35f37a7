"""The cleaned text of an article split into sentences, and evidence spans over it."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Generic, TypeVar

from provnews.extract.engine.text import UPPER, modern_spelling
from provnews.schemas.extraction import Evidence

# Abbreviations of the genre that end in a dot but do not end a sentence ("TP. Hạ Long", "PGS.TS. Lê Văn A").
_ABBREVIATIONS = frozenset({
    "TP", "Tp", "TX", "Tx", "TT", "ThS", "TS", "PGS", "GS", "BS", "Th", "v.v", "St", "Q", "PGS.TS", "GS.TS",
    "TS.BS", "ThS.BS", "BSCKII", "BSCKI", "KTS", "NSND", "NSƯT", "Đ/c", "đ/c", "H", "P", "X",
})
_SENTENCE_END = re.compile(rf"[.!?…]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[{UPPER}0-9])|;\s+|\n+")
_LAST_WORD = re.compile(r"(\S+)$")
T = TypeVar("T")
_MAX_EVIDENCE_SENTENCE = 2000
_EVIDENCE_CONTEXT = 400


@dataclass(frozen=True)
class Document:
    text: str
    sentence_starts: tuple[int, ...] = field(default=())
    sentence_ends: tuple[int, ...] = field(default=())

    @classmethod
    def from_text(cls, text: str) -> Document:
        starts, ends = [], []
        pos = 0
        for m in _SENTENCE_END.finditer(text):
            if m.group(0)[0] == "." and _is_abbreviation(text, m.start()):
                continue
            end = m.start() if m.group(0).strip() in ("", ";") else m.start() + len(m.group(0).rstrip())
            if text[pos:end].strip():
                starts.append(pos)
                ends.append(end)
            pos = m.end()
        if text[pos:].strip():
            starts.append(pos)
            ends.append(len(text.rstrip()))
        return cls(text, tuple(starts), tuple(ends))

    @cached_property
    def normal(self) -> str:
        """The text in its one spelling (`text.modern_spelling`: modern tone placement, "Đ" for its look-alike,
        plain spaces), offsets unchanged: what the components match words on."""
        return modern_spelling(self.text)

    def sentences(self) -> list[tuple[int, int, str]]:
        return [(s, e, self.text[s:e]) for s, e in zip(self.sentence_starts, self.sentence_ends)]

    def sentence_span(self, offset: int) -> tuple[int, int]:
        i = max(bisect_right(self.sentence_starts, offset) - 1, 0)
        if not self.sentence_starts:
            return 0, len(self.text)
        return self.sentence_starts[i], self.sentence_ends[i]

    def evidence(self, start: int, end: int, rule: str) -> Evidence:
        s, e = self.sentence_span(start)
        e = max(e, end)
        if e - s > _MAX_EVIDENCE_SENTENCE:
            # A "sentence" this long is a list or a page without stops: the part around the span says
            # enough, and copying all of it for every finding would make the work grow with its square.
            s, e = max(s, start - _EVIDENCE_CONTEXT), min(e, end + _EVIDENCE_CONTEXT)
        return Evidence(start=start, end=end, sentence=self.text[s:e].strip(), rule=rule)


class SpanIndex(Generic[T]):
    """Spans of the text, asked which one first (in start order) contains an offset: in log time, so
    an article with thousands of names or citations costs no more than its length."""

    def __init__(self, spans: Iterable[tuple[int, int, T]]):
        self._spans = sorted(spans, key=lambda s: (s[0], s[1]))
        self._starts = [s for s, _, _ in self._spans]
        self._reach = list(accumulate((e for _, e, _ in self._spans), max))  # furthest end so far

    def containing(self, offset: int) -> tuple[int, int, T] | None:
        last = bisect_right(self._starts, offset)  # spans [0, last) start at or before offset
        first = bisect_right(self._reach, offset, 0, last)  # the first of them to reach past it
        return self._spans[first] if first < last else None

    def __contains__(self, offset: int) -> bool:
        return self.containing(offset) is not None


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _LAST_WORD.search(text, max(0, dot - 8), dot)
    return bool(word) and word.group(1) in _ABBREVIATIONS
