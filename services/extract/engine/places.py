"""Places: the provinces an article mentions, and the places below province level."""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from common import lexicon
from common.text import (
    LETTERS,
    LOWER,
    UPPER,
    cut_short_at_end,
    finditer_at,
    longest_first,
    occurrences,
    old_spelling,
    word_start_alternation,
)
from schemas.extraction import Evidence, Location, Province
from services.extract.engine.doc import Document, SpanIndex
from services.extract.engine.memo import per_article
from services.extract.engine.rules import rule

# Enough evidence for a reader to check a place; more only bloats the event.
_MAX_EVIDENCE = 5


_NAME_RUN = rf"[{UPPER}][{LOWER}]*(?:\s+[{UPPER}][{LOWER}]*){{0,3}}"


_DASH = re.compile(r"\s*[-–—]\s*")
_key = lru_cache(maxsize=4096)(lexicon.province_key)  # keyed by a name as written: the same few recur


def _spellings(name: str) -> set[str]:
    old = old_spelling(name)
    return {form for base in {name, old} for form in (base, base.upper())}


_NAME_2025 = lexicon.name_2025()
_CANONICAL = lexicon.province_by_key()
CENTRALLY_RUN_CITIES = lexicon.central_cities()


def _pattern_of(spelling: str) -> str:
    return r"\s*[-–—]\s*".join(r"\s+".join(map(re.escape, part.split())) for part in _DASH.split(spelling))


def _all_spellings() -> list[str]:
    forms: set[str] = set()
    for spelling in lexicon.province_spellings():
        forms |= _spellings(spelling)
    return longest_first(forms)


def _province_pattern(spellings: list[str]) -> str:
    """One alternation grouped by first word, then by first letter (`word_start_alternation`): a fast scan."""
    by_head: dict[str, list[str]] = {}
    for spelling in spellings:
        head = re.match(r"[^\s.\-–—]+\.?", spelling).group(0)
        by_head.setdefault(head, []).append(spelling[len(head):])
    groups = [
        re.escape(head) + "(?:" + "|".join(_pattern_of("X" + rest)[1:] if rest else "" for rest in rests)
        + ")"
        for head, rests in sorted(by_head.items(), key=lambda kv: -len(kv[0]))
    ]
    return word_start_alternation(groups, r"[\w.]") + r"(?![\w])"


_PROVINCE = re.compile(_province_pattern(_all_spellings()))
_PROVINCE_ANY_CASE = re.compile(
    rf"(?:{'|'.join(_pattern_of(s) for s in longest_first(_NAME_2025))})(?![\w])",
    re.IGNORECASE,
)

# Words after which a province's name names something else: a street, a ward, a river...
_PLACE_WORDS = (
    "đường", "phố", "phường", "xã", "thôn", "bản", "ấp", "khu phố", "tổ dân phố", "thị trấn", "làng", "xóm", "huyện",
    "quận", "sông", "núi", "đèo",
    "cầu", "chợ", "ngõ", "hẻm", "kiệt", "đại lộ", "khu đô thị", "chung cư", "vịnh", "ông", "bà", "anh", "chị", "em", "cô",
    "chú", "bác", "cháu", "cụ", "đồng chí", "đ/c",
)
_PLACE_BEFORE = re.compile(
    r"(?:^|[^\w])(?:"
    + "|".join("(?<!thành )phố" if word == "phố" else word for word in _PLACE_WORDS)  # plain words: no escaping
    + r") +$",
    re.IGNORECASE,
)
# How far before the blanks that end a window a match of _PLACE_BEFORE can open: the character before the word, and
# the word (matched without regard to case, one character for one).
_PLACE_BEFORE_REACH = 1 + max(map(len, _PLACE_WORDS))


def _place_word_reach(window: str) -> int:
    """Where in `window` a match of _PLACE_BEFORE can open at the earliest: it ends with the window (or before its
    last line break) after its word and the spaces at the end, so it opens at most _PLACE_BEFORE_REACH characters
    before those spaces. Searched from there, the pattern finds what it finds in the whole window."""
    body = window[:-1] if window.endswith("\n") else window
    return max(0, len(body.rstrip(" ")) - _PLACE_BEFORE_REACH)
# "các phường Phú Cường, Hiệp Thành và Phú Thọ": a name further down a list of wards or communes.
_LISTED_UNDER_PLACE_WORD = re.compile(
    rf"(?<!\w)(?:phường|xã|thị trấn|thôn|bản|ấp|khu phố|tổ dân phố)\s+{_NAME_RUN}"
    rf"(?:\s*,\s*{_NAME_RUN})*\s*(?:,|\svà)\s*$",
    re.IGNORECASE,
)
_AND = ("và", "Và", "vÀ", "VÀ")  # what "và" matches in _LISTED_UNDER_PLACE_WORD (IGNORECASE), and nothing else


def _may_end_a_list(window: str) -> bool:
    """Whether `window` ends as _LISTED_UNDER_PLACE_WORD requires: with a comma, or with "và" after a blank, then
    blanks only. A window that does not (most, before a province's name) is not searched with that pattern."""
    tail = window.rstrip()
    return tail.endswith(",") or tail[-2:] in _AND and tail[-3:-2].isspace()


# Family names and the commonest middle names: a capitalised run starting so is a person's name.
_FAMILY_NAMES = lexicon.common_surnames()
_MIDDLE_NAMES = lexicon.name_syllables("middle")
# Names that contain a province's name but are something else ("Thái Bình Dương" is the Pacific).
_NOT_PROVINCE_COMPOUNDS = frozenset(
    _key(s) for s in ("Thái Bình Dương", "Điện Biên Phủ", "Hà Nam Ninh", "Nghệ Tĩnh", "Bình Trị Thiên")
)
_NAME_IN_COMPANY_NAMES = frozenset({_key("Sài Gòn")})
_CAPITALISED_BEFORE = re.compile(rf"((?:[{UPPER}][{LETTERS}]* )+)$")
_NEXT_WORD = re.compile(rf"\s+([{UPPER}][{LOWER}]*)")


def _may_end_capitalised(before: str) -> bool:
    """Whether `before` may end as _CAPITALISED_BEFORE requires: a word holding a capital, then a space (and a line
    break). Most provinces' names follow a word in lower case ("tỉnh", "của"): that pattern is not searched then."""
    if before.endswith(" "):
        space = len(before) - 1
    elif before.endswith(" \n"):
        space = len(before) - 2
    else:
        return False
    return not before[before.rfind(" ", 0, space) + 1:space].islower()  # no capital in it: no run of capitalised words


# Words that may stand before a one-syllable province ("TP Huế") without making it a person's name.
_MARKERS_BEFORE_SHORT_NAME = frozenset({"TP", "TP.", "Tp", "Tp.", "TX", "UBND", "HĐND"})


@lru_cache(maxsize=4096)  # a frozen model, keyed by a name as written
def province_of(name: str) -> Province | None:
    """The province a written name stands for ("Thanh Hoá", "tỉnh Khánh Hoà", "TP.HCM"), if any."""
    stripped = re.sub(r"^(?:tỉnh|thành phố|tp\.?)\s+", "", name.strip(), flags=re.IGNORECASE)
    canon = _CANONICAL.get(_key(stripped)) or _CANONICAL.get(_key(name.strip()))
    return Province(name=canon, name_2025=_NAME_2025[canon]) if canon else None


RULE_PROVINCE_NAME = rule(
    "province.name", "provinces", "a province's name or a listed variant, not part of a street's, a person's or a "
    "company's name", examples=("Khánh Hoà giảm 12 phòng.", "Cán bộ TP.HCM dự hội nghị."),
    counterexamples=("Ông Nguyễn Thị Hà Giang phát biểu.", "Đường Hà Nội được mở rộng.", "Thái Bình Dương rộng lớn."),
)
RULE_PROVINCE_AFTER_TINH = rule(
    "province.after_tinh", "provinces", "after the word \"tỉnh\", a province's name in any case",
    examples=("Cán bộ tỉnh quảng ninh dự hội nghị.",),
    counterexamples=("Cán bộ tỉnh dự hội nghị.",),
)


def find_provinces(doc: Document) -> list[Province]:
    text = doc.text
    listed = SpanIndex((start, end, None) for _, start, end, _ in listed_places(text))
    mentions = [
        (m.start(), m.end(), canon, RULE_PROVINCE_NAME)
        for m in _PROVINCE.finditer(text)
        if (canon := _CANONICAL.get(_key(m.group(0)))) and _is_province_mention(text, m.start(), m.end())
        and m.start() not in listed  # "37 xã, phường gồm: ..., Hòa Bình, ...": a commune named like a province
    ]
    mentions += _provinces_after_tinh(text, {start for start, _, _, _ in mentions})
    evidence: dict[str, list[Evidence]] = {}
    for start, end, canon, rule_id in sorted(mentions):
        spans = evidence.setdefault(canon, [])
        if len(spans) < _MAX_EVIDENCE:
            spans.append(doc.evidence(start, end, rule_id))
    provinces = [Province(name=c, name_2025=_NAME_2025[c], evidence=ev) for c, ev in evidence.items()]
    doc.record("provinces", provinces)
    return provinces


def _provinces_after_tinh(text: str, found: set[int]) -> list[tuple[int, int, str, str]]:
    """"tỉnh Lào cai", "tỉnh quảng ninh": after the word "tỉnh" a name counts whatever its capitals."""
    mentions = []
    for word in ("tỉnh ", "Tỉnh "):
        at = text.find(word)
        while at != -1:
            start = at + len(word)
            m = _PROVINCE_ANY_CASE.match(text, start) if start not in found else None  # most are found already
            if m and (canon := _CANONICAL.get(_key(m.group(0)))):
                mentions.append((start, m.end(), canon, RULE_PROVINCE_AFTER_TINH))
            at = text.find(word, start)
    return mentions


def _is_province_mention(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start]
    if _PLACE_BEFORE.search(before, _place_word_reach(before)):
        return False
    if _may_end_a_list(window := text[max(0, start - 120):start]) and _LISTED_UNDER_PLACE_WORD.search(window):
        return False
    nxt = _NEXT_WORD.match(text, end)
    if nxt and _key(text[start:end] + " " + nxt.group(1)) in _NOT_PROVINCE_COMPOUNDS:
        return False
    if nxt and _key(text[start:end]) in _NAME_IN_COMPANY_NAMES:
        return False  # "Sài Gòn Thương Tín", "Sài Gòn Giải Phóng": a company or a paper
    run = _CAPITALISED_BEFORE.search(before) if _may_end_capitalised(before) else None
    if run:
        words = run.group(1).split()
        names = [w.capitalize() for w in words]  # "NGUYỄN THỊ HÀ GIANG" in a capitalised headline
        if names[0] in _FAMILY_NAMES or any(w in _MIDDLE_NAMES for w in names):
            return False  # "Nguyễn Thị Hà Giang" is a person
        if " " not in text[start:end].strip() and not all(w in _MARKERS_BEFORE_SHORT_NAME for w in words):
            return False  # "Thanh Huế" is a person, "TP Huế" a city
    return True


# --- places below province level -------------------------------------------------------------

_LEVELS = lexicon.admin_levels()
_LEVEL_OF_PREFIX = {
    form.lower(): level for word, (level, _) in _LEVELS.items() for form in {word, old_spelling(word)}
}
_LOWERCASE_ONLY = {word for word, (_, how) in _LEVELS.items() if "lowercase_only" in how}
# Villages and residential groups ("thôn", "bản", "tổ dân phố"): counted in metrics, never listed as places.
_VILLAGE = "village"
_NUMBERED_UNITS = frozenset(word.lower() for word, (_, how) in _LEVELS.items() if "numbered" in how)
# "P.Đăk Cấm", "P.9": read only with the dot, before two words or a number, and named by the word written out.
_DOTTED = frozenset(word for word, (_, how) in _LEVELS.items() if "dotted" in how)
_WRITTEN_OUT = lexicon.admin_levels_written_out()


def _prefix_forms(word: str, how: frozenset[str]) -> list[str]:
    """The word's patterns: capitalised, then as written (both open with a plain letter, for a fast scan)."""
    if "dotted" in how:
        return [re.escape(word) + r"\."]
    if "abbreviation" in how:
        return [re.escape(word) + r"\.?"]
    firsts = [word[0]] if "lowercase_only" in how else [word[0].upper(), word[0]]
    # "Huyện ủy" and "Huyện uỷ": both tone placements, and nothing else (every form read has a level).
    forms = longest_first({word[1:], old_spelling(word)[1:]})
    return [first + (forms[0] if len(forms) == 1 else "(?:" + "|".join(forms) + ")") for first in firsts]


# A level word that does not follow a letter or a dot.
_PREFIX = "(?P<prefix>" + word_start_alternation([
    form for word, (_, how) in sorted(_LEVELS.items(), key=lambda kv: -len(kv[0])) if "prefix" in how
    for form in _prefix_forms(word, how)
], r"[\w.]") + ")"
_NAME_WORD = rf"[{UPPER}][{LOWER}]*(?:'[{LETTERS}][{LOWER}]*)?(?![{LETTERS}'])"
_PLACE = re.compile(
    rf"{_PREFIX}(?: *: *| *)(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,6}}"
    rf"|(?:số\s+)?\d{{1,3}}[A-Z]?(?![\w,.]\d))"
)
_LOCAL_UNIT = r"(?:huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)"
# A count of places, what is said of them (no stop, no other count in between), then the word that opens their names:
# "37 xã, phường, thị trấn được chọn triển khai bao gồm:", "10 phường thuộc thị xã Kim Bảng gồm", "3 huyện là".
_COUNT_WORDS = ("hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
_COUNTED_THEN_NAMED = re.compile(
    rf"(?=[\dhbnsbtcm])(?<![\w.,])(?:\d+|{'|'.join(_COUNT_WORDS)})\s+(?P<unit>{_LOCAL_UNIT})"
    rf"(?:\s*,\s*{_LOCAL_UNIT})*(?![\w])[^.;:!?()\n\d]{{0,80}}?(?<!\w)(?:bao gồm|gồm có|gồm|là)\s*:?\s*(?=[{UPPER}])"
)
# Every such count stands right before the word of its unit: the few places where a unit word is written (str.find)
# are read backwards, over the blanks, to the count's first digit or to a count word, and the pattern is tried there.
_UNIT_WORDS = ("huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")  # what _LOCAL_UNIT matches
_COUNT_WORDS_BY_LAST = {last: tuple(w for w in _COUNT_WORDS if w[-1] == last) for last in {w[-1] for w in _COUNT_WORDS}}


def _counted_then_named(text: str) -> Iterator[re.Match]:
    """`_COUNTED_THEN_NAMED.finditer(text)`, tried where a count opens before a unit word."""
    starts = set()
    for at in occurrences(text, _UNIT_WORDS):
        starts.update(_counts_before(text, at))
    return finditer_at(_COUNTED_THEN_NAMED, starts, text)


def _counts_before(text: str, at: int) -> list[int]:
    """Where a count (a number, \\d+, or a count word) ending right before the blanks before `at` opens."""
    end = at
    while end > 0 and text[end - 1].isspace():  # str.isspace is the regex engine's \s
        end -= 1
    if end == at or end == 0:
        return []
    start = end
    while start > 0 and text[start - 1].isdecimal():  # str.isdecimal is its \d
        start -= 1
    if start < end:
        return [start]
    words = _COUNT_WORDS_BY_LAST.get(text[end - 1], ())  # the count words ending with the letter there
    return [end - len(word) for word in words if len(word) <= end and text.startswith(word, end - len(word))]


# One name of such a list, up to its comma (or the "và" before the last); "last" when nothing follows it.
_LISTED_NAME = re.compile(
    rf"(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,3}})"
    rf"(?: *, *(?=[{UPPER}])| +và +(?=[{UPPER}])|(?P<last> *(?:[.;)]|$| và(?= )| +\(|(?=\n))))",
    re.MULTILINE,
)
# "A, B và C để thí điểm": after "và", the last name may run into the rest of the sentence.
_LAST_AFTER_VA = re.compile(rf"(?<= và )(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,3}})(?P<last>(?= [{LOWER}]))")
# "xã Vĩnh Lộc (Can Lộc)": the district a commune belongs to, written in brackets after it.
_DISTRICT_IN_BRACKETS = re.compile(rf" *\( *(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,3}}) *\)")
_LIST_NEXT = re.compile(rf" *(?:,| và) +(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,6}})")
_COUNTED_LIST_NEXT = re.compile(rf" *(?:[,;]| và) +(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,6}})")
_LIST_ITEM_END = re.compile(r" *(?:[,;()]|\.(?!\w)| và |$)", re.MULTILINE)  # "(" : "A, B (thuộc huyện C)"
_NOT_PLACES = frozenset({"Việt Nam", "Trung Quốc", "Lào", "Campuchia", "Thủ đô"})
# First words of bodies and titles: "TP Hạ Long và Sở Nội vụ" lists a body after the place.
_BODY_FIRST_WORDS = lexicon.not_name_words("body_or_title")
# First words of bodies and titles that never open a place's name ("Đại", "Trung", "Thành" do: "Đại Cương").
_BODY_ONLY_FIRST_WORDS = _BODY_FIRST_WORDS - {"Đại", "Trung", "Thành", "Liên", "Khu", "Nhà", "Cảng", "Tân"}
# Of those, the ones whose bodies and titles go on in lower case ("Ngân hàng", "Chi cục", "Chủ tịch"): before another
# capitalised word they open a place's name ("Ngân Sơn", "Chi Lăng", "Công Hải").
_LOWER_CONTINUED_FIRST_WORDS = frozenset({
    "Ngân", "Chi", "Học", "Tập", "Quỹ", "Bệnh", "Công", "Mặt", "Thường", "Giám", "Lãnh", "Chủ", "Bí", "Các",
}) & _BODY_ONLY_FIRST_WORDS
# Counting words after a number: "xã 3 năm liền" is not a place named 3.
_COUNTED = re.compile(r"\s+(?:năm|tháng|ngày|lần|người|hộ|tỷ|triệu|%|km|ha)\b")
# Document and common nouns that follow "bản" or "làng" capitalised ("bản Hiến pháp", "làng Văn hóa").
_NOT_PLACE_NAMES = frozenset({
    "Hiến", "Quy", "Cam", "Di", "Kế", "Báo", "Đề", "Nghị", "Chương", "Tuyên", "Hướng", "Thỏa", "Thoả", "Hợp",
    "Điều", "Luật", "Chỉ", "Quyết", "Thông", "Kết", "Nông", "Anh", "Văn", "Đảng", "Tin", "Tổ", "Khu",
})
_MAX_PLACE_WORDS = 4
# Words that open a sentence and no place's name, alone after a level word's dot ("UBND TP. Theo đó, ...").
_SENTENCE_OPENERS = frozenset({
    "Theo", "Trong", "Tại", "Ngoài", "Sau", "Trước", "Từ", "Để", "Đến", "Với", "Khi", "Do", "Vì", "Tuy", "Bên",
    "Hiện", "Cùng", "Nhằm", "Qua", "Đây", "Các", "Những", "Ông", "Bà", "Như", "Nhưng", "Còn", "Riêng", "Trên",
})
# Capitalised common phrases after an admin word: "xã Nông thôn mới", "xã Anh hùng", "làng Văn hóa".
_COMMON_PHRASE = re.compile(
    r"(?:Nông thôn|Anh hùng|Văn hóa|Văn hoá|Văn minh|Kiểu mẫu|Điểm|Thông minh|Xanh|Sạch|Mới|Trực thuộc|"
    r"Loại)\b"
)
# A capitalised title or body right after a place's name is not part of it: "huyện Tiên Yên Trung tâm Y tế".
_NOT_NAME_ENDINGS = frozenset({
    "Trung tâm", "Đại úy", "Đại uý", "Đại tá", "Đại biểu", "Đại học", "Đại hội", "Bí thư", "Chủ tịch",
    "Chủ nhiệm", "Trưởng ban", "Trưởng phòng", "Trưởng đoàn", "Giám đốc", "Hội nghị", "Hội đồng", "Công an",
    "Công ty", "Đảng bộ", "Đảng ủy", "Đảng uỷ", "Ủy ban", "Uỷ ban", "Bệnh viện", "Ngân hàng", "Chi cục",
    "Chi bộ", "Mặt trận", "Thường trực", "Thường vụ", "Văn phòng", "Hợp tác", "Phó chủ", "Thượng tá",
    "Trung tá", "Thiếu tá", "Nhà văn", "Trường mầm", "Trường tiểu", "Trường trung",
})
_LOWER_WORD_AFTER = re.compile(rf" ([{LOWER}]+)")


RULE_PLACE_AFTER_LEVEL = rule(
    "location.after_level_word", "locations", "a capitalised name after an administrative word: \"huyện Tiên Yên\"; "
    "a village's (\"thôn\", \"bản\", \"tổ dân phố\") is read but not listed",
    examples=("Huyện ủy Hải Lăng và UBND xã Tân Lập họp.",),
    counterexamples=("Xã Nông thôn mới được công nhận.", "Chủ tịch UBND thành phố Trần Việt Trường phát biểu.",
                     "Thôn Phú Bông được sáp nhập với thôn Phú Quý."),
)
RULE_NUMBERED_PLACE = rule(
    "location.numbered", "locations", "a numbered ward or district: \"phường 1\", \"quận 3\" (not \"thôn 3\")",
    examples=("Người dân phường 1 và quận 3 họp.",), counterexamples=("Xã 3 năm liền đạt chuẩn.", "Người dân thôn 3 họp."),
)
RULE_LISTED_PLACE = rule(
    "location.listed", "locations", "a name further down a list under one administrative word",
    examples=("Sáp nhập huyện Ba Chẽ, Tiên Yên và Bình Liêu.", "Sau sắp xếp, các huyện: Ba Chẽ 3 xã; Tiên Yên 5 xã."),
    counterexamples=("Sáp nhập huyện Ba Chẽ vào thành phố.",),
)
RULE_COUNTED_PLACES = rule(
    "location.counted_list", "locations", "names listed after a count of places: \"3 huyện là A, B và C\", "
    "\"37 xã, phường được chọn bao gồm: A, B\"",
    examples=("Tỉnh thí điểm ở 3 huyện là Tuy Phước, Phù Cát và Hoài Nhơn.",
              "Danh sách 12 xã, phường được chọn thí điểm bao gồm: Hòa Thành, Lê Văn Tám, Tân Phú.",
              "Tỉnh sẽ thành lập 4 phường thuộc thị xã Mỹ Hòa gồm Đông An, Tây An, Nam Sơn, Bắc Sơn."),
    counterexamples=("Tỉnh có 3 huyện đạt chuẩn nông thôn mới.",
                     "Tỉnh có 12 xã đạt chuẩn, trong đó nhiều xã gồm Sở Nội vụ hướng dẫn."),
)
RULE_TABLE_PLACES = rule(
    "location.table", "locations", "the names in a table whose header names places: \"| Tên xã, phường hiện tại | "
    "Tên xã, phường sau sắp xếp |\" over \"| An Tảo, Hiến Nam | Phố Hiến |\"",
    examples=("| Tên xã, phường hiện tại | Tên xã, phường sau sắp xếp |\n| An Tảo, Hiến Nam và Lê Lợi | Phố Hiến |",),
    counterexamples=("| Chỉ tiêu | Kết quả |\n| Hồ Chí Minh | Đạt |",
                     "| Tên xã hiện tại | Ghi chú |\n| Việc sắp xếp | Đúng tiến độ |"),
)
RULE_DISTRICT_IN_BRACKETS = rule(
    "location.district_in_brackets", "locations", "a district in brackets after its commune: \"xã Vĩnh Lộc (Can Lộc)\"",
    examples=("Công an xã Hòa Lợi (Tam Nông) rà soát danh sách cử tri.",),
    counterexamples=("Công an xã Hòa Lợi (Đồng Tháp) rà soát danh sách cử tri.",),
)


def find_locations(doc: Document) -> list[Location]:
    found: dict[str, tuple[str, str, list[Evidence]]] = {}
    text = doc.text
    text_end = len(text.rstrip())  # a name ending before it is not cut short (cut_short_at_end's first test)
    def add(name: str, level: str, start: int, end: int, rule_id: str) -> None:
        if level == _VILLAGE or end >= text_end and cut_short_at_end(text, end, name):
            return  # a village is below the commune; "huyện Th" at a cut end is a name cut mid-word
        key = name.casefold()
        if key not in found:
            found[key] = (name, level, [])
        spans = found[key][2]
        if len(spans) < _MAX_EVIDENCE:
            spans.append(doc.evidence(start, end, rule_id))

    for m in _PLACE.finditer(text):
        _read_after_level_word(text, m, add)
    for level, start, end, rule_id in listed_places(text):
        add(text[start:end], level, start, end, rule_id)
    locations = [Location(name=name, level=level, evidence=ev) for name, level, ev in found.values()]
    doc.record("locations", locations)
    return locations


def _read_after_level_word(text: str, m: re.Match, add) -> None:
    prefix = m.group("prefix")
    if prefix.isupper() and m.start("name") == m.end("prefix") and not prefix.endswith("."):
        return  # "TPO -" is an outlet's mark: an abbreviated level word stands before its name with a space or a dot
    level = _LEVEL_OF_PREFIX[prefix.rstrip(".").lower()]
    raw_name = m.group("name")
    if raw_name[0].isdigit() or raw_name.startswith("số"):
        # Numbered wards and districts ("phường 1, quận 3") and villages ("thôn 3"); never "xã 3".
        if _COUNTED.match(text, m.end()) or prefix.rstrip(".").lower() not in _NUMBERED_UNITS:
            return
        number = raw_name.split()[-1]
        word = _WRITTEN_OUT.get(prefix.rstrip("."), prefix.rstrip("."))
        add(f"{word.capitalize()} {number}", level, m.start(), m.end(), RULE_NUMBERED_PLACE)
        return
    name = _trim_title_after(text, m.start("name"), _place_name(raw_name))
    if not name or _rejected(prefix, name) or _COMMON_PHRASE.match(text, m.start("name")):
        return
    if prefix.rstrip(".") in _DOTTED and " " not in name:
        return  # "Ảnh: P. Long": an initial, not "P." for "phường"
    if name in _SENTENCE_OPENERS and prefix.endswith("."):
        return  # "Chủ tịch UBND TP. Theo đó, ...": the abbreviation's dot ended the sentence
    if _is_person_after_title(text, m.start(), name):
        return
    start = m.start("name")
    add(name, level, m.start(), start + len(name), RULE_PLACE_AFTER_LEVEL)
    for listed_at, listed in _listed_after(text, start + len(name), prefix):
        add(listed, level, listed_at, listed_at + len(listed), RULE_LISTED_PLACE)
    if level == "commune":
        district = _DISTRICT_IN_BRACKETS.match(text, start + len(name))
        if district and not province_of(district.group("name")):
            add(district.group("name"), "district", district.start("name"), district.end("name"), RULE_DISTRICT_IN_BRACKETS)


# A table as the page gives it, one row a line between bars ("| An Tảo, Hiến Nam | Phố Hiến |"); a header cell that
# names places by their level ("Tên xã, phường sau sắp xếp") makes the names under it places of that level.
_TABLE = re.compile(r"(?:^\|[^\n]*\|[^\S\n]*(?:\n|$)){2,}", re.MULTILINE)
_LEVEL_IN_HEADER = re.compile(rf"(?<![{LETTERS}])(?:{_LOCAL_UNIT}|thành phố|ĐVHC|đơn vị hành chính cấp xã)(?![{LETTERS}])",
                              re.IGNORECASE)
_RULE_ROW = re.compile(r"[\s|:\-–—]*")
# One name of a cell, up to a comma, "và" or the cell's end; a bracket after it names its district ("Thủy Sỹ (Tiên Lữ)").
_CELL_NAME = re.compile(
    rf"[^\S\n]*(?P<name>{_NAME_WORD}(?: +{_NAME_WORD}){{0,3}})(?: *\([^()|\n]{{1,40}}\))?[^\S\n]*(?:,|;| và |(?=\|))"
)


def _table_places(text: str) -> Iterator[tuple[str, int, int, str]]:
    """(level, start, end, rule) of the names in the cells of a table whose header names places by their level."""
    if "|" not in text:
        return
    for table in _TABLE.finditer(text):
        lines, pos = [], table.start()
        for line in table.group().splitlines(keepends=True):
            lines.append((pos, line.rstrip()))
            pos += len(line)
        header = [cell.strip() for cell in lines[0][1].strip("|").split("|")]
        levels = [_header_level(cell) for cell in header]
        if len(header) < 2 or not any(levels):
            continue
        default = next(level for level in reversed(levels) if level)  # a row with merged cells: the finest level named
        for start, line in lines[1:]:
            if _RULE_ROW.fullmatch(line):
                continue
            cells = line[1:-1].split("|")
            at = start + 1
            for i, cell in enumerate(cells):
                level = levels[i] if len(cells) == len(header) else default
                if level:
                    yield from _cell_places(text, at, at + len(cell), level)
                at += len(cell) + 1


def _header_level(cell: str) -> str | None:
    m = _LEVEL_IN_HEADER.search(cell)
    if not m:
        return None
    word = m.group().lower()
    return "commune" if word in ("đvhc", "đơn vị hành chính cấp xã") else _LEVEL_OF_PREFIX[word]


def _cell_places(text: str, start: int, end: int, level: str) -> Iterator[tuple[str, int, int, str]]:
    """Every name of a cell made only of names: "An Tảo, Trung Nghĩa và Lê Lợi"; a cell that says anything else
    ("Giữ nguyên", "Thành lập mới trên cơ sở ...") gives none."""
    items, pos = [], start
    while pos < end and (item := _CELL_NAME.match(text, pos, end + 1)) is not None:  # the bar after the cell too
        items.append(item)
        pos = item.end()
    if pos < end and text[pos:end].strip() or not items:
        return
    for item in items:
        name = item.group("name")
        if name in _NOT_PLACES or _opens_a_body(name):
            return
    for item in items:
        yield level, item.start("name"), item.end("name"), RULE_TABLE_PLACES


@per_article()
def listed_places(text: str) -> tuple[tuple[str, int, int, str], ...]:
    """(level, start, end, rule) of the names listed after a count of places: "37 xã, phường, thị trấn ... bao
    gồm: Cái Nước, Đầm Dơi, ...", "3 huyện là Tuy Phước, Phù Cát và Hoài Nhơn". The level word stands before the
    count, not before each name, and the names are places whatever they look like (a ward may bear a person's
    name, a commune a province's), so people.py and the provinces read these spans as places too."""
    out = []
    for m in _counted_then_named(text):
        level = _LEVEL_OF_PREFIX[m.group("unit").lower()]
        pos = m.end()
        while (item := _LISTED_NAME.match(text, pos) or _LAST_AFTER_VA.match(text, pos)) is not None:
            name = item.group("name")
            if name in _NOT_PLACES or _opens_a_body(name) or _rejected(m.group("unit"), name):
                break
            if name.lower() in _LEVEL_OF_PREFIX and text.startswith(".", item.end("name")):
                break  # "gồm: P.Kon Tum, P.Đăk Cấm": each item has its own level word, read as such
            out.append((level, item.start("name"), item.end("name"), RULE_COUNTED_PLACES))
            if item.group("last"):
                break
            pos = item.end()
    out.extend(_table_places(text))
    return tuple(out)


def _opens_a_body(name: str) -> bool:
    first, *rest = name.split()
    return first in _BODY_ONLY_FIRST_WORDS and not (rest and first in _LOWER_CONTINUED_FIRST_WORDS)


# "Chủ tịch UBND thành phố Trần Việt Trường": the title's holder follows the body's place word.
_TITLE_BEFORE = re.compile(
    rf"(?:{'|'.join(longest_first({f for h in lexicon.title_heads('before_place_name') for f in (h, old_spelling(h))}))})"
    r"(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)


def _is_person_after_title(text: str, start: int, name: str) -> bool:
    words = name.split()
    if not (3 <= len(words) <= 4 and words[0] in _FAMILY_NAMES):
        return False
    return bool(_TITLE_BEFORE.search(text, max(0, start - 30), start))


def _listed_after(text: str, pos: int, prefix: str) -> list[tuple[int, str]]:
    """Places listed after the first under one admin word: "huyện Ba Chẽ, Tiên Yên và Bình Liêu".

    Each item must end at a comma, "và", a bracket or the sentence's end, so that
    "tại TP Hạ Long, Thường trực Tỉnh ủy..." does not make "Thường" a place.
    """
    listed = []
    counted = _COUNT_AFTER_NAME.match(text, pos)
    pos = counted.end() if counted else pos
    while (nxt := (_COUNTED_LIST_NEXT if counted else _LIST_NEXT).match(text, pos)) is not None:
        name = _place_name(nxt.group("name"))
        province_named = province_of(name) and _LEVEL_OF_PREFIX[prefix.rstrip(".").lower()] != "commune"
        if not name or _rejected(prefix, name) or province_named or name in _NOT_PLACES:
            break
        end = nxt.start("name") + len(name)
        counted = _COUNT_AFTER_NAME.match(text, end)
        end = counted.end() if counted else end
        closed = _LIST_ITEM_END.match(text, end)
        last_after_va = nxt.group(0).lstrip(" ,").startswith("và") and (
            closed or (" " in name and name.split(" ", 1)[0] not in _BODY_FIRST_WORDS)
        )
        if not (closed or last_after_va):
            break
        listed.append((nxt.start("name"), name))
        pos = end
    return listed


# "các huyện: Bình Sơn 5 xã; Sơn Tịnh 4 xã": each name with the count of its communes, the items split by semicolons.
_COUNT_AFTER_NAME = re.compile(r" +\d+ +(?:xã|phường|thị trấn)(?: *, *\d+ +(?:xã|phường|thị trấn))*(?!\w)")


def _trim_title_after(text: str, start: int, name: str | None) -> str | None:
    if not name or " " not in name:
        return name
    nxt = _LOWER_WORD_AFTER.match(text, start + len(name))
    last = name.rsplit(" ", 1)[1]
    if nxt and f"{last} {nxt.group(1)}" in _NOT_NAME_ENDINGS:
        return name.rsplit(" ", 1)[0]
    return name


def _place_name(run: str) -> str | None:
    """The place's name at the head of a capitalised run, without a person's name that follows it."""
    words = run.split()
    # "TP Hạ Long Nguyễn Văn A": a family name followed by one to three more words starts a person.
    starts = [i for i in range(1, len(words)) if words[i] in _FAMILY_NAMES and 2 <= len(words) - i <= 4]
    if starts:
        with_middle = [i for i in starts if words[i + 1] in _MIDDLE_NAMES]
        words = words[: (with_middle or [i for i in starts if len(words) - i == 3] or starts)[0]]
    elif len(words) > _MAX_PLACE_WORDS:
        words = words[:2]
    if any(w in _MIDDLE_NAMES for w in words[1:-1]):
        return None  # "Lê Văn Tám"; a place may end in one ("huyện Đồng Văn")
    return " ".join(words[:_MAX_PLACE_WORDS]) or None


def _rejected(prefix: str, name: str) -> bool:
    bare = prefix.rstrip(".").lower()
    if bare in _LOWERCASE_ONLY and name.split()[0] in _NOT_PLACE_NAMES:
        return True
    if bare in ("thành phố", "tp", "thành ủy", "thành uỷ"):
        province = province_of(name)
        if province and province.name in CENTRALLY_RUN_CITIES:
            return True  # a centrally-run city is a province, not a location
    return False
