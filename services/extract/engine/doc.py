"""The document the engine's components share: the cleaned text in sentences, its words tagged from the
lexicon, and the spans each component reads, with the one policy that settles overlapping spans.

Components read `text` (as written) or `normal` (one spelling, same offsets), look words up by their
tags instead of keeping word lists of their own, and add what they find as spans with the rule that
read them; the evidence of every finding is made here.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Generic, NamedTuple, TypeVar

from common import lexicon
from common.text import UPPER, modern_spelling
from schemas.extraction import Evidence

# Abbreviations of the genre that end in a dot but do not end a sentence ("TP. Hạ Long", "PGS.TS. Lê Văn A").
_ABBREVIATIONS = frozenset({
    "TP", "Tp", "TX", "Tx", "TT", "ThS", "TS", "PGS", "GS", "BS", "Th", "v.v", "St", "Q", "PGS.TS", "GS.TS",
    "TS.BS", "ThS.BS", "BSCKII", "BSCKI", "KTS", "NSND", "NSƯT", "Đ/c", "đ/c", "H", "P", "X",
})
T = TypeVar("T")
# A stop, then blanks and a capital or a digit; a ";" and blanks; line breaks. The pattern opens with the one
# character every branch starts with and each branch checks which it was, so the regex engine skips ahead to
# the few stops of an article instead of trying three branches at every character.
_SENTENCE_END = re.compile(
    rf"[.!?…;\n](?:(?<=[.!?…])[.!?…]*[\"”’)\]]*\s+(?=[\"“‘(\[]?[{UPPER}0-9])|(?<=;)\s+|(?<=\n)\n*)"
)
_LAST_WORD = re.compile(r"(\S+)$")
_NOT_BLANK = re.compile(r"\S")  # what str.strip() would leave: the same characters are blanks to both
_MAX_EVIDENCE_SENTENCE = 2000
_EVIDENCE_CONTEXT = 400
# The model's own validator, called with a dict: the same checks as `Evidence(...)`, without the Python frames of
# BaseModel.__init__ around them (a few dozen findings per article each make one).
_validated_evidence = Evidence.__pydantic_validator__.validate_python


@dataclass(frozen=True)
class Token:
    """A word as written between blanks, and what the lexicon knows of it (punctuation around it aside)."""

    start: int
    end: int
    text: str
    tags: frozenset[str]


class Span(NamedTuple):
    """A stretch of the text a component read: its field ("persons", "metrics", ...), the rule that read it,
    and which finding of that field it belongs to."""

    start: int
    end: int
    label: str
    rule: str
    finding: int = -1


def non_overlapping(
    items: Iterable[T], *, start: Callable[[T], int], end: Callable[[T], int], priority: Callable[[T], int] = lambda _: 0
) -> list[T]:
    """The engine's one overlap policy: items are taken by priority (lowest first), then the earliest, then the
    longest; an item that overlaps one already taken is dropped. The kept items come back in text order."""
    ordered = sorted(items, key=lambda it: (priority(it), start(it), -end(it)))
    starts: list[int] = []
    kept: list[T] = []
    for item in ordered:
        s, e = start(item), end(item)
        i = bisect_right(starts, s)
        if i > 0 and end(kept[i - 1]) > s or i < len(kept) and start(kept[i]) < e:
            continue
        starts.insert(i, s)
        kept.insert(i, item)
    return kept


_WORD = re.compile(r"\S+")
_WORDS_BEFORE = re.compile(r"(?:\S+[ \t]+){1,2}$")
_WORDS_BEFORE_WINDOW = 12  # two short syllables: what the components look at before a name
_EDGE_PUNCTUATION = "\"“”‘’'()[]{},.;:!?…«»"


@dataclass(frozen=True)
class Document:
    text: str
    sentence_starts: tuple[int, ...] = field(default=())
    sentence_ends: tuple[int, ...] = field(default=())
    spans: list[Span] = field(default_factory=list, compare=False)

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """The words of `normal`, each with its lexicon tags (see `lexicon.word_tags`)."""
        tags = lexicon.word_tags()
        empty: frozenset[str] = frozenset()
        return tuple(
            Token(m.start(), m.end(), m.group(0), tags.get(m.group(0).strip(_EDGE_PUNCTUATION), empty))
            for m in _WORD.finditer(self.normal)
        )

    def words_before(self, pos: int, count: int = 2) -> list[Token]:
        """Up to `count` words of `normal` right before pos (blanks before pos, none between the words and
        pos but blanks), last word last; [] when pos does not follow a blank."""
        text = self.normal
        if pos == 0 or text[pos - 1] != " ":
            return []
        found = _WORDS_BEFORE.search(text, max(0, pos - _WORDS_BEFORE_WINDOW), pos)
        if found is None:
            return []
        tags = lexicon.word_tags()
        empty: frozenset[str] = frozenset()
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, found.start(), found.end())][-count:]
        return [Token(s, e, w, tags.get(w.strip(_EDGE_PUNCTUATION), empty)) for s, e, w in words]

    def record(self, label: str, findings: Sequence) -> None:
        """A component's findings, as spans of their evidence (replacing what that component recorded before),
        for the components after it to read."""
        self.spans[:] = [s for s in self.spans if s.label != label]
        self.spans.extend(
            Span(e.start, e.end, label, e.rule, i) for i, finding in enumerate(findings) for e in finding.evidence
        )

    def spans_of(self, label: str) -> list[Span]:
        return [s for s in self.spans if s.label == label]

    @classmethod
    def from_text(cls, text: str) -> Document:
        starts, ends = [], []
        pos = 0
        for m in _SENTENCE_END.finditer(text):
            mark, at = m.group(0), m.start()
            if mark[0] == "." and _is_abbreviation(text, at):
                continue
            # A line break or a semicolon ends the sentence before it; a stop (and its closing quotes) inside it.
            end = at if mark[0] in "\n;" else at + len(mark.rstrip())
            if _NOT_BLANK.search(text, pos, end):
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
        while s < e and self.text[s].isspace():
            s += 1
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return _validated_evidence(
            {"start": start, "end": end, "sentence": self.text[s:e], "sentence_start": s, "sentence_end": e, "rule": rule}
        )


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
