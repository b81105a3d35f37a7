"""The engine's word lists, each in one data file beside this module, read by one loader.

Files are UTF-8, one entry a line, columns separated by tabs; lines opening with "#" are comments.
Nothing else in the project keeps a copy of a list: the engine's modules and the mention filters ask
here (and fold words with `engine.text`, as the search index does). Each file's header says what a row
holds and, where a list serves several parts of the grammar, which part reads which entries.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files

from common.text import fold, normalise


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of a data file, each a tuple of its tab-separated columns."""
    text = files(__name__).joinpath(name).read_text(encoding="utf-8")
    return tuple(
        tuple(line.split("\t")) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def words(name: str) -> frozenset[str]:
    """A word list: every whitespace-separated word of a file's lines."""
    return frozenset(word for row in rows(name) for column in row for word in column.split())


@cache
def phrases(name: str) -> tuple[str, ...]:
    """A phrase list: the first column of each row, in the file's order."""
    return tuple(row[0] for row in rows(name))


def data_files() -> list[str]:
    """The names of every data file of the lexicon."""
    return sorted(p.name for p in files(__name__).iterdir() if p.name.endswith((".tsv", ".txt")))


# --- provinces -------------------------------------------------------------------------------

_DASH = re.compile(r"\s*[-–—]\s*")


@lru_cache(maxsize=4096)
def province_key(name: str) -> str:
    """A spelling-insensitive key: NFC, modern tone placement, one kind of dash, case folded."""
    return " ".join(_DASH.sub("-", normalise(name)).split()).casefold()


@cache
def name_2025() -> dict[str, str]:
    """Canonical (pre-2025) province name -> the province it belongs to after the July 2025 merger."""
    return {old: new for old, new in rows("provinces.tsv")}


@cache
def province_variants() -> tuple[tuple[str, str], ...]:
    """(other spelling, canonical name): spellings met in the genre besides the canonical ones."""
    return tuple((variant, canon) for variant, canon in rows("province_variants.tsv"))


@cache
def central_cities() -> frozenset[str]:
    return frozenset(phrases("central_cities.txt"))


# Bare "Hồ Chí Minh" in this genre is the President ("tư tưởng Hồ Chí Minh"); the city is always
# written with a marker (TP, Thành phố, TP.HCM), which the variants spell out.
NEEDS_CITY_MARKER = frozenset({"Hồ Chí Minh"})


@cache
def province_spellings() -> dict[str, str]:
    """Every written form of a province as listed (canonical names but the marked city, and variants)
    -> its canonical name. Dash, tone-placement and letter-case variants are the caller's to allow."""
    spellings = {name: name for name in name_2025() if name not in NEEDS_CITY_MARKER}
    spellings.update(province_variants())
    return spellings


@cache
def province_by_key() -> dict[str, str]:
    """province_key(spelling) -> canonical name, for every spelling including the marked city's."""
    by_key = {province_key(name): name for name in name_2025()}
    by_key.update((province_key(variant), canon) for variant, canon in province_variants())
    return by_key


def canonical_province(name: str) -> str | None:
    """The canonical name of a written province name ("Khánh Hoà", "TP.HCM"), or None."""
    return province_by_key().get(province_key(name))


_LEVEL_PREFIX = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


def _loose_key(name: str) -> str:
    return re.sub(r"[\s.\-–—]+", "", fold(_LEVEL_PREFIX.sub("", name.strip())))


@cache
def _province_by_loose_key() -> dict[str, str]:
    lookup: dict[str, str] = {}
    clashes: set[str] = set()
    spellings = [(name, name) for name in name_2025()] + list(province_variants())
    for spelling, canon in spellings:
        key = _loose_key(spelling)
        if lookup.get(key, canon) != canon:
            clashes.add(key)  # two provinces alike without diacritics: those need them written
        lookup[key] = canon
    for key in clashes:
        del lookup[key]
    return lookup


def canonical_province_loosely(name: str) -> str | None:
    """As `canonical_province`, also for a name typed without diacritics, spaces or its level word
    ("quang ninh", "tinh Quang Ninh", "TPHCM"), unless two provinces then read alike."""
    return canonical_province(name) or _province_by_loose_key().get(_loose_key(name))


# --- people ----------------------------------------------------------------------------------


@cache
def surnames() -> frozenset[str]:
    return frozenset(row[0] for row in rows("surnames.tsv"))


@cache
def common_surnames() -> frozenset[str]:
    """The commonest family names: a capitalised run opening with one is a person's name."""
    return frozenset(row[0] for row in rows("surnames.tsv") if row[1:] == ("common",))


@cache
def titles(kind: str) -> tuple[str, ...]:
    """Titles of office by kind: "alone" (they stand without a body: "Tổng Bí thư Tô Lâm") or "body"
    (they say nothing without the body after them: "Chủ tịch" needs "UBND tỉnh")."""
    return tuple(row[0] for row in rows("titles.tsv") if row[1] == kind)


# --- word tags -------------------------------------------------------------------------------


@cache
def word_tags() -> dict[str, frozenset[str]]:
    """A word as written -> what the lists say of it: "surname", "common_surname", "title" (a title's first
    word), "province" (a province spelling's first word), "unit", "verb_of_change", "qualifier", "measure"
    (the first word of each list's phrases), "middle_name" ("Văn", "Thị"), "name_syllable" (a common given
    name)."""
    tagged: dict[str, set[str]] = {}

    def tag(words_: Iterable[str], name: str) -> None:
        for word in words_:
            if word:
                tagged.setdefault(word, set()).add(name)

    tag(surnames(), "surname")
    tag(common_surnames(), "common_surname")
    tag((t.split()[0] for t in titles("alone") + titles("body")), "title")
    tag((s.split()[0] for s in province_spellings()), "province")
    tag((p.split()[0] for p in phrases("units.txt")), "unit")
    tag((p.split()[0] for p in verbs_of_change()), "verb_of_change")
    tag((p.split()[0] for p in phrases("qualifiers.tsv")), "qualifier")
    tag(words("measure_words.txt"), "measure")
    kind_tags = {"middle": "middle_name", "middle_hmong": "hmong_middle_name", "given": "name_syllable"}
    for syllable, kind in rows("name_syllables.tsv"):
        tag((syllable,), kind_tags[kind])
    return {word: frozenset(names) for word, names in tagged.items()}


def name_syllables(*kinds: str) -> frozenset[str]:
    """Syllables of names other than surnames, of the kinds asked: "middle", "middle_hmong", "given"."""
    return frozenset(row[0] for row in rows("name_syllables.tsv") if row[1] in kinds)


@cache
def title_heads(use: str) -> tuple[str, ...]:
    """The heads of titles the grammar reads in one place (see title_heads.tsv), lower case, longest first."""
    heads = [row[0] for row in rows("title_heads.tsv") if use in row[1].split()]
    return tuple(sorted(heads, key=len, reverse=True))


@cache
def honorifics(kind: str, use: str) -> tuple[str, ...]:
    """Honorifics of a kind ("word", "abbreviation") for a use ("person", "author"), longest first."""
    found = [row[0] for row in rows("honorifics.tsv") if row[1] == kind and use in row[2].split()]
    return tuple(sorted(found, key=len, reverse=True))


@cache
def body_names(kind: str) -> tuple[str, ...]:
    """Bodies (or the fields of work in their names) known by name, of one kind (see bodies.tsv)."""
    return tuple(row[1] for row in rows("bodies.tsv") if row[0] == kind)


@cache
def verbs_of_change(cls: str | None = None) -> frozenset[str]:
    """Verbs that govern a quantified result; with cls, those of one class (see verbs_of_change.tsv)."""
    return frozenset(row[0] for row in rows("verbs_of_change.tsv") if cls is None or cls in " ".join(row[1:]).split())


@cache
def outlet_markers() -> dict[str, str]:
    """The mark an outlet prints at the head of its lead ("NDO", "(QNO)") -> its web domain."""
    return {marker: domain for marker, domain in rows("outlet_markers.tsv")}


@cache
def not_name_words(use: str) -> frozenset[str]:
    """Capitalised words that are never part of a person's name where `use` reads them (not_name_words.tsv)."""
    return frozenset(row[0] for row in rows("not_name_words.tsv") if use in row[1].split())


@cache
def admin_levels() -> dict[str, tuple[str, frozenset[str]]]:
    """Level word -> (level, how it is written: prefix, lowercase_only, numbered, abbreviation); see
    admin_levels.tsv."""
    return {row[0]: (row[1], frozenset(row[2].split()) if len(row) > 2 else frozenset()) for row in rows("admin_levels.tsv")}


@cache
def admin_levels_written_out() -> dict[str, str]:
    """A dotted abbreviation of a level word -> the word written out ("P" -> "phường"); see admin_levels.tsv."""
    return {row[0]: row[3] for row in rows("admin_levels.tsv") if len(row) > 3}
