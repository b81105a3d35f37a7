"""People: each real person an article names, once, with the titles it gives them.

A name is a Vietnamese surname and one to three more capitalised syllables. It counts as
a person when a title or an honorific stands next to it ("đồng chí X, Bí thư Tỉnh ủy",
"Phó Chủ tịch UBND tỉnh X") or, for three syllables or more, when nothing around it makes it
a place, a street or an institution's name. Titles are read with the body grammar that
organizations.py shares, and written without the province's name.
"""
from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from common import lexicon
from common.text import finditer_at, finditer_from, occurrences, word_start_alternation
from schemas.extraction import Person
from services.extract.engine.doc import Document, SpanIndex
from services.extract.engine.memo import per_article
from services.extract.engine.organizations import (
    BODY_RE,
    ENDS_LOCAL_LEVEL,
    LOW,
    NAME_BREAKERS,
    PROVINCE_RE,
    SP,
    SURNAMES,
    UP,
    BodyMention,
    RunSplit,
    body_at,
    canonical_core,
    named_steering_committees,
    on_furniture_line,
    phrase,
    split_run,
    upper_case_bodies,
)
from services.extract.engine.places import listed_places
from services.extract.engine.rules import rule

# --- titles ---------------------------------------------------------------------------------

# Titles that stand alone ("Tổng Bí thư Tô Lâm") or take a body after them ("Bộ trưởng Bộ Nội vụ").
_STANDALONE_HEADS = lexicon.titles("alone")
_STANDALONE_ACRONYMS = r"UVTVTU|UVBTVTU|UVBTV|UV{SP}BTV|TUV|ĐBQH|UVTW|UVTƯ|UV{SP}TW".replace("{SP}", SP)
# Titles that say nothing alone ("Chủ tịch Hồ Chí Minh", "Trưởng đoàn"): a body must follow.
_BODY_HEADS = lexicon.titles("body")


def _heads(heads: tuple[str, ...]) -> str:
    return "|".join(phrase(h) for h in sorted(heads, key=len, reverse=True))


_LETTER = rf"[{UP}{LOW}0-9]"
_ROLE = (
    rf"(?:[Nn]guyên{SP}|[Qq]uyền{SP})?"  # a former post; an acting one ("quyền Chủ tịch UBND tỉnh")
    rf"(?:(?P<alone>{_heads(_STANDALONE_HEADS)}|{_STANDALONE_ACRONYMS})"
    rf"|(?P<head>{_heads(_BODY_HEADS)})(?:{SP}{phrase('Thường trực')})?)"
    rf"(?!{_LETTER})"
)
ROLE_RE = re.compile(rf"(?<!{_LETTER})" + _ROLE)  # match() at a known position, either case
# The same heads read as taking a body first: "Trưởng phòng Nội vụ huyện X" over the bare "Trưởng phòng".
_BODY_HEAD_RE = re.compile(
    rf"(?:[Nn]guyên{SP}|[Qq]uyền{SP})?(?P<head>{_heads(_BODY_HEADS)})(?:{SP}{phrase('Thường trực')})?(?!{_LETTER})"
)
# finditer(): titles in running text start upper case; lower case ones are read after a name, or
# before a body written upper case ("trưởng Ban Tuyên giáo X"), never before a lower-case model's body.
# Only where a title starts matters, so the scan is `(?=[<first letters>])(?<!letter)` + _ROLE written as one flat
# alternation in the same order (the former post first, then each head, each with its own ending) and handed to
# word_start_alternation: the same matches, and the regex engine skips ahead to the letters a title opens with.
_ROLE_FIRST_LETTERS = "".join(sorted({h[0].upper() for h in _STANDALONE_HEADS + _BODY_HEADS} | set("UTĐN"))) + "n"


def _cased_forms(pattern: str) -> list[str]:
    """A `phrase` pattern opening with a "[Xx]" class, as two patterns opening with X and with x."""
    if pattern.startswith("[") and pattern[3] == "]":
        return [pattern[1] + pattern[4:], pattern[2] + pattern[4:]]
    return [pattern]


def _role_scan_alternatives() -> list[str]:
    standing = rf"(?:{SP}{phrase('Thường trực')})?"
    title = (rf"(?:(?:{_heads(_STANDALONE_HEADS)}|{_STANDALONE_ACRONYMS})"
             rf"|(?:{_heads(_BODY_HEADS)}){standing})(?!{_LETTER})")
    alternatives = [f"{n}guyên{SP}{title}" for n in "Nn"] + [f"{q}uyền{SP}{title}" for q in "Qq"]
    alternatives += [form + f"(?!{_LETTER})" for h in sorted(_STANDALONE_HEADS, key=len, reverse=True)
                     for form in _cased_forms(phrase(h))]
    alternatives += [acronym + f"(?!{_LETTER})" for acronym in _STANDALONE_ACRONYMS.split("|")]
    alternatives += [form + f"{standing}(?!{_LETTER})" for h in sorted(_BODY_HEADS, key=len, reverse=True)
                     for form in _cased_forms(phrase(h))]
    return [a for a in alternatives if a[0] in _ROLE_FIRST_LETTERS]


_ROLE_SCAN = re.compile(word_start_alternation(_role_scan_alternatives(), _LETTER))
# The same scan in two parts: the titles opening with a capital, by the regex engine; those opening lower case (a
# former post, "nguyên ...") only where str.find sees their first word: "n" ends half the syllables of the language,
# and trying the alternation at each one costs more than the rest of the scan.
_ROLE_SCAN_CAPITALS = re.compile(word_start_alternation(
    [a for a in _role_scan_alternatives() if not a[0].islower()], _LETTER))
_ROLE_SCAN_LOWER_WORDS = tuple(sorted({re.match(r"\w+", a).group(0) for a in _role_scan_alternatives() if a[0].islower()}))
_LOWER_HEAD_BEFORE = re.compile(
    rf"(?<!{_LETTER})(?:phó{SP})?(?:{'|'.join(SP.join(h.split()) for h in lexicon.title_heads('before_body'))})"
    rf"(?:{SP}thường{SP}trực)?{SP}$"
)
# The words such a head ends with: only where the text before a body ends with one (blanks aside) is it searched.
_LOWER_HEAD_LAST_WORDS = tuple(sorted({h.split()[-1] for h in lexicon.title_heads("before_body")} | {"trực"}))
# Between two titles of one person: "Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh", "Bí thư - Chủ tịch", "kiêm",
# "đồng thời là".
# "giữ chức Phó Bí thư Tỉnh ủy, được bầu làm Chủ tịch UBND tỉnh": a post given in the same breath.
# "được HĐND bầu giữ chức": the body that elects may stand between "được" and the verb.
_ELECTING_BODY = rf"(?:{SP}(?:HĐND|UBND|[{UP}][{LOW}]*(?:{SP}[{UP}][{LOW}]*){{0,2}})(?:{SP}(?:tỉnh|huyện|xã))?)?"
_APPOINTED = (
    rf"(?:và{SP})?(?:vừa{SP}|đã{SP})?được{_ELECTING_BODY}{SP}"
    rf"(?:bầu|bầu{SP}giữ|bổ{SP}nhiệm|điều{SP}động|phân{SP}công|chỉ{SP}định|giao|cử)"
    rf"(?:{SP}(?:giữ{SP}chức(?:{SP}vụ)?|làm|là))?"
)
# What a title may carry before the next one: "(mới)", its term ("nhiệm kỳ 2020-2025").
_TITLE_TAIL = rf"(?:[^\S\n]*\((?:mới|cũ)\))?(?:{SP}nhiệm{SP}kỳ{SP}\d{{4}}[^\S\n]*[-–][^\S\n]*\d{{4}})?"
# "X – Giám đốc Sở A làm Giám đốc Sở B", "Phó Bí thư Tỉnh ủy giữ chức vụ Chủ tịch UBND tỉnh": the old post, then the new.
_MOVED_TO = rf"(?:giữ{SP}chức(?:{SP}vụ)?|làm)"
_CHAIN_GAP = re.compile(
    rf"{_TITLE_TAIL}[^\S\n]*,?[^\S\n]*(?:[-–—]|kiêm|và{SP}kiêm|đồng{SP}thời(?:{SP}là)?|{_APPOINTED}"
    rf"|(?:sau{SP}đó{SP})?{_MOVED_TO})?[^\S\n]*"
)
# Between a name and the titles after it: "X, Bí thư", "X - Bí thư", "X (Bí thư".
_AFTER_NAME = re.compile(
    rf"[^\S\n]*(?:\([^()\n]{{0,40}}\)[^\S\n]*)?(?:,|[-–—]|\()[^\S\n]*"  # "X (bên trái), Bí thư"
    rf"|{SP}(?:(?:được|vừa{SP}được){_ELECTING_BODY}{SP}(?:bầu|bầu{SP}giữ|bổ{SP}nhiệm|điều{SP}động|phân{SP}công|chỉ{SP}định|giao){SP})?"
    rf"(?:giữ{SP}chức(?:{SP}vụ)?|làm|là){SP}"  # "ông X được bổ nhiệm giữ chức Phó Giám đốc Sở Nội vụ"
    # "ông X từng làm Bí thư Huyện ủy", "ông X được giao quyền Chủ tịch UBND tỉnh"
    rf"|{SP}(?:(?:đã{SP})?từng(?:{SP}có{SP}thời{SP}gian)?|sau{SP}đó|trước{SP}đây){SP}(?:giữ{SP}chức(?:{SP}vụ)?|làm|là){SP}"
    rf"|{SP}(?:vừa{SP})?được{SP}giao{SP}(?=quyền{SP})"
)
_SPACES = re.compile(r"[^\S\n]*")
# Right after a name, these titles stand without their body.
_BARE_TITLE = re.compile(
    rf"(?:[Pp]hó{SP})?(?:{'|'.join(phrase(h) for h in lexicon.title_heads('bare_after_name'))})(?:{SP}[Tt]hường{SP}trực)?"
)
_TITLE_ENDS = re.compile(rf"[^\S\n]*(?:[,.;:)]|{SP}[{LOW}]|$)")


@dataclass
class Role:
    start: int
    end: int  # including the place written after the body
    text: str
    chain: int = -1


def _find_roles(text: str, after_names: list[int]) -> list[Role]:
    """Titles with their bodies; after_names: where a title may follow a name ("ông X, phó chủ tịch...")."""
    bodies = upper_case_bodies(text)
    right_after_name = set(after_names)
    starts = _role_scan_starts(text)
    for b in bodies:
        window = max(0, b - 32)
        if not text[window:b].rstrip().endswith(_LOWER_HEAD_LAST_WORDS):
            continue
        head = _LOWER_HEAD_BEFORE.search(text, window, b)
        if head:
            starts.append(head.start())
    starts += [p for p in after_names if p < len(text) and text[p].islower()]
    heapq.heapify(starts)
    roles: list[Role] = []
    pos = 0
    while starts:
        start = heapq.heappop(starts)
        if start < pos:
            continue
        m = _BODY_HEAD_RE.match(text, start)
        mention = _body_after(text, m.end(), bodies) if m else None
        if mention is None:
            m = ROLE_RE.match(text, start)
            if m is None:
                continue
            mention = _body_after(text, m.end(), bodies)
        if mention is not None:
            end = mention.end
        elif m.group("alone") or start in right_after_name and _BARE_TITLE.fullmatch(m.group(0)) and _TITLE_ENDS.match(text, m.end()):
            end = m.end()  # "X, Phó Chủ tịch, cho biết": the body is the one the article is about
        else:
            continue
        roles.append(Role(start, end, _role_text(text[start:end])))
        pos = end
        after = _CHAIN_GAP.match(text, end).end()
        if after > end and after < len(text) and text[after].islower():
            heapq.heappush(starts, after)  # "phó bí thư tỉnh ủy, chủ tịch UBND tỉnh"
    return roles


def _role_scan_starts(text: str) -> list[int]:
    """Where the matches of `_ROLE_SCAN.finditer(text)` start: at each step the first match after the last one's end,
    of the capitals' scan or at a lower-case opening word, whichever comes first."""
    lower = sorted(occurrences(text, _ROLE_SCAN_LOWER_WORDS))
    out: list[int] = []
    pos = i = 0
    while True:
        capital = _ROLE_SCAN_CAPITALS.search(text, pos)
        limit = len(text) if capital is None else capital.start()
        found = None
        while found is None and i < len(lower) and lower[i] < limit:
            if lower[i] >= pos:
                found = _ROLE_SCAN.match(text, lower[i])
            i += 1
        if found is None:
            found = capital
        if found is None:
            return out
        out.append(found.start())
        pos = found.end()


def _body_after(text: str, head_end: int, bodies: dict) -> BodyMention | None:
    gap = _SPACES.match(text, head_end).end()
    if gap == head_end:
        return None
    if gap in bodies:
        return bodies[gap][1]
    body = BODY_RE.match(text, gap)
    return body_at(text, body) if body else None


_PROVINCE_AFTER_LEVEL = re.compile(
    rf"((?:{phrase('Tỉnh ủy')}|{phrase('Thành ủy')}|tỉnh|thành phố|Thành phố|TP\.?))(?:{SP}(?:{PROVINCE_RE.pattern}))"
)


_HCM_AFTER_LEVEL = re.compile(rf"(TP|thành phố|Thành phố)[^\S\n]*\.?[^\S\n]*(?:HCM|Hồ{SP}Chí{SP}Minh)")


@lru_cache(maxsize=2048)
def _role_text(raw: str) -> str:
    """A title as written, without the province's name ("Chủ tịch HĐND tỉnh Quảng Ninh" -> "...tỉnh")."""
    stripped = _HCM_AFTER_LEVEL.sub(r"\1", _PROVINCE_AFTER_LEVEL.sub(r"\1", raw))
    text = " ".join(stripped.split()).rstrip(" ,-–")
    return "Quyền " + text[6:] if text.startswith("quyền ") else text  # "được giao quyền chủ tịch": an acting post


# --- names ------------------------------------------------------------------------------------

# Hmong men's names carry a one-letter middle name: "Giàng A Tính".
# The lower-case letters and the blanks are taken possessively (++, {0,2}+): what follows them is a blank, a capital or
# no letter, which none of them can be, so giving one back never helps and the engine need not try.
_NAME_TOKEN = rf"(?:[{UP}][{LOW}]++|A(?=[^\S\n]+[{UP}]))"
_CAP_TOKEN = re.compile(_NAME_TOKEN)
# Capitalised syllables in a row; "PhạmThị" (a lost space) still splits into two syllables.
# (The capital leads and the check that no letter precedes it comes after it: the regex engine skips ahead to capitals.)
_NAME_RUN = re.compile(rf"[{UP}](?<!{_LETTER}[{UP}])[{LOW}]++(?:[^\S\n]{{0,2}}+{_NAME_TOKEN})+(?!{_LETTER})")
def _either_case_initials(form: str) -> str:
    """A regex for a form whose first letter, and the first after a slash ("đ/c"), may be written in either case."""
    return re.sub(r"(?:(?<=^)|(?<=/))(\w)", lambda m: f"[{m.group(1).upper()}{m.group(1)}]", form)


_HONORIFIC_BEFORE = re.compile(
    rf"(?:(?<![\w])(?:{'|'.join(_either_case_initials(h) for h in lexicon.honorifics('word', 'person'))})"
    rf"|(?:{'|'.join(lexicon.honorifics('abbreviation', 'person'))})\.?)[\s:.,]*$"
)
# Before a name that is a place, a street or an institution's ("đường Lê Lợi", "TP Hồ Chí Minh").
_PLACE_OR_INSTITUTION_BEFORE = re.compile(
    r"(?:(?<![\w])(?:tại|ở|tỉnh|thành phố|[Tt]hành phố|TP|TP\.|huyện|quận|thị xã|TX|TX\.|xã|phường|thị trấn|đường|[Đđ]ường"
    r"|phố|[Pp]hố|ngõ|hẻm|cầu|[Cc]ầu|sông|[Ss]ông|hồ|núi|đảo|chợ|[Cc]hợ|bến|cảng|khu|[Kk]hu|cụm|làng|thôn|ấp|bản|xóm"
    r"|trường|THPT|THCS|TH|[Tt]iểu học|[Bb]ệnh viện|[Hh]ọc viện|[Đđ]ại học|tàu|[Tt]ượng|[Qq]uảng trường|[Cc]ông viên"
    r"|TNCS|[Cc]ộng sản|quốc gia|[Cc]ông ty|[Tt]ập đoàn|[Qq]uỹ|[Gg]iải|[Gg]iải thưởng|[Cc]úp|[Bb]ảo tàng|[Dd]i tích"
    r"|[Nn]hà văn hóa|[Đđ]ền|[Cc]hùa|[Đđ]ình|[Kk]hu di tích|[Tt]ên|mang tên|[Hh]ội|nhà|[Cc]ửa khẩu|[Ss]ân bay)"
    r")[^\S\n]*$"
)
# An institution named in the same clause before the name: "Trường Chính trị Trần Phú".
_INSTITUTION_IN_CLAUSE = re.compile(
    rf"(?<![\w])(?:Trường|Học viện|Bệnh viện|Công ty|Tập đoàn|Quỹ|Giải|Bảo tàng|Đường|Phố|Cầu|Khu|Quảng trường"
    rf"|Công viên|Nhà văn hóa|Thư viện|Đại học){SP}[{UP}][^,;:.()\n]{{0,40}}$"
)
_BYLINE_BEFORE = re.compile(r"(?:[Tt]in|[Bb]ài|[Ảả]nh|[Vv]ideo|[Cc]lip|[Nn]guồn|[Tt]hực hiện|[Đđ]ồ họa|[Tt]heo)[^\n]{0,14}[:(]\s*$")


def _byline_before(text: str, start: int, end: int) -> bool:
    """`_BYLINE_BEFORE.search(text, start, end)`, searched only when the stretch ends with its ":" or "(" (blanks aside)."""
    return text[start:end].rstrip().endswith((":", "(")) and _BYLINE_BEFORE.search(text, start, end) is not None


_LEADS = re.compile(rf"(?:làm|là){SP}[Tt]rưởng{SP}[Đđ]oàn|dẫn{SP}đầu")
_BY = re.compile(rf"do(?<!\wdo){SP}")  # "do" at a word's start: the literal first, so the engine skips ahead to it
_DELEGATION_KIND = re.compile(
    rf"[Đđ]oàn{SP}(công{SP}tác|khảo{SP}sát|kiểm{SP}tra|giám{SP}sát|cán{SP}bộ|đại{SP}biểu|liên{SP}ngành|thẩm{SP}định"
    rf"|lãnh{SP}đạo|thanh{SP}tra)"
)
_SENTENCE_START = re.compile(rf"[.!?…]+[\"”’)]*{SP}(?=[{UP}\"“])|\n")


@dataclass
class NameMention:
    start: int
    end: int
    tokens: tuple[str, ...]  # as written in the article
    run_start: int  # where the run of capitalised words holding the name starts
    roles: list[Role] = field(default_factory=list)
    strong: bool = False
    span: tuple[int, int] = (0, 0)
    rule: str = ""  # the rule that made it a person, once accepted

    def made_by(self, rule_id: str) -> None:
        self.strong = True
        self.rule = self.rule or rule_id


# --- the rules that make a name a person -------------------------------------------------------

RULE_TITLE_BEFORE = rule(
    "person.title_before", "persons", "a name right after a title with its body",
    examples=("Phó Chủ tịch UBND tỉnh Quảng Ninh Nguyễn Văn Đọc phát biểu.",),
    counterexamples=("Ông Nguyễn Văn Đọc phát biểu.",),
)
RULE_TITLE_AFTER = rule(
    "person.title_after", "persons", "a name with a title after it: \"X, Bí thư Tỉnh ủy\", \"X giữ chức ...\"",
    examples=("Ông Vũ Đại Thắng, Bí thư Tỉnh ủy Quảng Ninh, phát biểu.",),
    counterexamples=("Ông Vũ Đại Thắng phát biểu tại hội nghị.",),
)
RULE_LISTED_AFTER_PERSON = rule(
    "person.listed_after_person", "persons", "a name in a list whose first item is a person",
    examples=("Dự hội nghị có các đồng chí Tô Lâm, Lương Cường.",),
    counterexamples=("Dự hội nghị có đồng chí Tô Lâm.",),
)
RULE_HONORIFIC = rule(
    "person.honorific", "persons", "a name after an honorific or an academic title: ông, bà, đồng chí, TS.",
    examples=("Theo bà Lê Thị Thủy, tỉnh sẽ giảm biên chế.",),
    counterexamples=("Đường Lê Lợi được mở rộng.",),
)
RULE_FULL_NAME = rule(
    "person.full_name", "persons", "three syllables or more, a surname first, with nothing making them a place",
    examples=("Nguyễn Văn Đọc cho biết tỉnh sẽ giảm biên chế.",),
    counterexamples=("Trường Chính trị Trần Phú tổ chức lớp học.", "Tin: Nguyễn Văn An"),
)


# Ede and Jrai names open with "Y" (men) or "H'" (women) and need no Kinh surname: "Y Biêr Niê", "H'Yim Kđoh".
_HIGHLAND_NAME = re.compile(
    rf"(?=[YH])(?<!{_LETTER})"
    rf"(?:Y(?:[^\S\n]+[{UP}][{LOW}]+){{2,4}}|H['’][{UP}][{LOW}]+(?:[^\S\n]+[{UP}][{LOW}]+){{1,3}})(?!{_LETTER})"
)
_HIGHLAND_OPENING = re.compile(rf"[YH](?<!{_LETTER}.)")  # where _HIGHLAND_NAME may start: the engine skips ahead to it
_MEN_OPENING = re.compile(rf"Y(?<!{_LETTER}.)")  # where it may start in a text with no "H'": a literal, found fast
_HIGHLAND_TOKEN = re.compile(rf"H['’][{UP}][{LOW}]+|Y(?![{LOW}])|[{UP}][{LOW}]+")
# "Sở Y Tế", "Trung tâm Y Tế Dự Phòng" written in title case: medicine, not a man's name.
_NOT_HIGHLAND_AFTER_Y = frozenset({"Tế", "Khoa", "Học", "Dược", "Sĩ", "Tá", "Bác"})
_CAP_WORD_BEFORE = re.compile(rf"[{UP}][{LOW}]*[^\S\n]+$")


def _highland_names(text: str, original: str) -> list[NameMention]:
    out = []
    women = "H'" in text or "H’" in text  # else only the men's branch can match, and only at a "Y"
    for run in finditer_from(_HIGHLAND_NAME, _HIGHLAND_OPENING if women else _MEN_OPENING, text):
        pieces = [(t.start(), t.end()) for t in _HIGHLAND_TOKEN.finditer(text, run.start(), run.end())]
        cut = next((i for i, (s, e) in enumerate(pieces) if text[s:e] in NAME_BREAKERS), len(pieces))
        pieces = pieces[:cut]
        if len(pieces) < (3 if text[run.start()] == "Y" else 2):
            continue
        if text[pieces[1][0]:pieces[1][1]] in _NOT_HIGHLAND_AFTER_Y:
            continue
        written = tuple(original[s:e] for s, e in pieces)
        glued = _CAP_WORD_BEFORE.search(text, max(0, run.start() - 12), run.start())  # part of a longer proper name
        out.append(NameMention(pieces[0][0], pieces[-1][1], written, glued.start() if glued else pieces[0][0]))
    return out


def _name_mentions(text: str, original: str) -> list[NameMention]:
    out = _highland_names(text, original) if "Y " in text or "H'" in text or "H’" in text else []
    taken = SpanIndex((n.start, n.end, None) for n in out) if out else None
    nameless: set[str] = set()  # runs found to hold no surname before their last syllable ("Quảng Ninh"), as written
    for run in _NAME_RUN.finditer(text):
        if taken is not None and run.start() in taken:
            continue
        written = run.group(0)
        if written in nameless:
            continue
        words = _CAP_TOKEN.findall(written)  # the syllables of the run, as finditer over it finds them
        if SURNAMES.isdisjoint(words[:-1]):
            nameless.add(written)
            continue  # a name opens with a surname and has a syllable after it: the run's last one opens none
        pieces = [t.span() for t in _CAP_TOKEN.finditer(text, run.start(), run.end())]
        segment: list[tuple[int, int]] = []
        for piece, word in zip(pieces + [(-1, -1)], words + [""]):
            if word and (word not in NAME_BREAKERS or _given_name_after(text, segment, piece, run.end())):
                segment.append(piece)
                continue
            if len(segment) >= 2:
                out.extend(_names_in_segment(text, original, segment))
            segment = []
    if out:
        out.sort(key=lambda n: n.start)
    return out


# Breakers that are also given names ("Hà Sỹ Đồng", "Trần Văn Được", "Nguyễn Văn Chánh"): right after a name and
# ending the run of capitalised words they close it, unless the next word makes them a title or a phrase
# ("Đồng chí", "Chánh án", "Được biết").
_GIVEN_NAME_BREAKERS = {
    "Đồng": ("chí", "thời", "bào", "loạt", "hành", "tình", "ý", "lòng", "đều"),
    "Được": ("biết", "bầu", "giao", "cử", "sự", "coi", "xem", "thông"),
    "Chánh": ("án", "văn", "thanh", "thẩm"),
}
_NEXT_LOWER_WORD = re.compile(rf"[^\S\n]+([{LOW}]+)")


def _given_name_after(text: str, segment: list[tuple[int, int]], piece: tuple[int, int], run_end: int) -> bool:
    stops = _GIVEN_NAME_BREAKERS.get(text[piece[0]:piece[1]])
    if stops is None or piece[1] != run_end or not 2 <= len(segment) <= 3:
        return False
    if segment[-1][1] != piece[0] - 1 or text[segment[0][0]:segment[0][1]] not in SURNAMES:
        return False  # only one space between the name and the word
    nxt = _NEXT_LOWER_WORD.match(text, piece[1])
    return not (nxt and nxt.group(1) in stops)


def _names_in_segment(text: str, original: str, segment: list[tuple[int, int]]) -> list[NameMention]:
    tokens = [text[s:e] for s, e in segment]
    if SURNAMES.isdisjoint(tokens[:-1]):
        return []  # no surname with a syllable after it: split_run finds no name ("Quảng Ninh")
    before = text[max(0, segment[0][0] - 12):segment[0][0]].rstrip(" \t")
    split = _split_run(tuple(tokens), bool(ENDS_LOCAL_LEVEL.search(before)))
    if split.name is None:
        return []
    a, b = split.name
    written = tuple(original[s:e] for s, e in segment[a:b])
    return [NameMention(segment[a][0], segment[b - 1][1], written, segment[0][0])]


@per_article(maxsize=1024)  # an article names its people more than once: each spelling is split once
def _split_run(tokens: tuple[str, ...], after_level: bool) -> RunSplit:
    return split_run(list(tokens), after_level=after_level)


def _is_title_case_line(line: str) -> bool:
    if len(line) > 300:
        return False  # a paragraph, not a headline or a caption
    words = [w for w in line.split() if w[0].isalpha()]
    return len(words) >= 5 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


# --- linking names and titles ----------------------------------------------------------------


def _chain_roles(text: str, roles: list[Role]) -> list[list[Role]]:
    chains: list[list[Role]] = []
    for role in roles:
        if chains:
            last = chains[-1][-1]
            if _CHAIN_GAP.fullmatch(text, last.end, role.start):
                role.chain = len(chains) - 1
                chains[-1].append(role)
                continue
        role.chain = len(chains)
        chains.append([role])
    return chains


# A standing-committee seat written without its committee: "Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức Tỉnh ủy".
_BARE_STANDING_SEAT = re.compile(rf"(?:[Nn]guyên{SP})?[Ủủ]y{SP}viên{SP}(?:[Bb]an{SP})?[Tt]hường{SP}vụ$")
_COMMITTEE_IN_TITLE = re.compile(
    rf"(?<![{UP}{LOW}])(?:{phrase('Tỉnh ủy')}|{phrase('Thành ủy')}|{phrase('Huyện ủy')}|{phrase('Quận ủy')}"
    rf"|{phrase('Thị ủy')})(?![{UP}{LOW}])"
)
_COMMITTEE_OF_LEVEL = (
    (re.compile(rf"(?<![{UP}{LOW}])tỉnh$"), "Tỉnh ủy"), (re.compile(rf"(?<![{UP}{LOW}])thành{SP}phố$"), "Thành ủy"),
    (re.compile(rf"(?<![{UP}{LOW}])huyện$"), "Huyện ủy"), (re.compile(rf"(?<![{UP}{LOW}])quận$"), "Quận ủy"),
    (re.compile(rf"(?<![{UP}{LOW}])thị{SP}xã$"), "Thị ủy"),
)
# "Trưởng Ban Chỉ đạo" after the article has named the committee: the title takes the committee's remit.
_BARE_STEERING_TITLE = re.compile(rf"(?<![{UP}{LOW}]){phrase('Ban Chỉ đạo')}$")


# "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ": a minister by rank who heads a body that is not a ministry.
_BARE_MINISTER = re.compile(rf"[Bb]ộ{SP}trưởng$")
_HEAD_OF_MINISTERIAL_BODY = re.compile(rf"[Cc]hủ{SP}nhiệm{SP}")


def _complete_titles(text: str, roles: list[Role], chains: list[list[Role]]) -> None:
    """Titles that lean on the rest of their chain or on a body named elsewhere in the article."""
    for chain in chains:
        for role, nxt in zip(chain, chain[1:]):
            if _BARE_MINISTER.fullmatch(role.text) and _HEAD_OF_MINISTERIAL_BODY.match(nxt.text):
                nxt.text, role.text = f"{role.text}, {nxt.text}", ""  # one post: the empty title is dropped
        for i, role in enumerate(chain):
            if not _BARE_STANDING_SEAT.search(role.text):
                continue
            committee = None
            for later in chain[i + 1:]:
                found = _COMMITTEE_IN_TITLE.search(later.text)
                if found:
                    committee = " ".join(found.group(0).split())
                    break
                committee = next((c for level, c in _COMMITTEE_OF_LEVEL if level.search(later.text)), None)
                if committee:
                    break
            if committee:
                role.text = f"{role.text} {committee}"
    if any(_BARE_STEERING_TITLE.search(r.text) for r in roles):
        named = named_steering_committees(text)
        if len(named) == 1:
            for role in roles:
                bare = _BARE_STEERING_TITLE.search(role.text)
                if bare:
                    role.text = _role_text(role.text[:bare.start()] + named[0])


def _link(text: str, names: list[NameMention], roles: list[Role], chains: list[list[Role]], gaps: dict[int, int]) -> None:
    chain_by_end = {chain[-1].end: i for i, chain in enumerate(chains)}
    role_by_start = {r.start: r for r in roles}
    taken_before: set[int] = set()
    # "ông X - Bí thư Tỉnh ủy, ông Y - Chủ tịch": a chain that follows a name is that name's, not the next one's
    follows_name = set(gaps.values())
    chain_by_end_after_comma = {e: i for e, i in chain_by_end.items() if chains[i][0].start not in follows_name}
    for name in names:
        i = _chain_ending_before(text, name.start, chain_by_end, chain_by_end_after_comma)
        if i is not None:
            name.roles.extend(chains[i])
            taken_before.add(i)
            name.made_by(RULE_TITLE_BEFORE)
    for name in names:
        if name.end not in gaps:
            continue
        role = role_by_start.get(gaps[name.end])
        if role is None or role.chain in taken_before:
            continue
        chain = chains[role.chain]
        if len(chain) == 1 and role.end == role.start + len(role.text):
            _complete_with_body_before(text, name, role)
        name.roles.extend(chain[chain.index(role):])
        name.made_by(RULE_TITLE_AFTER)
    _granted_posts(text, names, roles)
    _posts_in_a_biography(text, names, chains)
    _committee_posts(text, names)
    for name in names:
        s, e = name.start, name.end
        if name.roles:
            s, e = min(s, name.roles[0].start), max(e, name.roles[-1].end)
        name.span = (s, e)


RULE_GRANTED_POST = rule(
    "person.granted_post", "persons", "a post given to the persons named after \"cho\" or \"đối với\": \"giao quyền "
    "Chủ tịch UBND tỉnh cho ông X\", \"bầu bổ sung Phó Chủ tịch UBND tỉnh đối với các ông X và ông Y\"",
    examples=("Thủ tướng giao quyền Chủ tịch UBND tỉnh cho ông Lê Văn Hòa.",),
    counterexamples=("Thủ tướng làm việc với ông Lê Văn Hòa.",),
)
_GRANTING = re.compile(rf"(?<![{UP}{LOW}])(?P<verb>giao{SP}quyền|bầu(?:{SP}bổ{SP}sung)?|bổ{SP}nhiệm|chỉ{SP}định){SP}$")
# The "...$" patterns searched before a name or a title are tried at every place of their window: they are searched
# only where the window ends (blanks aside) with the last word of one of their matches.
_HONORIFIC_LAST_WORDS = ("ông", "bà", "chí")  # of _GIVEN_TO and _COMMA_HONORIFIC_BEFORE
_EARLIER_POST_LAST_WORDS = ("làm", "chức", "vụ", "trí")  # of _EARLIER_POST_BEFORE


def _ends_with(text: str, start: int, end: int, words: tuple[str, ...]) -> bool:
    return text[max(0, start):end].rstrip().endswith(words)


_GIVEN_TO = re.compile(rf"(?<![{UP}{LOW}])(?:cho|đối{SP}với)(?:{SP}các)?{SP}(?:ông|bà|đồng{SP}chí){SP}$")
_AND_NEXT = re.compile(rf"(?:,|;|và)[^\S\n]*(?:và{SP})?(?:ông|bà|đồng{SP}chí){SP}$")
_GRANT_REACH = 300


def _granted_posts(text: str, names: list[NameMention], roles: list[Role]) -> None:
    """'giao quyền Chủ tịch UBND tỉnh ... cho ông X': the post goes to the persons the sentence gives it to."""
    granted: tuple[Role, int] | None = None  # the post, and where the last person given it ends
    role_starts = [r.start for r in roles]
    for name in names:
        if granted and name.start - granted[1] < _GRANT_REACH and _AND_NEXT.search(text, max(0, name.start - 12), name.start):
            pass  # "... đối với các ông X - ..., và ông Y": the next person in the list
        elif _ends_with(text, name.start - 16, name.start, _HONORIFIC_LAST_WORDS) and \
                _GIVEN_TO.search(text, max(0, name.start - 16), name.start):
            granted = _post_granted_before(text, name.start, roles, role_starts)
        else:
            granted = None
        if granted:
            name.roles.append(granted[0])
            name.made_by(RULE_GRANTED_POST)
            granted = (granted[0], name.end)


RULE_COMMITTEE_POST = rule(
    "person.committee_post", "persons", "the post a person takes in the committee the sentence sets up: \"thành lập "
    "Ban Chỉ đạo ... do đồng chí X - Bí thư Tỉnh ủy làm Trưởng ban; đồng chí Y làm Phó Trưởng ban\"",
    examples=("Tỉnh thành lập Ban Chỉ đạo sắp xếp đơn vị hành chính do đồng chí Lê Văn Hòa làm Trưởng ban.",),
    counterexamples=("Đồng chí Lê Văn Hòa làm việc với Ban Chỉ đạo.",),
)
_TAKES_POST = re.compile(
    rf"(?<![{UP}{LOW}])làm{SP}(?P<post>(?P<deputy>[Pp]hó{SP})?[Tt]rưởng{SP}[Bb]an(?P<standing>{SP}[Tt]hường{SP}trực)?)"
    rf"(?![{UP}{LOW}])"
)
_STEERING_COMMITTEE = re.compile(rf"(?<![{UP}{LOW}]){phrase('Ban Chỉ đạo')}(?![{UP}{LOW}])")
_POST_REACH = 250  # characters after a name (and its titles) to "làm Trưởng ban"
_CLAUSE_STOP = re.compile(r"[.!?;\n]")  # the name's own clause: the next comrade's follows a semicolon


def _committee_posts(text: str, names: list[NameMention]) -> None:
    """"Ban Chỉ đạo ... do đồng chí X - Bí thư Tỉnh ủy làm Trưởng ban": X heads the committee the sentence names."""
    if "rưởng ban" not in text and "rưởng Ban" not in text:
        return
    for i, name in enumerate(names):
        limit = min(name.end + _POST_REACH, names[i + 1].start if i + 1 < len(names) else len(text))
        stop = _CLAUSE_STOP.search(text, name.end, limit)
        taken = _TAKES_POST.search(text, name.end, stop.start() if stop else limit)
        if taken is None:
            continue
        sentence_start = max(text.rfind(".", 0, name.start), text.rfind("\n", 0, name.start)) + 1
        post = taken.group("post")
        if _STEERING_COMMITTEE.search(text, sentence_start, name.start):
            post = ("Phó " if taken.group("deputy") else "") + "Trưởng Ban Chỉ đạo" + (
                " Thường trực" if taken.group("standing") else "")
        name.roles.append(Role(taken.start("post"), taken.end("post"), post))
        name.made_by(RULE_COMMITTEE_POST)


RULE_BIOGRAPHY = rule(
    "person.biography", "persons", "earlier posts in a sentence about a person (\"Ông X sinh năm ...; Ông là ..., từng "
    "làm Bí thư Huyện ủy A, sau đó làm Giám đốc Sở B\"): the person the sentence or its pronoun names",
    examples=("Ông Lê Văn Hòa sinh năm 1970. Ông là thạc sĩ, từng làm Bí thư Huyện ủy Mai Sơn.",),
    counterexamples=("Ông là thạc sĩ, từng làm Bí thư Huyện ủy Mai Sơn.",),
)
_EARLIER_POST_BEFORE = re.compile(
    rf"(?<![{UP}{LOW}])(?:từng|sau{SP}đó|trước{SP}đó)(?:{SP}có{SP}thời{SP}gian)?"
    rf"{SP}(?:làm|giữ{SP}chức(?:{SP}vụ)?|giữ{SP}vị{SP}trí){SP}$"
)
_SENTENCE_OPENING_PERSON = re.compile(rf"(?:Ông|Bà|Đồng{SP}chí)(?={SP})")
_HONORIFIC_RIGHT_BEFORE = re.compile(rf"(?:[Ôô]ng|[Bb]à|[Đđ]ồng{SP}chí){SP}$")


def _posts_in_a_biography(text: str, names: list[NameMention], chains: list[list[Role]]) -> None:
    """A chain introduced by "từng làm", "sau đó giữ vị trí" belongs to the person the sentence is about: the one
    it opens with ("Ông X sinh năm ..."), or, after a bare "Ông"/"Bà", the last person so introduced before."""
    starts = [n.start for n in names]
    attached: set[int] | None = None
    introduced: list[int] | None = None  # names right after an honorific, by index
    for chain in chains:
        first = chain[0]
        if not _ends_with(text, first.start - 40, first.start, _EARLIER_POST_LAST_WORDS) or \
                not _EARLIER_POST_BEFORE.search(text, max(0, first.start - 40), first.start):
            continue
        if attached is None:
            attached = {id(r) for n in names for r in n.roles}
            introduced = [j for j, n in enumerate(names) if len(n.tokens) >= 2
                          and _HONORIFIC_RIGHT_BEFORE.search(text, max(0, n.start - 12), n.start)]
        if id(first) in attached:
            continue
        sentence_start = max(text.rfind(". ", 0, first.start) + 2, text.rfind("\n", 0, first.start) + 1)
        opening = _SENTENCE_OPENING_PERSON.match(text, sentence_start)
        if opening is None:
            continue
        i = bisect_left(starts, sentence_start)
        subject = names[i] if i < len(names) and names[i].start < first.start and \
            _HONORIFIC_RIGHT_BEFORE.search(text, max(0, names[i].start - 12), names[i].start) and \
            names[i].start - opening.end() < 3 else None
        if subject is None:  # a bare pronoun: the last person introduced by an honorific before this sentence
            k = bisect_left(introduced, i)
            subject = names[introduced[k - 1]] if k else None
        if subject is not None:
            subject.roles.extend(chain)
            subject.made_by(RULE_BIOGRAPHY)


def _post_granted_before(text: str, pos: int, roles: list[Role], role_starts: list[int]) -> tuple[Role, int] | None:
    stop = max(text.rfind(". ", max(0, pos - _GRANT_REACH), pos), text.rfind("\n", max(0, pos - _GRANT_REACH), pos),
               pos - _GRANT_REACH)
    for k in range(bisect_left(role_starts, pos) - 1, -1, -1):  # roles are in text order
        role = roles[k]
        if role.start < stop:
            break
        verb = _GRANTING.search(text, max(0, role.start - 16), role.start)
        if verb:
            title = role.text
            if verb.group("verb").startswith("giao") and not title.startswith("Quyền"):
                title = f"Quyền {title}"  # "giao quyền Chủ tịch": an acting post
            return Role(role.start, role.end, title), pos
    return None


# "Sở Tài chính do ông X làm Giám đốc": the bare title is the head of the body the sentence opened with.
_HELD_BY_BEFORE = re.compile(rf"[^\S\n]*do{SP}(?:(?:ông|bà|đồng{SP}chí){SP})?$")


def _complete_with_body_before(text: str, name: NameMention, role: Role) -> None:
    if not _BARE_TITLE.fullmatch(role.text) or not text.startswith("làm", _AFTER_NAME.match(text, name.end).start() + 1):
        return
    held_by = _HELD_BY_BEFORE.search(text, max(0, name.start - 30), name.start)
    if held_by is None:
        return
    body = next((b for m, b in upper_case_bodies(text).values() if b is not None and b.end == held_by.start()), None)
    if body is not None and body.core.split()[0] in ("Sở", "Ban", "Phòng", "Trung", "Chi", "Cục"):
        role.text = _role_text(f"{role.text} {body.core}")


# "Giám đốc Sở Nội vụ, ông X, cho biết": the title, a comma and an honorific before the name.
_COMMA_HONORIFIC_BEFORE = re.compile(rf"[^\S\n]*,[^\S\n]*(?:ông|bà|đồng{SP}chí){SP}$")


def _chain_ending_before(
    text: str, pos: int, chain_by_end: dict[int, int], chain_by_end_after_comma: dict[int, int]
) -> int | None:
    back = pos
    while back > 0 and text[back - 1] in " \t":
        back -= 1
    if back in chain_by_end:
        return chain_by_end[back]
    if not _ends_with(text, pos - 16, pos, _HONORIFIC_LAST_WORDS):
        return None
    honorific = _COMMA_HONORIFIC_BEFORE.search(text, max(0, pos - 16), pos)
    return chain_by_end_after_comma.get(honorific.start()) if honorific else None


_LIST_GAP = re.compile(rf"[^\S\n]*(?:,|;|và){SP}")


def _accepted(text: str, names: list[NameMention]) -> list[NameMention]:
    out: list[NameMention] = []
    for name in names:
        # "các đồng chí Tô Lâm, Lương Cường": a list continues its first item's honorific
        after_person = bool(out) and out[-1].strong and _LIST_GAP.fullmatch(text, out[-1].span[1], name.start)
        if after_person and not _byline_before(text, max(0, name.start - 30), name.start):
            name.made_by(RULE_LISTED_AFTER_PERSON)
        if _accept(text, name):
            out.append(name)
    return out


def _accept(text: str, name: NameMention) -> bool:
    line_start, line_end = _line_bounds(text, name.start)
    before = text[max(line_start, name.start - 40):name.start]
    if _byline_before(text, max(line_start, name.start - 40), name.start) or on_furniture_line(text, name.start):
        return False
    if name.strong or _HONORIFIC_BEFORE.search(before[-24:]):
        name.made_by(RULE_HONORIFIC)
        return True
    if len(name.tokens) < 3:
        return False
    line = text[line_start:line_end]
    if _is_title_case_line(line):
        return False
    if len(line) < 60 and len(line.split()) <= len(name.tokens) + 1 and line_end - name.end < 3:
        return False  # a byline or a signature on a line of its own
    if _PLACE_OR_INSTITUTION_BEFORE.search(text, max(line_start, name.start - 24), name.run_start):
        return False
    if _INSTITUTION_IN_CLAUSE.search(text, max(line_start, name.start - 60), name.run_start):
        return False
    if name.run_start != name.start:
        return False  # a capitalised word glued before the name: part of some other proper name
    if _in_list_of_places(text, name, line_start, line_end) or name.start in _listed_places(text):
        return False
    name.rule = RULE_FULL_NAME
    return True


@per_article()
def _listed_places(text: str) -> SpanIndex[None]:
    """The names of a counted list of places ("37 xã, phường gồm: Cái Nước, Trần Văn Thời, ..."): wards and
    communes often bear a person's name."""
    return SpanIndex((start, end, None) for _, start, end, _ in listed_places(text))


_NEXT_ITEM = re.compile(r"[^\S\n]*(?:,|và)[^\S\n]*([^,;.:()\n]*)")
_LIST_ITEM = re.compile(rf"[{UP}][{LOW}]+(?:{SP}[{UP}][{LOW}]+){{0,3}}")


def _in_list_of_places(text: str, name: NameMention, line_start: int, line_end: int) -> bool:
    """'huyện ủy: Tân Châu, Gò Dầu, Dương Minh Châu': a name-like item among place names is a place."""
    neighbours = []
    before = text[max(line_start, name.start - 120):name.start].rstrip()
    if before.endswith(","):
        item = before[:-1].rsplit(",", 1)[-1].rsplit(":", 1)[-1].strip()
        neighbours.append(item)
    after = _NEXT_ITEM.match(text, name.end, min(line_end, name.end + 120))
    if after:
        neighbours.append(after.group(1).strip())
    # lists are homogeneous: the item before decides, else the one after
    if neighbours and _LIST_ITEM.fullmatch(neighbours[0]) and neighbours[0].split()[0] not in SURNAMES:
        return True
    return _list_headed_by_a_level(text, name.start, line_start)


_ITEM_BEFORE = re.compile(
    rf"(?:^|(?<=[^{UP}{LOW}]))[{UP}][{LOW}]+(?:{SP}[{UP}][{LOW}]+){{0,3}}(?:[^\S\n]*,|{SP}và)[^\S\n]*$"
)
# "các phường Cầu Ông Lãnh, Nguyễn Cư Trinh": every item of a list of wards is a ward, whatever it is named after.
_PLACE_LEVEL_BEFORE = re.compile(
    rf"(?<![{UP}{LOW}])(?:phường|xã|huyện|quận|thị{SP}xã|thị{SP}trấn|tỉnh|thành{SP}phố|đường|phố|thôn|ấp|bản|làng|khu{SP}phố"
    rf"|tổ{SP}dân{SP}phố)[^\S\n]+$"
)


def _list_headed_by_a_level(text: str, pos: int, line_start: int) -> bool:
    """Walks back over the items of a list to its head: a level word there makes every item a place."""
    for _ in range(8):
        item = _ITEM_BEFORE.search(text, max(line_start, pos - 60), pos)
        if item is None:
            return False
        pos = item.start()
        if _PLACE_LEVEL_BEFORE.search(text, max(line_start, pos - 16), pos):
            return True
    return False


_LEADER_WINDOW = 600


def _leads(text: str) -> Iterator[re.Match]:
    """`_LEADS.finditer(text)`, tried only where a match can open: at a "dẫn", and at the "là" or "làm" written
    (blanks between) before a "trưởng"; str.find reaches these few words faster than the regex engine its openings."""
    starts = occurrences(text, ("dẫn",))
    for at in occurrences(text, ("rưởng",)):
        k = at - 1  # where "[Tt]rưởng" opens
        while k > 0 and text[k - 1] != "\n" and text[k - 1].isspace():
            k -= 1
        if k < at - 1:
            if text.endswith("làm", 0, k):
                starts.add(k - 3)
            elif text.endswith("là", 0, k):
                starts.add(k - 2)
    return finditer_at(_LEADS, starts, text)


def _leaders(text: str, names: list[NameMention]) -> dict[int, tuple[int, str]]:
    """'Đoàn công tác ... do đồng chí X ... làm trưởng đoàn': X is the delegation's head."""
    out: dict[int, tuple[int, str]] = {}
    name_starts = [n.start for n in names]
    for m in _leads(text):
        s_start = max(0, m.start() - _LEADER_WINDOW)  # the sentence's start, or this far back
        for s in _SENTENCE_START.finditer(text, s_start, m.start()):
            s_start = s.end()
        by = None
        for b in _BY.finditer(text, s_start, m.start()):
            by = b
        candidates = range(bisect_left(name_starts, s_start), bisect_left(name_starts, m.start()))
        if by is not None:
            first_after_by = bisect_left(name_starts, by.end(), candidates.start, candidates.stop)
            leader = first_after_by if first_after_by < candidates.stop else None
        elif m.group(0).startswith("dẫn"):
            leader = None  # "dẫn đầu cả nước" leads a ranking, not a delegation
        else:
            leader = candidates[-1] if candidates else None
        if leader is None:
            continue
        kinds = list(_DELEGATION_KIND.finditer(text, s_start, names[leader].start))
        kind = " ".join(kinds[-1].group(1).split()) if kinds else ""
        out[leader] = (m.start(), f"Trưởng đoàn {kind}".strip())
    return out


# --- one person per real person ---------------------------------------------------------------


@dataclass
class _Person:
    tokens: tuple[str, ...]
    mentions: list[NameMention]
    roles: list[tuple[int, str]] = field(default_factory=list)  # (offset, title)


# Posts one person holds at a time ("Bí thư Tỉnh ủy"), unlike deputies and members.
_UNIQUE_POST = re.compile(r"^(?!phó|ủy viên|uv|thành viên|đại biểu|đbqh|trưởng đoàn|nguyên|tỉnh ủy viên|thành ủy viên)", re.I)


def _collapse_repeat(tokens: tuple[str, ...]) -> tuple[str, ...]:
    out = [tokens[0]]
    for t in tokens[1:]:
        if t != out[-1]:
            out.append(t)
    return tuple(out)


def _role_key(role: str) -> str:
    return canonical_core(role)


def _merge_people(text: str, names: list[NameMention], leaders: dict[int, tuple[int, str]]) -> list[_Person]:
    by_tokens: dict[tuple[str, ...], _Person] = {}
    for i, name in enumerate(names):
        person = by_tokens.get(name.tokens)
        if person is None:
            person = by_tokens[name.tokens] = _Person(name.tokens, [])
        person.mentions.append(name)
        for role in name.roles:
            person.roles.append((role.start, role.text))
        if i in leaders:
            person.roles.append(leaders[i])
    people = list(by_tokens.values())
    # "Lê Đình Đình Sơn" is a doubled syllable of "Lê Đình Sơn" when that spelling occurs too
    for p in people:
        collapsed = _collapse_repeat(p.tokens)
        if collapsed != p.tokens and collapsed in by_tokens:
            _absorb(by_tokens[collapsed], p)
    people = [p for p in people if p.mentions]
    # A caption's misspelt last syllable: same surname and middle names, the same single post.
    people.sort(key=lambda p: (-len(p.mentions), p.mentions[0].start))
    alike: dict[tuple[str, ...], list[_Person]] = {}  # all syllables but the last: the only candidates
    for p in people:
        alike.setdefault(p.tokens[:-1], []).append(p)
    for group in alike.values():
        for i, keep in enumerate(group):
            for other in group[i + 1:]:
                if other.mentions and keep.mentions and _same_person_misspelt(text, keep, other):
                    _absorb(keep, other)
    people = [p for p in people if p.mentions]
    people.sort(key=lambda p: p.mentions[0].start)
    return people


def _absorb(keep: _Person, other: _Person) -> None:
    keep.mentions.extend(other.mentions)
    keep.mentions.sort(key=lambda n: n.start)
    keep.roles.extend(other.roles)
    other.mentions = []


def _same_person_misspelt(text: str, a: _Person, b: _Person) -> bool:
    if len(a.tokens) != len(b.tokens) or len(a.tokens) < 3 or a.tokens[:-1] != b.tokens[:-1]:
        return False
    posts_a = {_role_key(r) for _, r in a.roles if _UNIQUE_POST.match(r)}
    posts_b = {_role_key(r) for _, r in b.roles if _UNIQUE_POST.match(r)}
    if posts_a & posts_b:
        return True
    return _twin_lines(text, a, b)


def _twin_lines(text: str, a: _Person, b: _Person) -> bool:
    """A caption printed twice, once with a typo in the name: the lines match once the names are removed."""
    for ma in a.mentions:
        for mb in b.mentions:
            la, lb = _line_bounds(text, ma.start), _line_bounds(text, mb.start)
            if la == lb or abs(la[0] - lb[1]) > 2 and abs(lb[0] - la[1]) > 2:
                continue
            rest_a = " ".join((text[la[0]:ma.start] + text[ma.end:la[1]]).split()).rstrip(".")
            rest_b = " ".join((text[lb[0]:mb.start] + text[mb.end:lb[1]]).split()).rstrip(".")
            if rest_a == rest_b:
                return True
    return False


def _unique_roles(roles: list[str]) -> list[str]:
    keyed: dict[str, str] = {}  # the first title written for each key, in order
    for role in roles:
        key = _role_key(role)
        if key and key not in keyed:
            keyed[key] = role
    if len(keyed) < 2:
        return list(keyed.values())
    words = {key: key.split() for key in keyed}
    sets = {key: set(w) for key, w in words.items()}
    out = []
    for key, role in keyed.items():
        first, own = words[key][0], sets[key]
        if any(k != key and words[k][0] == first and own < sets[k] for k in keyed):
            continue  # "Phó Bí thư Tỉnh ủy" beside "Phó Bí thư Thường trực Tỉnh ủy"
        out.append(role)
    return out


def _best_spelling(person: _Person) -> str:
    written = person.mentions[0].tokens
    if all(n.tokens == written for n in person.mentions):
        return " ".join(written)  # one spelling
    counts = Counter(n.tokens for n in person.mentions)
    best = max(counts, key=lambda t: (counts[t], t == _collapse_repeat(t), -_first(person, t)))
    return " ".join(best)


def _first(person: _Person, tokens: tuple[str, ...]) -> int:
    return min(n.start for n in person.mentions if n.tokens == tokens)


RULE_GIVEN_NAME = rule(
    "person.given_name", "persons", "\"ông Ngọc\" after the article has named Phan Huy Ngọc: the same person, "
    "whose titles it goes on to give",
    examples=("Ông Phan Huy Ngọc phát biểu. Ông Ngọc được bầu làm Chủ tịch UBND tỉnh.",),
    counterexamples=("Ông Ngọc được bầu làm Chủ tịch UBND tỉnh.",),
)
_GIVEN_NAME_AFTER_HONORIFIC = re.compile(
    word_start_alternation(["Ông", "ông", "Bà", "bà", f"Đồng{SP}chí", f"đồng{SP}chí"], f"[{UP}{LOW}]")
    + rf"{SP}(?P<given>[{UP}][{LOW}]+)(?![^\S\n]*[{UP}{LOW}]*[{UP}])(?![{LOW}])"
)


def _given_name_mentions(text: str, names: list[NameMention]) -> list[NameMention]:
    """'ông Ngọc' after 'Phan Huy Ngọc': the person by the last syllable of the one full name that ends in it."""
    first_by_given: dict[str, tuple[int, set[tuple[str, ...]]]] = {}
    for n in names:
        if len(n.tokens) >= 3:
            first, full = first_by_given.get(n.tokens[-1], (n.start, set()))
            full.add(n.tokens)
            first_by_given[n.tokens[-1]] = (min(first, n.start), full)
    if not first_by_given:
        return []  # no full name of three syllables or more: no honorific can stand for one
    out = []
    for m in _given_name_matches(text, [given for given, (_, full) in first_by_given.items() if len(full) == 1]):
        seen = first_by_given.get(m.group("given"))
        if seen and len(seen[1]) == 1 and seen[0] < m.start():
            tokens = next(iter(seen[1]))
            mention = NameMention(m.start("given"), m.end("given"), tokens, m.start("given"))
            mention.rule = RULE_GIVEN_NAME
            out.append(mention)
    return out


def _gaps_after_names(text: str, names: list[NameMention]) -> dict[int, int]:
    """Where the words between a name and a title after it end ("X, ", "X được bầu giữ chức "), by the name's end;
    names with no such words are left out."""
    gaps = {}
    for n in names:
        gap = _AFTER_NAME.match(text, n.end)
        if gap and gap.end() > n.end:
            gaps[n.end] = gap.end()
    return gaps


def _given_name_matches(text: str, givens: list[str]) -> list[re.Match]:
    """The matches of `_GIVEN_NAME_AFTER_HONORIFIC.finditer(text)` whose given name is one of `givens`, found from where
    those names are written (str.find) instead of at every "b", "đ" or "ô" of the article. Such a match is the scan's
    unless a match before it reaches into it, which can only read its honorific as a given name ("ông Đồng chí X"):
    then the whole scan decides."""
    starts = set()
    for given in givens:
        at = text.find(given)
        while at != -1:
            start = _honorific_before(text, at)
            if start is not None:
                if _honorific_before(text, start) is not None:
                    return [m for m in _GIVEN_NAME_AFTER_HONORIFIC.finditer(text) if m.group("given") in givens]
                starts.add(start)
            at = text.find(given, at + 1)
    found = (_GIVEN_NAME_AFTER_HONORIFIC.match(text, start) for start in sorted(starts))
    return [m for m in found if m is not None and m.group("given") in givens]


def _honorific_before(text: str, pos: int) -> int | None:
    """Where "ông", "bà" or "đồng chí" (either case) starts when it stands before pos with blanks between."""
    k = _blanks_before(text, pos)
    if k == pos:
        return None
    for honorific in ("Ông", "ông", "Bà", "bà"):
        if text.endswith(honorific, 0, k):
            return k - len(honorific)
    if text.endswith("chí", 0, k):
        j = _blanks_before(text, k - 3)
        if j < k - 3 and text.endswith(("Đồng", "đồng"), 0, j):
            return j - 4
    return None


def _blanks_before(text: str, pos: int) -> int:
    """The start of the blanks (no line break) that end at pos."""
    while pos > 0 and text[pos - 1] != "\n" and text[pos - 1].isspace():
        pos -= 1
    return pos


def find_persons(doc: Document) -> list[Person]:
    text = doc.normal
    names = _name_mentions(text, doc.text)
    if "ông " in text or "Ông " in text or "bà " in text or "Bà " in text or "đồng chí " in text.lower():
        names = sorted(names + _given_name_mentions(text, names), key=lambda n: n.start)
    gaps = _gaps_after_names(text, names)
    roles = _find_roles(text, [gaps[n.end] for n in names if n.end in gaps])
    chains = _chain_roles(text, roles)
    _complete_titles(text, roles, chains)
    _link(text, names, roles, chains, gaps)
    names = _accepted(text, names)
    leaders = _leaders(text, names)
    out = []
    for person in _merge_people(text, names, leaders):
        out.append(Person(
            name=_best_spelling(person),
            roles=_unique_roles([r for _, r in sorted(person.roles)]),
            evidence=[doc.evidence(*n.span, n.rule) for n in person.mentions[:8]],
        ))
    doc.record("persons", out)
    return out
