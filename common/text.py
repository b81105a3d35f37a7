"""The one text layer of the engine: Vietnamese letters, the spelling normalisation, and folding.

Every module that compares words (the engine, the mention filters, the search index) folds and
normalises through here, so "Khánh Hoà" and "Khánh Hòa", or "Ð" and "Đ", are the same everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache


def _vietnamese_letters() -> tuple[str, str]:
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    toned = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    lower = "".join(sorted(toned | set("bcdđfghjklmnpqrstvwxz")))
    return lower, lower.upper()


# Every lower / upper case letter of Vietnamese (NFC), for regex character classes.
LOWER, UPPER = _vietnamese_letters()
LETTERS = LOWER + UPPER


def _latin_letters(upper: bool) -> str:
    blocks = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF))
    chars = (chr(c) for a, b in blocks for c in range(a, b + 1))
    return "".join(ch for ch in chars if ch.isalpha() and (ch.isupper() if upper else ch.islower()))


# Every Latin letter, Vietnamese or not: names of minority peoples and foreign bodies use a few more.
LATIN_UPPER = _latin_letters(True)
LATIN_LOWER = _latin_letters(False)

# --- spelling normalisation ------------------------------------------------------------------

# Old-style tone placement ("hoá", "Uỷ") is the same word as the modern one ("hóa", "Ủy"): at the end
# of a word, the tone of "oa", "oe", "uy" moves to the first vowel ("quý" keeps it: "qu" is a consonant).
# (The vowel class leads, so a scan skips to the few places where it can match.)
_OLD_TONE = re.compile(rf"([oOuU])(?<![qQ][oOuU])([áàảãạéèẻẽẹýỳỷỹỵ])(?![{LATIN_UPPER}{LATIN_LOWER}])")
_SAME_LENGTH_FIXES = (("Ð", "Đ"), ("ð", "đ"), ("\u00a0", " "), ("\u2009", " "), ("\u202f", " "))


def _move_tone(m: re.Match) -> str:
    base, *marks = unicodedata.normalize("NFD", m.group(2))
    if m.group(1) in "oO" and base == "y" or m.group(1) in "uU" and base in "ae":
        return m.group(0)
    return unicodedata.normalize("NFC", m.group(1) + "".join(marks)) + base


def modern_spelling(text: str) -> str:
    """NFC text with spelling variants unified, offsets unchanged (every fix keeps the length):
    modern tone placement, the Icelandic eth written for "Đ", and odd spaces."""
    for variant, usual in _SAME_LENGTH_FIXES:
        if variant in text:
            text = text.replace(variant, usual)
    fixed = _OLD_TONE.sub(_move_tone, text)
    return fixed if len(fixed) == len(text) else text


# Modern "óa" -> old "oá" and the like, to spell a listed name the old way ("Hòa Bình" -> "Hoà Bình").
_OLD_FORM_OF = {
    unicodedata.normalize("NFC", pair[0] + tone + pair[1]): unicodedata.normalize("NFC", pair[0] + pair[1] + tone)
    for pair in ("oa", "oe", "uy")
    for tone in "\u0300\u0301\u0309\u0303\u0323"
}


def old_spelling(name: str) -> str:
    """A listed name with old-style tone placement, the inverse of `modern_spelling` for names."""
    for new_form, old_form in _OLD_FORM_OF.items():
        name = name.replace(new_form, old_form)
    return name


def normalise(text: str) -> str:
    """NFC, then `modern_spelling`: the form every comparison of words starts from."""
    return modern_spelling(unicodedata.normalize("NFC", text))


# --- fast scans -------------------------------------------------------------------------------


def word_start_alternation(alternatives: list[str], not_after: str) -> str:
    """The regex `(?<!not_after)(?:alt1|alt2|...)`, written so that Python's regex engine scans fast.

    Each alternative must open with one plain character (a letter or a digit); `not_after` is a class of one
    character (`[...]` or `\\w`). The alternatives are grouped by that first character, in their order, and
    the check on the character before is made after it: the engine then skips ahead to the few places where
    a first character stands and tries one group there, instead of every alternative at every character.
    The matches are the same (at one place only the group of its character can match).
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        first = alternative[:1]
        if not first.isalnum():
            raise ValueError(f"an alternative must open with a letter or a digit: {alternative[:20]!r}")
        groups.setdefault(first, []).append(alternative[1:])
    return "(?:" + "|".join(
        f"{first}(?<!{not_after}{first})(?:{'|'.join(rests)})" for first, rests in groups.items()
    ) + ")"


_BASIC_PLANE = range(0x10000)
_BEYOND_BASIC_PLANE = r"\U00010000-\U0010ffff"


def listed_class(one_character: str) -> str:
    """A regex for one character given by categories (`[^\\w\\s]`, say) rewritten as the list of the characters of the
    Basic Multilingual Plane it matches (found by running it over all of them), with the characters beyond that
    plane checked by `one_character` itself once taken. The same matches; the regex engine tests a listed class by
    one bitmap look-up, faster than it reads a character's Unicode categories, and a scan with it runs faster."""
    plane = "".join(map(chr, _BASIC_PLANE))
    runs = [(m.start(), m.end() - 1) for m in re.finditer(f"(?:{one_character})+", plane)]
    if any(len(m.group(0)) != 1 for m in re.finditer(one_character, plane)):
        raise ValueError(f"not a pattern of one character: {one_character!r}")
    listed = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in runs)
    return f"[{listed}{_BEYOND_BASIC_PLANE}](?<={one_character})"


def finditer_from(pattern: re.Pattern, starts: re.Pattern, text: str) -> Iterator[re.Match]:
    """`pattern.finditer(text)`, with `pattern` tried only where `starts` matches: for a pattern that never matches
    empty and whose every match starts where `starts` matches (its opening words, say), the same matches. A fast
    scan for the few places where a pattern that the regex engine cannot skip through (named groups, look-behinds
    first) may start."""
    pos = 0
    while (candidate := starts.search(text, pos)) is not None:
        found = pattern.match(text, candidate.start())
        if found is None:
            pos = candidate.start() + 1
            continue
        yield found
        pos = found.end()


try:  # the re module's own parser (Python 3.11-3.13): not a public API, so its absence only costs speed
    from re import _constants as _sre
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - a Python whose re module is laid out otherwise
    _sre = _sre_parser = None


def opening_characters(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can open with, read from its parsed form; None when the pattern does
    not tell simply (a class like \\w, an optional first item, case-insensitive flags...): such a pattern may open
    with anything. Look-arounds before the first item are passed over, so the set may be larger than the truth,
    never smaller: a pattern is never left untried where it could match."""
    if _sre_parser is None:
        return None
    parsed = _sre_parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _opening(parsed.data, _sre)


def _opening(items: list, sre) -> frozenset[str] | None:
    for i, (op, arg) in enumerate(items):
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # takes no character: the next item opens the match
        if op is sre.LITERAL:
            return frozenset(chr(arg))
        if op is sre.IN:
            return _class_characters(arg, sre)
        if op is sre.SUBPATTERN:
            _, add_flags, _, inner = arg
            return None if add_flags & re.IGNORECASE else _opening(inner.data, sre)
        if op is sre.BRANCH:
            branches = [_opening(branch.data, sre) for branch in arg[1]]
            return None if None in branches else frozenset().union(*branches)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            repeated = _opening(arg[2].data, sre)
            if arg[0] > 0 or repeated is None:
                return repeated
            after = _opening(items[i + 1:], sre)  # an optional item: the match may open with what follows it
            return None if after is None else repeated | after
        return None
    return None  # the pattern may match empty


def _class_characters(items: list, sre) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            chars.add(chr(arg))
        elif op is sre.RANGE and arg[1] - arg[0] < 1024:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:
            return None  # a negated class, a category (\\s, \\w), a wide range
    return frozenset(chars)


def finditer_opening_with(pattern: re.Pattern, openings: tuple[str, ...], text: str) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches empty and whose every match opens with one of the
    literal strings `openings`: tried only where one of them is written. `str.find` skips to those places far faster
    than the regex engine scans for a pattern opening with common letters ("s", "h", "t" stand everywhere)."""
    return finditer_at(pattern, occurrences(text, openings), text)


def occurrences(text: str, strings: tuple[str, ...]) -> set[int]:
    """Where each of the strings is written in the text (overlaps included)."""
    starts = set()
    for string in strings:
        at = text.find(string)
        while at != -1:
            starts.add(at)
            at = text.find(string, at + 1)
    return starts


def finditer_at(pattern: re.Pattern, starts: set[int], text: str) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches empty and can only match at one of `starts`."""
    end = 0
    for start in sorted(starts):
        if start < end:
            continue
        found = pattern.match(text, start)
        if found is not None:
            yield found
            end = found.end()


_ASCII_LOWER = re.compile("[a-z]")


def unchanged_by_upper(text: str) -> bool:
    """`text.upper() == text`, answered at once for the usual line that has a lower-case ASCII letter (upper()
    changes that letter, so the text cannot come back the same), without building its upper-case copy."""
    return _ASCII_LOWER.search(text) is None and text.upper() == text


# --- folding ---------------------------------------------------------------------------------


def lower_chars(text: str) -> str:
    """Lower case, one character in and one out (so offsets into the result hold in the original)."""
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def fold_char(c: str, _memo: dict[str, str] = {}) -> str:  # noqa: B006 - a deliberate memo
    """One character lower-cased without its diacritics ("Ế" -> "e", "Đ" -> "d")."""
    folded = _memo.get(c)
    if folded is None:
        base = unicodedata.normalize("NFD", c)[0]
        low = base.lower()
        folded = _memo[c] = "d" if low == "đ" else low if len(low) == 1 else base
    return folded


def fold_chars(text: str) -> str:
    """Lower case without diacritics, đ -> d; one character in, one out, so offsets carry over."""
    return "".join(fold_char(c) for c in text)


_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A comparison key: case and diacritics folded, punctuation as spaces, spaces collapsed."""
    return " ".join(_NON_WORD.sub(" ", fold_chars(text.casefold())).split())


# Every Vietnamese syllable has a vowel: a last "word" without one ("huyện Th", "Sở Tài ch") is a word cut short.
_VOWEL = re.compile(r"[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
_STOPS_AT_END = ".!?…\"”)]"


def cut_short_at_end(text: str, end: int, name: str) -> bool:
    """A name reaching the end of an excerpt cut mid-sentence whose last word has no vowel, or ends on "ă" or "â"
    (which no Vietnamese syllable ends on: "Hòa Thắ" is "Hòa Thắng" cut): cut mid-word."""
    stripped = text.rstrip()
    if end < len(stripped) or not stripped or stripped[-1] in _STOPS_AT_END:
        return False
    last = name.rsplit(" ", 1)[-1]
    return not _VOWEL.search(last) or last[-1:].lower() in _NEVER_LAST_LETTERS


# ă and â with every tone: a syllable always goes on after them ("thắng", "cần").
_NEVER_LAST_LETTERS = frozenset("ăằắẳẵặâầấẩẫậ")


def longest_first(phrases: Iterable[str]) -> list[str]:
    """Phrases for a regex alternation: the longest first (a phrase wins over its own prefix), equal lengths in
    alphabetical order, so the compiled pattern is the same in every process whatever the set order."""
    return sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))
