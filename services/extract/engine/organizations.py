"""Organizations: each body an article names, once, as specifically as the text allows.

This module also holds the grammar people.py shares: the regex classes of letters, the
province spellings as a pattern (the spellings themselves are in the lexicon), the kinds of
body as named rules (party committees and their boards, people's councils and committees,
departments, the Front, mass organisations, centres...) and where a place name ends and a
person's name begins.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from common import lexicon
from common.text import (
    LATIN_LOWER,
    LATIN_UPPER,
    cut_short_at_end,
    finditer_at,
    fold,
    longest_first,
    occurrences,
    opening_characters,
    word_start_alternation,
)
from schemas.extraction import Organization, Person
from services.extract.engine.doc import Document, SpanIndex, non_overlapping
from services.extract.engine.memo import per_article
from services.extract.engine.rules import rule

# --- letters ---------------------------------------------------------------------------

UP = LATIN_UPPER
LOW = LATIN_LOWER
SP = r"[^\S\n]+"  # spaces that stay on one line
CAP = rf"[{UP}][{LOW}]+"  # one capitalised syllable
LOWW = rf"[{LOW}]+"  # one lower-case syllable
_NOT_LETTER_BEFORE = rf"(?<![{UP}{LOW}0-9])"
# A capital letter that starts a word: tried first, so a scan skips most positions at once.
WORD_START_UPPER = rf"(?=[{UP}])(?<![{UP}{LOW}0-9])"
_NOT_LETTER_AFTER = rf"(?![{UP}{LOW}0-9])"


def phrase(text: str) -> str:
    """A phrase as a regex: words joined by spaces on one line, each word's first letter in either case."""
    words = []
    for word in text.split():
        first = word[0]
        if first.isalpha() and not word.isupper() and first.lower() != first.upper():
            words.append(f"[{first.upper()}{first.lower()}]" + re.escape(word[1:]))
        else:
            words.append(re.escape(word))
    return SP.join(words)


def _alt(*phrases: str) -> str:
    """The phrases as one alternation, the longest first, grouped by their first word: at a place the regex engine
    tries the one group whose first word is written there, not every phrase. The matches are those of the plain
    alternation as long as two groups can never match at one place: the plain alternation is kept when two first
    words are the same but for case ("Y", "y"), or a phrase of one word starts another's first word ("Ban", "Bang")."""
    ordered = longest_first(phrases)
    groups: dict[str, list[str]] = {}  # a first word's regex -> the rest of each phrase opening with it, in order
    words: dict[str, str] = {}  # that regex -> the first word, lower case
    for x in ordered:
        first, _, rest = x.partition(" ")
        groups.setdefault(phrase(first), []).append(rest)
        words[phrase(first)] = first.lower()
    if any(a != b and (words[a] == words[b] or "" in groups[a] and words[b].startswith(words[a]))
           for a in groups for b in groups):
        return "(?:" + "|".join(phrase(x) for x in ordered) + ")"
    return "(?:" + "|".join(
        first + ("(?:" + "|".join(SP + phrase(rest) if rest else "" for rest in rests) + ")" if rests != [""] else "")
        for first, rests in groups.items()
    ) + ")"


# --- provinces -------------------------------------------------------------------------

# written spelling (its province_key) -> canonical name; bare "Hồ Chí Minh" is the President's name.
_SPELLING_TO_PROVINCE = {lexicon.province_key(s): name for s, name in lexicon.province_spellings().items()}
CENTRAL_CITIES = lexicon.central_cities()
_DASHED = re.compile(r"\s*[-–—]\s*")


def _spelling_pattern(spelling: str) -> str:
    parts = (re.escape(part).replace(r"\ ", SP) for part in _DASHED.split(spelling))
    return f"(?:{SP})?[-–—](?:{SP})?".join(parts)


PROVINCE_RE = re.compile(
    word_start_alternation(
        [_spelling_pattern(s) for s in longest_first(lexicon.province_spellings())], f"[{UP}{LOW}0-9]"
    )
    + _NOT_LETTER_AFTER
)


@lru_cache(maxsize=4096)
def province_of(spelling: str) -> str | None:
    return _SPELLING_TO_PROVINCE.get(lexicon.province_key(spelling))


# The first word of every spelling's key: words joined by spaces whose first word (of letters alone) has a key that is
# none of them name no province (province_key reads such a word alone: NFC, tone placement, case folding).
_PROVINCE_FIRST_WORDS = frozenset(key.split(" ")[0] for key in _SPELLING_TO_PROVINCE)


@lru_cache(maxsize=4096)  # keyed by a capitalised word: the same syllables recur
def _may_open_province(word: str) -> bool:
    return not word.isalpha() or lexicon.province_key(word) in _PROVINCE_FIRST_WORDS


# --- where a place name ends and a person's name begins -------------------------------

SURNAMES = lexicon.surnames()

# Capitalised words that open titles, bodies or places, never part of a person's name.
NAME_BREAKERS = lexicon.not_name_words("person_name")

_CAP_TOKEN = re.compile(rf"[{UP}][{LOW}]+")


@dataclass(frozen=True)
class RunSplit:
    """A run of capitalised words read as an optional place, then an optional person's name."""

    place_end: int  # tokens [0, place_end) are a place (0: none)
    name: tuple[int, int] | None  # token range of the person's name


_MIDDLE_MARKERS = lexicon.name_syllables("middle", "middle_hmong")  # right after the surname in most names
_PLACE_LENGTH_SCORE = {0: 1, 1: 0, 2: 2, 3: 1}
_NAME_LENGTH_SCORE = {2: 0, 3: 2, 4: 1}


def split_run(tokens: list[str], after_level: bool = False) -> RunSplit:
    """Where a person's name starts in "Quảng Ninh Nguyễn Văn Đọc" or "(huyện) Quỳnh Lưu Vũ Thị Hạnh".

    Place names are mostly two syllables and names three, and "Văn"/"Thị" follow a surname:
    each reading is scored on that. after_level: the run follows "huyện", "xã", "Huyện ủy"...,
    so it may be a place with no name after it.
    """
    n = len(tokens)
    start = 0
    for k in (4, 3, 2) if n >= 2 and _may_open_province(tokens[0]) else ():  # a province name at the head of the run
        if k <= n and province_of(" ".join(tokens[:k])):
            start = k
            break
    best: tuple[int, int, int] | None = None  # (score, name start, name end)
    for c in range(start, n - 1):
        if tokens[c] not in SURNAMES:
            continue
        end = min(n, c + 4)
        for j in range(c + 2, end):  # a province glued after the name ends it
            if _may_open_province(tokens[j]) and province_of(" ".join(tokens[j:j + 2])):
                end = j
                break
        place_len = c - start
        score = _PLACE_LENGTH_SCORE.get(place_len, -1) + _NAME_LENGTH_SCORE.get(end - c, -1)
        score += 3 if tokens[c + 1] in _MIDDLE_MARKERS else 0
        score -= n - end  # capitalised words left after the name
        if best is None or score > best[0]:
            best = (score, c, end)
    if after_level and start == 0:
        place_only = _PLACE_LENGTH_SCORE.get(n, -1) + 1
        if best is None or place_only >= best[0]:
            return RunSplit(min(n, 4), None)
    if best is None:
        return RunSplit(n if start else 0, None)
    return RunSplit(best[1], (best[1], best[2]))


# --- the grammar of bodies -----------------------------------------------------------------

LEVEL_PROVINCE = r"(?:tỉnh|Tỉnh(?![^\S\n]+ủy)|thành phố|Thành phố|TP\.?)"
LEVEL_LOCAL = r"(?:huyện|quận|thị xã|TX\.?|xã|phường|thị trấn)"
LEVEL = rf"(?:{LEVEL_PROVINCE}|{LEVEL_LOCAL})"
COMMITTEE = _alt("Tỉnh ủy", "Thành ủy", "Huyện ủy", "Thị ủy", "Quận ủy")
CENTRAL = rf"(?:{phrase('Trung ương')}|T\.Ư\.?|TƯ|TW|T\.W)"
# "Ủy ban nhân dân (UBND) tỉnh X": the full name may carry its abbreviation in brackets before the level.
HDND = rf"(?:HĐND|{phrase('Hội đồng nhân dân')}(?:[^\S\n]*\(HĐND\))?)"
UBND = rf"(?:UBND|{phrase('Ủy ban nhân dân')}(?:[^\S\n]*\(UBND\))?)"
_ABBREVIATION_IN_BRACKETS = re.compile(r"(?:Hội đồng nhân dân|[ỦU]ỷ? ?ban nhân dân|Ủy ban nhân dân) \((HĐND|UBND)\)")
MTTQ = rf"(?:MTTQ|UBMTTQ|{phrase('Mặt trận Tổ quốc')})(?:{SP}Việt{SP}Nam|{SP}VN)?"
_BOARD_FIELDS = _alt(*lexicon.body_names("party_board"))
_COUNCIL_BOARDS = _alt(*lexicon.body_names("council_board"))
# A dash inside a field's name may be a hyphen, an en or an em dash ("Văn hóa – Thể thao và Du lịch").
_FIELDS = _alt(*lexicon.body_names("field")).replace(r"\-", "[-–—]")
_FIELD_ACRONYM = rf"[{UP}]{{2,5}}(?:[&\-][{UP}]{{1,4}}){{0,3}}"
# Words that end a department's name written without a gazetteer entry ("Sở Nội vụ tỉnh ...").
_FIELD_STOP = r"(?:tỉnh|huyện|xã|thành|thị|quận|phường|của|đã|đang|được|và|là|với|cho|trong|tại|có|sẽ|để|này|đó|các|cấp|về|theo|cùng|vừa|phối|chủ|tổ|làm)"
_GENERIC_FIELD = (
    rf"{CAP}(?:{SP}(?!{_FIELD_STOP}{_NOT_LETTER_AFTER}){LOWW})?"
    rf"(?:{SP}(?:và|-|–|&){SP}{CAP}(?:{SP}(?!{_FIELD_STOP}{_NOT_LETTER_AFTER}){LOWW})?){{0,3}}"
)
FIELD = rf"(?:{_FIELDS}|{_FIELD_ACRONYM}|{_GENERIC_FIELD})"
_CENTRE_NAMES = _alt(*lexicon.body_names("centre"))
_FIELD_WORDS = rf"{CAP}(?:{SP}(?!{_FIELD_STOP}{_NOT_LETTER_AFTER}){LOWW}){{0,3}}"
# "Trung tâm Hội nghị tỉnh" is a venue, not a body; "Văn hóa, Thể thao và Truyền thông": commas only before a "và".
_ANOTHER_BODY = (
    rf"(?!(?:Trung{SP}tâm|Sở|Ban|Phòng|Bộ|Hội|Ủy{SP}ban|Văn{SP}phòng|Trường|Bệnh{SP}viện|Chi{SP}cục|Cục)"
    rf"{_NOT_LETTER_AFTER})"
)
# "Trung tâm chính trị - hành chính" is where a province's or a commune's seat is, not a body.
_SEAT_NOT_CENTRE = (
    rf"(?![Cc]hính{SP}trị[^\S\n]*[-–][^\S\n]*[Hh]ành{SP}chính|[Hh]ành{SP}chính[^\S\n]*[-–][^\S\n]*[Cc]hính{SP}trị)"
)
_CENTRE_LIST = (
    rf"{_FIELD_WORDS}(?:,{SP}{_ANOTHER_BODY}{_FIELD_WORDS})+{SP}(?:và|-|–){SP}{_ANOTHER_BODY}{_FIELD_WORDS}"
)
_GENERIC_CENTRE = (
    rf"(?![Hh]ội{SP}nghị){_FIELD_WORDS}"
    rf"(?:{SP}(?:và|-|–){SP}{_ANOTHER_BODY}{_FIELD_WORDS}){{0,2}}"
)
# A known centre's name that goes on ("Văn hóa - Thông tin và Thể thao") is read whole by the generic reading.
_CENTRE_NAME_ENDS = rf"(?!{SP}(?:và|-|–){SP}{_ANOTHER_BODY}[{UP}])"
# A sub-department's field: capitalised words and a few lower-case ones ("Chăn nuôi Thú y", "Quản lý thị trường").
_SUB_FIELD_STOP = (
    r"(?:tỉnh|huyện|xã|thành|quận|phường|của|đã|đang|được|và|là|với|cho|trong|tại|có|sẽ|để|này|đó|các|cấp|về|theo"
    r"|cùng|vừa|phối|chủ|làm|trên|dưới|cơ|sở|nhằm|từ|ngày|năm|thuộc|trực|gồm|giảm|tăng|sáp|hợp|thành)"
)
_SUB_FIELD = rf"{CAP}(?:{SP}(?:{_ANOTHER_BODY}{CAP}|(?!{_SUB_FIELD_STOP}{_NOT_LETTER_AFTER}){LOWW})){{0,4}}"
_QUOTED = r"(?:[^\S\n]*[\"“][^\"”\n]{1,30}[\"”])"
_MASS = _alt(*lexicon.body_names("mass_organisation"))
_LOCAL_STATE = _alt(*lexicon.body_names("local_state"))
_NATIONAL = _alt(*lexicon.body_names("national"))
_OPT_LEVEL = rf"(?:{SP}{LEVEL}{_NOT_LETTER_AFTER})?"
# A proper name after an institution's kind ("Trường Cao đẳng Lào Cai", "Tổng công ty Điện lực miền Bắc", "Công ty
# TNHH MTV Xổ số kiến thiết Quảng Ninh"): capitalised words, a few lower-case ones between them, ending capitalised
# (a lower-case word at the end is the verb of the sentence, not the name).
# (Level words may sit inside a name: "Công ty CP Môi trường đô thị Hạ Long", "Trường Cao đẳng Y tế tỉnh Lào Cai".)
_NAME_STOP = (
    r"(?:của|đã|đang|được|và|là|với|cho|trong|tại|có|sẽ|để|này|đó|các|về|theo|cùng|vừa|phối|làm|những|nhiều|một|hai|ba"
    r"|sáp|sát|hợp|sắp|chuyển|giải|nhập|thành"
    r"|vẫn|cũng|thì|mà|nên|nhưng|hay|hoặc|đều|chỉ|phải|không|chưa|đi|ra|vào|lên|từ|do|khi|sau|trước|nhằm|gồm|bị|cam|hỗ"
    r"|ký|trao|tặng|nộp|thực|triển|tổ|đầu|báo|đề|yêu|giúp|tiếp|bàn|kiểm|đón|thăm|khởi|hoàn|góp|tham|đạt|tăng|giảm"
    r"|trình|gửi|nhận|đưa|đến|chủ|như|thuộc|trực)"
)
_ACRONYM = rf"[{UP}]{{2,6}}(?![{LOW}])"
_NAME_WORD = rf"(?:{CAP}|{_ACRONYM})"
_PROPER_NAME = (
    rf"{_NAME_WORD}"
    rf"(?:(?:(?:{SP}(?!{_NAME_STOP}{_NOT_LETTER_AFTER}){LOWW}){{0,3}}{SP}{_NAME_WORD}|{SP}[-–]{SP}{CAP})+"
    # one word alone followed by a lower-case one is the start of a longer name ("Học viện Chính trị khu vực I")
    rf"|(?!{SP}(?!{_NAME_STOP}{_NOT_LETTER_AFTER})[{LOW}]))"
)
_SCHOOL_KINDS = _alt(
    "Cao đẳng", "Đại học", "Trung cấp", "THPT", "THCS", "Tiểu học", "Mầm non", "Mẫu giáo", "Trung học cơ sở",
    "Trung học phổ thông", "Phổ thông dân tộc nội trú", "Phổ thông dân tộc bán trú", "PTDTNT", "PTDTBT", "TH và THCS",
)
_INSTITUTION = (
    rf"(?:{phrase('Trường')}{SP}{_SCHOOL_KINDS}(?:{SP}nghề)?"
    rf"|{phrase('Đại học')}|{phrase('Học viện')}|{phrase('Bệnh viện')})"
)
# Companies with a legal form (state firms: "Công ty TNHH MTV ..."), corporations and groups.
_COMPANY = (
    rf"(?:{phrase('Công ty')}(?:{SP}(?:TNHH|{phrase('Trách nhiệm hữu hạn')}|{phrase('Cổ phần')}|CP|MTV"
    rf"|{phrase('một thành viên')}|{phrase('Nhà nước')})){{1,3}}|{phrase('Tổng công ty')}|{phrase('Tập đoàn')})"
)
# A ministry's department: "Vụ Tổ chức cán bộ", "Vụ Chính quyền địa phương (Bộ Nội vụ)". Others only with their
# ministry after them: "Vụ" alone also starts a crop season ("Vụ Đông Xuân") or a district ("Vụ Bản").
_MINISTRY_DEPARTMENTS = _alt(*lexicon.body_names("ministry_department"))
_DEPARTMENT_WORDS = rf"{_FIELD_WORDS}(?:{SP}(?:và|-|–){SP}{_FIELD_WORDS}){{0,2}}"
_MINISTRY_AFTER = rf"(?=[^\S\n]*[,(]?[^\S\n]*(?:(?:thuộc|của){SP})?{phrase('Bộ')}{SP}[{UP}])"
# A steering committee and its remit: "Ban Chỉ đạo tinh giản biên chế tỉnh", "Ban Chỉ đạo Trung ương về tổng kết
# việc thực hiện Nghị quyết 18". The remit is lower case; it ends at the level, a verb or a preposition of the sentence.
_REMIT_STOP = (
    rf"(?:tỉnh|huyện|xã|thành|thị|quận|phường|của|đã|đang|được|và|là|với|cho|trong|tại|có|sẽ|để|này|đó|các|cấp|theo"
    rf"|cùng|vừa|do|gồm|nhằm|họp|trình|ký|giao|chủ{SP}trì|tổ{SP}chức|ban{SP}hành|yêu{SP}cầu|đề{SP}nghị|kết{SP}luận"
    rf"|nhấn{SP}mạnh|cho{SP}biết|báo{SP}cáo|kiểm{SP}tra|làm{SP}việc|thống{SP}nhất|phối{SP}hợp|chỉ{SP}đạo|thường{SP}trực"
    rf"|phát{SP}biểu|dự|tham{SP}dự|nêu|cho{SP}rằng|khẳng{SP}định|đề{SP}xuất|quyết{SP}định|thông{SP}qua|tiến{SP}hành"
    rf"|ghi{SP}nhận|trao{SP}đổi|làm{SP}rõ|lưu{SP}ý|quán{SP}triệt|chỉ{SP}rõ|đánh{SP}giá|hướng{SP}dẫn|ra{SP}quân|nhận{SP}định"
    rf"|đề{SP}ra|xác{SP}định|biểu{SP}dương|khen{SP}thưởng"
    # what the committee does or is, not its remit: "Ban chỉ đạo tự giải thể sau khi hoàn thành nhiệm vụ"
    rf"|tự|sau|khi|trước|phải|cần|không|chưa|luôn|đều|vẫn|cũng|tiếp{SP}tục)"
)
_REMIT_TOKEN = (
    rf"(?:(?!{_REMIT_STOP}{_NOT_LETTER_AFTER}){LOWW}|cấp{SP}(?:tỉnh|huyện|xã|cơ{SP}sở)(?:,{SP}cấp{SP}(?:huyện|xã))?"
    rf"|(?:{_alt('Nghị quyết', 'Chỉ thị', 'Kết luận', 'Đề án', 'Chương trình', 'Quyết định', 'Nghị định', 'Dự án')})"
    rf"(?:{SP}số)?{SP}[0-9]+(?:[/-][0-9A-Za-zĐđ]+)*"
    # a scheme named by its subject: "Ban Chỉ đạo xây dựng Đề án sắp xếp đơn vị hành chính"
    rf"|{_alt('Đề án', 'Dự án', 'Kế hoạch', 'Chương trình')}(?={SP}{LOWW})"
    rf"|[Cc][Oo][Vv][Ii][Dd]-19)"
)
# "Ban Chỉ đạo Cải cách hành chính của Chính phủ": a remit written in capitals, then whose committee it is.
_CAPITAL_REMIT_OF = (
    rf"(?:{SP}{CAP}(?:{SP}(?!của{_NOT_LETTER_AFTER}){LOWW}){{1,5}}{SP}của{SP}(?:{phrase('Chính phủ')}|{CENTRAL}|{COMMITTEE}"
    rf"|{UBND}{SP}{LEVEL}))"
)
STEERING = (
    rf"{phrase('Ban Chỉ đạo')}(?:{_CAPITAL_REMIT_OF}|"
    rf"(?:(?:{SP}của)?{SP}(?:{phrase('Chính phủ')}|{phrase('Bộ Chính trị')}|{phrase('Ban Bí thư')}|{CENTRAL}"
    rf"|{phrase('Quốc gia')}))?"
    rf"(?:{SP}[0-9]{{2,4}}(?![0-9/]))?"
    # commas only inside the set phrases of the genre: "phòng, chống tham nhũng, tiêu cực"
    rf"(?:(?:{SP}|,{SP}(?=(?:chống|tiêu{SP}cực|lãng{SP}phí|buôn{SP}lậu|gian{SP}lận|hàng{SP}giả){_NOT_LETTER_AFTER}))"
    rf"{_REMIT_TOKEN}){{0,12}}"
    rf"{_OPT_LEVEL})"
)
_OFFICE_OF = rf"(?:{phrase('Đoàn ĐBQH')}|{phrase('Đoàn đại biểu Quốc hội')}|{UBND}|{HDND})"
# A level borrowed from the next body in "HĐND, UBND tỉnh" / "Thường trực Tỉnh ủy, HĐND, UBND tỉnh".
_COMMITTEE_ORGAN = (
    rf"(?:{phrase('Ban Thường vụ')}|BTV|{phrase('Thường trực')}|{phrase('Thường vụ')}|{phrase('Ủy ban Kiểm tra')}|UBKT"
    rf"|{phrase('Văn phòng')}|{phrase('Ban Chấp hành')}|BCH)"
)
# A committee shared by two of its organs: "Ban Thường vụ, Thường trực Tỉnh ủy".
_SHARED_COMMITTEE = rf"(?=(?:[^\S\n]*(?:,|và){SP}{_COMMITTEE_ORGAN})+{SP}(?P<shared_committee>{COMMITTEE}){_NOT_LETTER_AFTER})"
# "Huyện ủy, HĐND và UBND huyện X", "Đảng ủy, HĐND và UBND xã X": the committee of the place the list ends with.
_SHARED_PARTY_LEVEL = (
    rf"(?=(?:[^\S\n]*(?:,|và){SP}(?:{HDND}|{UBND}))+{SP}(?P<shared_party>{LEVEL_LOCAL}){_NOT_LETTER_AFTER})"
)
_SHARED_LEVEL = rf"(?=(?:[^\S\n]*(?:,|và|-){SP}(?:{HDND}|{UBND}|{phrase('Ủy ban')}{SP}{MTTQ}|{MTTQ}))+{SP}(?P<shared>{LEVEL}){_NOT_LETTER_AFTER})"
# Offices listed each with its own word: "Văn phòng Đoàn ĐBQH, Văn phòng HĐND và Văn phòng UBND tỉnh".
_SHARED_OFFICE_LEVEL = (
    rf"(?=(?:[^\S\n]*(?:,|và){SP}{phrase('Văn phòng')}{SP}{_OFFICE_OF})+{SP}(?P<shared_office>{LEVEL}){_NOT_LETTER_AFTER})"
)

def _body_rule(name: str, summary: str, examples: tuple[str, ...], counterexamples: tuple[str, ...],
               pattern: str) -> tuple[str, str]:
    return rule(f"body.{name}", "organizations", summary, examples=examples, counterexamples=counterexamples), pattern


# The kinds of body, each a named rule: (rule id, pattern), tried in this order.
_BODY_RULES = (
    # the Party's central bodies
    _body_rule(
        "central_committee", "the Party's Central Committee",
        ("Ban Chấp hành Trung ương Đảng đã họp.",), ("Ban Chấp hành Hội Nông dân tỉnh đã họp.",),
        rf"(?:{phrase('Ban Chấp hành')}|BCH){SP}{CENTRAL}(?:{SP}{phrase('Đảng')}(?:{SP}{phrase('Cộng sản Việt Nam')})?)?",
    ),
    _body_rule(
        "central_inspection", "the Party's Central Inspection Committee",
        ("Ủy ban Kiểm tra Trung ương đã họp.",), ("Ủy ban kiểm tra chất lượng đã họp.",),
        rf"{phrase('Ủy ban Kiểm tra')}{SP}{CENTRAL}(?:{SP}{phrase('Đảng')})?",
    ),
    _body_rule(
        "central_office", "the Party's Central Office",
        ("Văn phòng Trung ương Đảng đã họp.",), ("Văn phòng công chứng đã mở cửa.",),
        rf"{phrase('Văn phòng')}{SP}{CENTRAL}{SP}{phrase('Đảng')}",
    ),
    _body_rule(
        "central_board", "a board of the Central Committee",
        ("Ban Tổ chức Trung ương đã họp.",), ("Ban Tổ chức hội nghị đã họp.",),
        rf"{phrase('Ban')}{SP}{_BOARD_FIELDS}{SP}(?:(?:{phrase('Ban Chấp hành')}|BCH){SP})?{CENTRAL}(?:{SP}{phrase('Đảng')})?",
    ),
    _body_rule(
        "national", "a national body: the National Assembly, the Politburo, the State Audit...",
        ("Bộ Chính trị đã kết luận.",), ("Chính trị là vấn đề lớn.",),
        _NATIONAL,
    ),
    _body_rule(
        "government", "the Government (not \"Chính phủ điện tử\", e-government)",
        ("Chính phủ đã ban hành nghị định.",), ("Tỉnh xây dựng Chính phủ điện tử.",),
        rf"{phrase('Chính phủ')}(?!{SP}(?:điện{SP}tử|số){_NOT_LETTER_AFTER})",  # not "Chính phủ điện tử", e-government
    ),
    _body_rule(
        "central_party", "\"Trung ương Đảng\" standing for the Central Committee",
        ("Hội nghị Trung ương Đảng đã kết luận.",), ("Trung ương đã kết luận.",),
        rf"{CENTRAL}{SP}{phrase('Đảng')}",
    ),
    # the Party in a province, district or commune
    _body_rule(
        "party_executive_of_level", "the executive committee of a level's Party organisation",
        ("Ban Chấp hành Đảng bộ tỉnh đã họp.",), ("Ban Chấp hành đã họp.",),
        rf"(?:{phrase('Ban Chấp hành')}|BCH){SP}{phrase('Đảng bộ')}{SP}{LEVEL}",
    ),
    _body_rule(
        "committee_organ", "an organ of a Party committee: \"Ban Thường vụ Tỉnh ủy\"",
        ("Ban Thường vụ Tỉnh ủy đã họp.",), ("Thường trực đã họp.",),
        rf"{_COMMITTEE_ORGAN}{SP}{COMMITTEE}",
    ),
    # a commune's or district's Party committee ("Ban Thường vụ Đảng ủy xã", "Ban Thường vụ Đảng ủy" in its article)
    _body_rule(
        "local_standing_committee", "the standing committee of a commune's or district's Party committee",
        ("Ban Thường vụ Đảng ủy xã đã họp.",), ("Ban Thường vụ Tỉnh ủy đã họp.",),
        rf"(?:{phrase('Ban Thường vụ')}|BTV){SP}{phrase('Đảng ủy')}(?:{SP}{LEVEL_LOCAL}{_NOT_LETTER_AFTER}"
        rf"|(?P<bare_party_committee>)(?![^\S\n]+[{UP}{LOW}]*[{UP}]))",
    ),
    _body_rule(
        "shared_committee", "two organs of one Party committee: \"Ban Thường vụ, Thường trực Tỉnh ủy\"",
        ("Ban Thường vụ, Thường trực Tỉnh ủy đã họp.",), ("Ban Thường vụ Tỉnh ủy đã họp.",),
        rf"(?:{phrase('Ban Thường vụ')}|BTV|{phrase('Ban Chấp hành')}|BCH){_SHARED_COMMITTEE}",
    ),
    _body_rule(
        "council_board", "a board of a people's council: \"Ban Pháp chế HĐND tỉnh\"; with no level, the "
        "council of the article's place (\"Sau sáp nhập có các cơ quan: Ban Pháp chế HĐND, ...\")",
        ("Ban Pháp chế HĐND tỉnh đã họp.", "Sau sáp nhập có 2 cơ quan: Ban Pháp chế HĐND, Ban Dân tộc HĐND."),
        ("Ban Pháp chế đã họp.", "Ban Pháp chế HĐND các cấp đã họp."),
        rf"{phrase('Ban')}{SP}{_COUNCIL_BOARDS}(?:{SP}của)?{SP}{HDND}(?:{SP}{LEVEL}|(?!{SP}(?:các{SP})?cấp{_NOT_LETTER_AFTER}))",
    ),
    _body_rule(
        "party_board", "a board of a Party committee: \"Ban Tổ chức Tỉnh ủy\"",
        ("Ban Tổ chức Tỉnh ủy đã họp.",), ("Ban Tổ chức đã họp.",),
        rf"{phrase('Ban')}{SP}{_BOARD_FIELDS}(?:{SP}(?:{COMMITTEE}|{LEVEL}{_NOT_LETTER_AFTER}))?",
    ),
    _body_rule(
        "party_delegation", "a Party delegation or caucus in a body: \"Ban cán sự đảng UBND tỉnh\"",
        ("Ban cán sự đảng UBND tỉnh đã họp.",), ("Ban cán sự đã họp.",),
        rf"(?:{phrase('Ban cán sự đảng')}|{phrase('Đảng đoàn')}){SP}(?:{UBND}{SP}{LEVEL}|{HDND}{SP}{LEVEL}|{phrase('Ủy ban')}{SP}{MTTQ}"
        rf"(?:{SP}{LEVEL})?|{MTTQ}(?:{SP}{LEVEL})?|{phrase('Bộ')}{SP}{FIELD}|{phrase('Quốc hội')}|{phrase('Chính phủ')})",
    ),
    _body_rule(
        "bloc_party_committee", "the Party committee of a bloc of agencies or of the forces",
        ("Đảng ủy Khối các cơ quan tỉnh đã họp.",), ("Khối các cơ quan tỉnh đã họp.",),
        rf"{phrase('Đảng ủy')}{SP}(?:{phrase('Khối')}{SP}(?:{phrase('các cơ quan')}|{phrase('Cơ quan')}|{phrase('Doanh nghiệp')}|{phrase('Dân chính Đảng')})"
        rf"(?:{SP}{LEVEL})?|{phrase('Quân sự')}{SP}{LEVEL}|{phrase('Công an')}{SP}{LEVEL}|{phrase('Bộ đội Biên phòng')}{SP}{LEVEL}"
        rf"|(?:{phrase('các cơ quan Đảng')}|{phrase('Cơ quan Đảng')}|{UBND}|{HDND}|{phrase('Dân chính Đảng')}){SP}{LEVEL}"
        rf"|{LEVEL_LOCAL}{_NOT_LETTER_AFTER})",
    ),
    _body_rule(
        "party_committee", "a Party committee: \"Tỉnh ủy\", \"Huyện ủy\"; listed before the council and the "
        "committee of its place: \"Đảng ủy, HĐND và UBND xã X\"",
        ("Tỉnh ủy Quảng Ninh đã họp.", "Trụ sở Đảng ủy, HĐND và UBND xã Tân Lập được giữ lại."), ("Tỉnh đã họp.",),
        rf"(?:{COMMITTEE}|(?P<bare_commune_committee>{phrase('Đảng ủy')})(?=[^\S\n]*,))(?:{_SHARED_PARTY_LEVEL})?",
    ),
    # the State in a province, district or commune
    # one office may serve several bodies: "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh"
    _body_rule(
        "office_of_bodies", "one office serving several bodies of a level",
        ("Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh đã họp.",), ("Văn phòng đã họp.",),
        rf"{phrase('Văn phòng')}{SP}{_OFFICE_OF}(?:(?:{SP}và|,){SP}{_OFFICE_OF})*{SP}{LEVEL}",
    ),
    _body_rule(
        "office_shared_level", "offices listed each with its word, the level written once",
        ("Văn phòng HĐND, Văn phòng UBND tỉnh đã họp.",), ("Văn phòng UBND tỉnh đã họp.",),
        rf"{phrase('Văn phòng')}{SP}{_OFFICE_OF}{_SHARED_OFFICE_LEVEL}",
    ),
    # with no level it names a model ("hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND ở 3 huyện"): body_at drops it
    _body_rule(
        "office_model", "offices of several bodies with no level: a model, dropped",
        (), ("Tỉnh hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND ở 3 huyện.",),
        rf"(?P<office_model>{phrase('Văn phòng')}{SP}{_OFFICE_OF}(?:(?:{SP}và|,){SP}{_OFFICE_OF})+)",
    ),
    _body_rule(
        "standing_council", "the standing board of a people's council or committee",
        ("Thường trực HĐND tỉnh đã họp.",), ("Thường trực đã họp.",),
        rf"{phrase('Thường trực')}{SP}(?:{HDND}|{UBND}){SP}{LEVEL}",
    ),
    _body_rule(
        "council_or_committee", "a people's council or committee of a level: \"UBND tỉnh\"",
        ("UBND tỉnh Quảng Ninh đã họp.",), ("Chủ tịch UBND cấp xã đã họp.",),
        rf"(?:{HDND}|{UBND}){SP}{LEVEL}{_NOT_LETTER_AFTER}",
    ),
    _body_rule(
        "council_shared_level", "a council and a committee sharing their level: \"HĐND, UBND tỉnh\"",
        ("HĐND, UBND tỉnh Kon Tum đã họp.",), ("HĐND tỉnh Kon Tum đã họp.",),
        rf"(?:{HDND}|{UBND}){_SHARED_LEVEL}",
    ),
    _body_rule(
        "assembly_delegation", "a province's delegation to the National Assembly",
        ("Đoàn ĐBQH tỉnh đã họp.",), ("Đoàn đại biểu tham quan nhà máy.",),
        rf"(?:{phrase('Đoàn đại biểu Quốc hội')}|{phrase('Đoàn ĐBQH')}){_OPT_LEVEL}",
    ),
    _body_rule(
        "fatherland_front", "the Fatherland Front committee",
        ("Ủy ban MTTQ tỉnh đã họp.",), ("Ủy ban nhân dân tỉnh đã họp.",),
        rf"(?:{phrase('Ủy ban')}{SP}(?:{CENTRAL}{SP})?|UB{SP})?{MTTQ}{_OPT_LEVEL}",
    ),
    _body_rule(
        "local_state", "a state agency of a level: police, court, treasury, tax...",
        ("Công an tỉnh Quảng Ninh đã họp.",), ("Công an đã họp.",),
        rf"{_LOCAL_STATE}{SP}{LEVEL}{_NOT_LETTER_AFTER}",
    ),
    _body_rule(
        "department", "a province's department: \"Sở Nội vụ\"",
        ("Sở Nội vụ tỉnh Quảng Ninh đã họp.",), ("Sở thích của người dân rất đa dạng.",),
        rf"{phrase('Sở')}{SP}{FIELD}{_OPT_LEVEL}",
    ),
    _body_rule(
        "ministry", "a ministry, known ones only (\"Bộ Tiêu chí\" is a set of criteria)",
        ("Bộ Nội vụ đã họp.",), ("Bộ Tiêu chí xã nông thôn mới được ban hành.",),
        rf"{phrase('Bộ')}{SP}(?:{_FIELDS}|{_FIELD_ACRONYM})",  # only known ministries: "Bộ Tiêu chí" is a set of criteria
    ),
    _body_rule(
        "division", "a district's division: \"Phòng Nội vụ huyện\"",
        ("Phòng Nội vụ huyện đã họp.",), ("Chủ tịch UBND huyện đề nghị Phòng Nội vụ rà soát.",),
        rf"{phrase('Phòng')}{SP}{FIELD}{SP}{LEVEL_LOCAL}{_NOT_LETTER_AFTER}",
    ),
    # a district's division written without its level ("đề nghị Phòng Nội vụ rà soát"): known fields only
    _body_rule(
        "bare_division", "a district's division written without its level",
        ("Chủ tịch UBND huyện đề nghị Phòng Nội vụ rà soát.",), ("Phòng khám đa khoa mở cửa cả ngày.",),
        rf"(?P<bare_division>{phrase('Phòng')}{SP}{_FIELDS}){_NOT_LETTER_AFTER}(?!{SP}(?:(?:và|-|–){SP}{_ANOTHER_BODY})?[{UP}])",
    ),
    _body_rule(
        "department_division", "a division inside a department or a school's faculty, by its field: \"Phòng Tổ chức "
        "cán bộ\", \"Khoa Ngữ văn\"",
        ("Sở Y tế hợp nhất Phòng Tổ chức cán bộ và Phòng Kế hoạch - Tài chính.", "Trường sáp nhập Khoa Ngữ văn."),
        ("Phòng khám đa khoa mở cửa cả ngày.", "Khoa học và công nghệ phát triển."),
        rf"(?:{phrase('Phòng')}|Khoa){SP}{_SUB_FIELD}(?:{SP}(?:và|-|–){SP}{_ANOTHER_BODY}(?!Khoa{_NOT_LETTER_AFTER}){_SUB_FIELD}){{0,2}}",
    ),
    _body_rule(
        "health_station", "a commune's health station",
        ("Trạm Y tế xã đã họp.",), ("Trạm Y tế đã họp.",),
        rf"{phrase('Trạm Y tế')}{SP}{LEVEL_LOCAL}{_NOT_LETTER_AFTER}",
    ),
    _body_rule(
        "mass_organisation", "a mass organisation: farmers', women's, veterans' associations, the Youth Union...",
        ("Hội Nông dân tỉnh đã họp.",), ("Hội nghị đã họp.",),
        rf"{_MASS}(?:{SP}Việt{SP}Nam)?{_OPT_LEVEL}",
    ),
    _body_rule(
        "youth_union", "a province's or city's Youth Union",
        ("Tỉnh đoàn đã họp.",), ("Đoàn viên đã họp.",),
        rf"{phrase('Tỉnh đoàn')}|{phrase('Thành đoàn')}",
    ),
    _body_rule(
        "centre", "a public centre: \"Trung tâm Phục vụ hành chính công tỉnh\"",
        ("Trung tâm Phục vụ hành chính công tỉnh đã họp.",), ("Trung tâm Hội nghị tỉnh đã kín chỗ.",),
        rf"{phrase('Trung tâm')}{SP}{_SEAT_NOT_CENTRE}(?:{_CENTRE_LIST}|{_CENTRE_NAMES}{_CENTRE_NAME_ENDS}|{_GENERIC_CENTRE}){_QUOTED}?{_OPT_LEVEL}",
    ),
    _body_rule(
        "ethnic_board", "a province's board for ethnic (and religious) affairs: \"Ban Dân tộc tỉnh\"",
        ("Tỉnh chuyển Ban Tôn giáo về Ban Dân tộc.", "Ban Dân tộc và Tôn giáo được thành lập."),
        ("Ban Dân tộc HĐND tỉnh đã họp.",),
        rf"(?:{phrase('Ban Dân tộc')}(?:{SP}{phrase('và Tôn giáo')})?|{phrase('Ban Tôn giáo')})(?!{SP}(?:HĐND|{phrase('Hội đồng')}))"
        rf"{_OPT_LEVEL}",
    ),
    _body_rule(
        "sub_department", "a sub-department by its field: \"Chi cục Thủy sản\", \"Chi cục Chăn nuôi Thú y và Thủy sản\"",
        ("Chi cục Thủy sản đã họp.", "Tỉnh thành lập Chi cục Chăn nuôi Thú y và Thủy sản."), ("Chi cục đã họp.",),
        rf"{phrase('Chi cục')}{SP}{_SUB_FIELD}(?:{SP}(?:và|-|–){SP}{_ANOTHER_BODY}{_SUB_FIELD})?{_OPT_LEVEL}",
    ),
    _body_rule(
        "management_board", "a management board with its remit: of projects, of industrial or economic zones",
        ("Ban Quản lý dự án đầu tư xây dựng tỉnh đã họp.", "Ban Quản lý các khu công nghiệp tỉnh đã họp."),
        ("Ban Quản lý đã họp.",),
        rf"{phrase('Ban Quản lý')}(?:{SP}(?:dự{SP}án|các|(?!(?:{_REMIT_STOP}|làm|nhận|thuộc|trực|về|vào|sang|trên)"
        rf"{_NOT_LETTER_AFTER}){LOWW}|{_ANOTHER_BODY}{CAP})){{1,12}}"
        rf"(?<! các){_OPT_LEVEL}",
    ),
    _body_rule(
        "steering_committee", "a steering committee with its remit",
        ("Ban Chỉ đạo tinh giản biên chế tỉnh đã họp.",), ("Ban Chỉ đạo đã họp.",),
        STEERING,
    ),
    # Party organisations of 2025 ("Đảng bộ các cơ quan Đảng tỉnh", "Đảng bộ UBND tỉnh") and a named one
    # ("Đảng bộ tỉnh Đắk Lắk": body_at keeps it only with its place written after it).
    _body_rule(
        "party_organisation_2025", "a Party organisation of 2025: \"Đảng bộ các cơ quan Đảng tỉnh\"",
        ("Đảng bộ các cơ quan Đảng tỉnh đã họp.",), ("Đảng bộ đã họp.",),
        rf"{phrase('Đảng bộ')}{SP}(?:{phrase('các cơ quan Đảng')}|{phrase('Cơ quan Đảng')}|{UBND}|{HDND}"
        rf"|{phrase('Dân chính Đảng')}|{phrase('Quân sự')}|{phrase('Công an')}|{phrase('Khối')}{SP}(?:{phrase('các cơ quan')}"
        rf"|{phrase('Cơ quan')}|{phrase('Doanh nghiệp')}|{phrase('Dân chính Đảng')}))(?:{SP}{LEVEL}{_NOT_LETTER_AFTER})?",
    ),
    _body_rule(
        "party_organisation_of_level", "a named Party organisation of a level: \"Đảng bộ tỉnh Đắk Lắk\"",
        ("Đảng bộ tỉnh Đắk Lắk có nhiều đảng viên.",), ("Đại hội Đảng bộ tỉnh lần thứ XV đã họp.",),
        rf"{phrase('Đảng bộ')}{SP}{LEVEL}{_NOT_LETTER_AFTER}",
    ),
    _body_rule(
        "ministry_department", "a ministry's department: \"Vụ Tổ chức cán bộ\"",
        ("Vụ Tổ chức cán bộ đã họp.",), ("Vụ Đông Xuân năm nay được mùa.",),
        rf"{phrase('Vụ')}{SP}(?:{_MINISTRY_DEPARTMENTS}{_NOT_LETTER_AFTER}|{_DEPARTMENT_WORDS}{_MINISTRY_AFTER})",
    ),
    _body_rule(
        "institution", "a school, academy or hospital by its proper name",
        ("Trường Cao đẳng Lào Cai đã họp.",), ("Trường học đã khai giảng.",),
        rf"{_INSTITUTION}{SP}{_PROPER_NAME}",
    ),
    _body_rule(
        "company", "a company with its legal form, a corporation or a group",
        ("Công ty TNHH MTV Xổ số kiến thiết Quảng Ninh đã họp.",), ("Công ty đã họp.",),
        rf"{_COMPANY}{SP}{_PROPER_NAME}",
    ),
)
BODY = "(?:" + "|".join(f"(?:{pattern})" for _, pattern in _BODY_RULES) + ")"
# Each kind alone, to tell which one read a body (the first that reads it whole, as the alternation does).
_BODY_KINDS = tuple((rule_id, re.compile(pattern + _NOT_LETTER_AFTER)) for rule_id, pattern in _BODY_RULES)
BODY_RE = re.compile(_NOT_LETTER_BEFORE + BODY + _NOT_LETTER_AFTER)  # for match() at a known position
_BODY_SCAN = re.compile(WORD_START_UPPER + BODY + _NOT_LETTER_AFTER)  # for finditer(): bodies start upper case
# The letters each kind can open with (None: any). At a letter, only the kinds that can open with it are tried, in
# their order: the others cannot match there, so the first kind to match is the same as in the whole alternation.
_BODY_OPENINGS = tuple(opening_characters(pattern) for _, pattern in _BODY_RULES)
_BODY_CAPITALS = UP if None in _BODY_OPENINGS else "".join(c for c in UP if any(c in o for o in _BODY_OPENINGS))
# WORD_START_UPPER at a capital some kind opens with, the class first so that a scan skips ahead to it
_CAPITAL_AT_WORD_START = re.compile(rf"[{_BODY_CAPITALS}](?<![{UP}{LOW}0-9].)")


@lru_cache(maxsize=None)  # one entry per character met where a body may start: a few dozen
def _kinds_opening_with(letter: str) -> tuple[int, ...]:
    return tuple(i for i, opening in enumerate(_BODY_OPENINGS) if opening is None or letter in opening)


@lru_cache(maxsize=None)
def _kinds_at_letter(letter: str) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple(_BODY_KINDS[i] for i in _kinds_opening_with(letter))


@lru_cache(maxsize=None)
def _body_at_letter(letter: str) -> re.Pattern:
    """BODY_RE (without its look-behind) for a position holding `letter`: the alternation of the kinds that can
    open with it. Letters that open the same kinds share one compiled pattern."""
    return _alternation_of(_kinds_opening_with(letter))


# (the id of a scan's pattern, kept alive by _alternation_of's cache, a kind's group number) -> the kind's rule id.
# (Not the pattern itself: a pattern's hash reads its whole source, tens of thousands of characters, every time.)
_KIND_GROUPS: dict[tuple[int, int], str] = {}


@lru_cache(maxsize=None)
def _alternation_of(kinds: tuple[int, ...]) -> re.Pattern:
    """Each kind in a group of its own, unnamed (a match's groupdict stays small): the group a match closed last
    (`m.lastindex`: nothing follows a kind's group but look-arounds) tells the kind that read it, `_KIND_GROUPS`."""
    pattern = re.compile("(?:" + "|".join(f"({_BODY_RULES[i][1]})" for i in kinds) + ")" + _NOT_LETTER_AFTER)
    number = 1
    for i in kinds:
        _KIND_GROUPS[id(pattern), number] = _BODY_RULES[i][0]
        number += 1 + _BODY_KINDS[i][1].groups  # the groups inside the kind come after its own
    return pattern


def _upper_case_body_matches(text: str) -> Iterator[re.Match]:
    """The matches of `_BODY_SCAN.finditer(text)`: at each capital opening a word, the kinds that can open with it."""
    end = 0
    for capital in _CAPITAL_AT_WORD_START.finditer(text):
        start = capital.start()
        if start < end:
            continue
        m = _body_at_letter(text[start]).match(text, start)
        if m is not None:
            end = m.end()
            yield m

# After a body: "cấp tỉnh", "các cấp" make it a generic label, not a body ("UBND cấp xã").
_GENERIC_AFTER = re.compile(rf"{SP}(?:cấp|các{SP}cấp|cơ{SP}sở){_NOT_LETTER_AFTER}")
# "Ban Tổ chức hội nghị" is an organising committee, not the Party's board.
_EVENT_AFTER = re.compile(rf"{SP}(?:[Hh]ội|[Gg]iải|[Cc]uộc|[Cc]hương|[Ll]ễ|[Đđ]ại{SP}hội|[Ss]ự{SP}kiện|[Ll]iên{SP}hoan|[Tt]uần|[Nn]gày|[Hh]ội{SP}thi){_NOT_LETTER_AFTER}")
_BARE_BOARD = re.compile(rf"{phrase('Ban')}{SP}{_BOARD_FIELDS}$")
_ENDS_PROVINCE_LEVEL = re.compile(rf"(?:{phrase('Tỉnh ủy')}|tỉnh|Tỉnh)$")
_ENDS_CITY_LEVEL = re.compile(rf"(?:{phrase('Thành ủy')}|thành phố|Thành phố|TP\.?)$")
ENDS_LOCAL_LEVEL = re.compile(rf"(?:{phrase('Huyện ủy')}|{phrase('Thị ủy')}|{phrase('Quận ủy')}|{LEVEL_LOCAL})$")
_CITY_LEVEL_AFTER = re.compile(rf"(?:[Tt]hành{SP}phố|TP\.?)(?={SP}[{UP}])[^\S\n]*")
_CITY_PREFIX = re.compile(r"^(?:TP\.?|[Tt]hành phố)\s*")
_ENDS_LEVEL_WORD = re.compile(rf"(?:{LEVEL_PROVINCE})$")
_HCM_AFTER_CITY = re.compile(rf"[^\S\n]*\.?[^\S\n]*(?:HCM|Hồ{SP}Chí{SP}Minh){_NOT_LETTER_AFTER}")
_CAP_RUN = re.compile(rf"{CAP}(?:[^\S\n]{{0,2}}{CAP})*")


# "Đảng bộ tỉnh" is a body only as a named one; in "Đại hội Đảng bộ tỉnh lần thứ XV" it names an event.
_PARTY_OF_LEVEL = re.compile(rf"{phrase('Đảng bộ')}{SP}{LEVEL}$")
_EVENT_BEFORE = re.compile(
    rf"(?:[Đđ]ại{SP}hội|[Hh]ội{SP}nghị|[Vv]ăn{SP}kiện|[Bb]áo{SP}cáo{SP}chính{SP}trị)"
    rf"(?:{SP}(?:của|lần{SP}thứ{SP}\S+))?{SP}$"
)
_DEPARTMENT = re.compile(rf"{phrase('Sở')}{SP}")
# A province's (or a centrally-run city's) agency named without its level: a department, the ethnic affairs board.
_PROVINCIAL_AGENCY = re.compile(rf"(?:{phrase('Sở')}|{phrase('Ban Dân tộc')}(?!{SP}HĐND)|{phrase('Ban Tôn giáo')})(?:{SP}|$)")
_STEERING_HEAD = re.compile(rf"{phrase('Ban Chỉ đạo')}")
_TRAILING_ABOUT = re.compile(rf"{SP}về$")
# The capitalised word after a province's name makes the name a person's ("Sở Nội vụ Hà Nam" vs "... Hà Nam Khánh").
_CAP_AFTER = re.compile(rf"[^\S\n]+[{UP}][{LOW}]")


class BodyMention(NamedTuple):  # built for every body an article names: a tuple is the cheapest record
    start: int
    end: int  # including the place after the body
    core: str  # the body as written, without the place
    place: str  # the place as written ("" if none)
    province: str | None  # canonical province named right after the body
    provincial: bool  # a province's body: the province may be added from context
    city_level: bool  # a city's body: the province is added only for a centrally-run city
    any_level: bool = False  # a department ("Sở Nội vụ"): a province's or a centrally-run city's


def body_at(text: str, m: re.Match) -> BodyMention | None:
    """Read one body match with the place written after it; None for a generic label."""
    groups = m.groupdict()
    if _GENERIC_AFTER.match(text, m.end()) or groups.get("office_model"):
        return None
    if groups.get("bare_commune_committee") and not groups.get("shared_party"):
        return None  # "Đảng ủy," alone: whose, only the list after it can tell
    core, shared, shared_province = _with_shared_level(text, m, groups)
    core = _with_implied_level(text, m, groups, core)
    if core is None or _level_ending(core)[3] and _EVENT_AFTER.match(text, m.end()):
        return None
    if _is_steering(core):
        core = _TRAILING_ABOUT.sub("", core)
    ends_province, ends_city, ends_local, bare_board = _level_ending(core)
    if shared and ENDS_LOCAL_LEVEL.fullmatch(shared):  # "HĐND và UBND xã X": the place after the shared level
        shared_end = next(m.end(g) for g in ("shared", "shared_party") if groups.get(g))
        place, _ = _local_place_after(text, _skip_spaces(text, shared_end), shared_end)
        province, end = None, m.end()
    elif shared:
        place, province, end = "", shared_province, m.end()
    elif ends_province or ends_city or ends_local:
        core, place, province, end = _place_after_level(text, m, core, ends_province, ends_city)
    else:  # "Sở Nội vụ Hà Nội", "Trung tâm Phục vụ hành chính công Nghệ An"
        place, province, end = _province_after(text, m.end())
    if _is_party_of_level(core) and (not place and not _named_local_party(text, core)
                                             or _EVENT_BEFORE.search(text, max(0, m.start() - 40), m.start())):
        return None
    return BodyMention(m.start(), end, core, place, province,
                       provincial=ends_province or bare_board,
                       city_level=ends_city and not province,
                       any_level=not province and not (ends_province or ends_city or ends_local)
                       and _is_provincial_agency(core))


@lru_cache(maxsize=4096)  # keyed by a body as written: the same few hundred recur across articles
def _level_ending(core: str) -> tuple[bool, bool, bool, bool]:
    """Whether a body ends in a province's, a city's or a local level word, and whether it is a bare board."""
    return (_ENDS_PROVINCE_LEVEL.search(core) is not None, _ENDS_CITY_LEVEL.search(core) is not None,
            ENDS_LOCAL_LEVEL.search(core) is not None, _BARE_BOARD.search(core) is not None)


@lru_cache(maxsize=4096)
def _written_core(body: str) -> str:
    """A body match as the article goes on: blanks made single spaces, no closing dot, "(UBND)" kept bare."""
    return _ABBREVIATION_IN_BRACKETS.sub(r"\1", " ".join(body.split()).rstrip("."))


_SHARED_GROUPS = ("shared", "shared_committee", "shared_office", "shared_party")


def _with_shared_level(text: str, m: re.Match, groups: dict) -> tuple[str, str | None, str | None]:
    """The body as written, with the level it shares with the next body ("HĐND, UBND tỉnh Kon Tum")."""
    core = _written_core(m.group(0))
    shared_group = next(filter(groups.get, _SHARED_GROUPS), None)  # the first of them the match holds
    if not shared_group:
        return core, None, None
    shared = " ".join(groups[shared_group].split())
    if shared_group == "shared_party" and _ends_local_level(core):
        return core, shared, None  # "Huyện ủy" names its level already
    pm = PROVINCE_RE.match(text, _skip_spaces(text, m.end(shared_group)))
    return f"{core} {shared}", shared, province_of(pm.group(0)) if pm else None


def _with_implied_level(text: str, m: re.Match, groups: dict, core: str) -> str | None:
    """A body written without its level takes the one the text implies; None when it implies none."""
    if groups.get("bare_division") is not None:  # "Chủ tịch UBND huyện đề nghị Phòng Nội vụ": that district's
        level = _last_match(_DIVISION_LEVEL, text, text.rfind("\n", 0, m.start()) + 1, m.start())
        return f"{core} {level.group(0).lower()}" if level else core
    if groups.get("bare_party_committee") is not None:  # "Ban Thường vụ Đảng ủy": of the commune the article names
        level = _last_match(_LOCAL_PARTY_COMMITTEE, text, 0, m.start())
        return f"{core} {level.group(1)}" if level else None
    return core


def _place_after_level(
    text: str, m: re.Match, core: str, ends_province: bool, ends_city: bool
) -> tuple[str, str, str | None, int]:
    """(core, place, province, end) of a body ending in its level word: the place written after it."""
    end = m.end()
    gap = _skip_spaces(text, end)
    if ends_city:  # "Thành ủy Thành phố Tây Ninh"
        level = _CITY_LEVEL_AFTER.match(text, gap)
        gap = level.end() if level else gap
    pm = PROVINCE_RE.match(text, gap) if ends_province or ends_city else None
    hcm = _HCM_AFTER_CITY.match(text, end) if ends_city else None
    if hcm:  # "UBND TP.HCM": the level and the city written as one word, kept as written
        level_word = _ENDS_CITY_LEVEL.search(m.group(0))
        place = " ".join(text[m.start() + level_word.start():hcm.end()].split())
        return _ENDS_CITY_LEVEL.sub("", core).rstrip(), place, "Hồ Chí Minh", hcm.end()
    if gap == end:
        return core, "", None, end
    if pm:
        return core, " ".join(pm.group(0).split()), province_of(pm.group(0)), pm.end()
    if not ends_province:
        place, end = _local_place_after(text, gap, end)
    else:
        place = ""
    return core, place, None, end


def _local_place_after(text: str, gap: int, end: int) -> tuple[str, int]:
    """The district's or commune's name after its level word, without a person's name after it."""
    rm = _CAP_RUN.match(text, gap)
    if not rm:
        return "", end
    tokens = _CAP_TOKEN.findall(rm.group(0))
    tokens = tokens[:next((i for i, t in enumerate(tokens) if t in NAME_BREAKERS), len(tokens))]
    split = split_run(tokens, after_level=True)
    n_place = split.place_end if split.name else min(len(tokens), 4)
    if not n_place:
        return "", end
    place_end = _token_end(text, gap, tokens, n_place)
    return " ".join(text[gap:place_end].split()), place_end


def _province_after(text: str, end: int) -> tuple[str, str | None, int]:
    """A province written right after a body with no level word, unless it starts a person's name."""
    gap = _skip_spaces(text, end)
    if gap == end:
        return "", None, end
    pm = PROVINCE_RE.match(text, gap)
    after = _CAP_AFTER.match(text, pm.end()) if pm else None
    if pm and (after is None or _starts_a_name(text, after.end() - 2)):
        return " ".join(pm.group(0).split()), province_of(pm.group(0)), pm.end()
    return "", None, end


# The district a bare division belongs to: the level word last written before it on its line.
_DIVISION_LEVEL = re.compile(rf"(?<![{UP}{LOW}])(?:[Hh]uyện|[Qq]uận|[Tt]hị{SP}xã)(?![{UP}{LOW}])(?!{SP}ủy)")
_LOCAL_PARTY_COMMITTEE = re.compile(rf"{phrase('Đảng ủy')}{SP}({LEVEL_LOCAL})(?![{UP}{LOW}])")


def _last_match(pattern: re.Pattern, text: str, start: int, end: int) -> re.Match | None:
    matches = list(pattern.finditer(text, start, end))
    return matches[-1] if matches else None


def _named_local_party(text: str, core: str) -> bool:
    """'Đảng bộ xã có 62 tổ chức cơ sở đảng': the Party organisation of the commune the article names."""
    level = re.search(rf"{LEVEL_LOCAL}$", core)
    if level is None:
        return False
    return re.search(rf"(?<![{UP}{LOW}]){phrase(level.group(0))}{SP}[{UP}][{LOW}]", text) is not None


def _starts_a_name(text: str, pos: int) -> bool:
    word = _CAP_TOKEN.match(text, pos)
    return word is not None and word.group(0) in SURNAMES


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _token_end(text: str, start: int, tokens: list[str], count: int) -> int:
    pos = start
    for tok in tokens[:count]:
        pos = text.index(tok, pos) + len(tok)
    return pos


# --- naming and identity ---------------------------------------------------------------

_EXPANSIONS = tuple((re.compile(_NOT_LETTER_BEFORE + a + _NOT_LETTER_AFTER), b) for a, b in (
    (r"BTV", "Ban Thường vụ"), (r"BCH", "Ban Chấp hành"), (r"T\.Ư\.?|TƯ|TW|T\.W", "Trung ương"),
    (r"HĐND", "Hội đồng nhân dân"), (r"UBND", "Ủy ban nhân dân"), (r"UBMTTQ", "Mặt trận Tổ quốc"),
    (r"MTTQ", "Mặt trận Tổ quốc"), (r"ĐBQH", "đại biểu Quốc hội"), (r"UBKT", "Ủy ban Kiểm tra"),
    (r"TP\.?", "thành phố"), (r"TX\.?", "thị xã"), (r"LHPN", "Liên hiệp Phụ nữ"), (r"CCB", "Cựu chiến binh"),
    (r"TNCS", "Thanh niên Cộng sản"), (r"LĐLĐ", "Liên đoàn Lao động"), (r"VKSND", "Viện Kiểm sát nhân dân"),
    (r"TAND", "Tòa án nhân dân"), (r"BHXH", "Bảo hiểm xã hội"), (r"CHQS", "Chỉ huy Quân sự"),
))
_CENTRAL_COMMITTEE = "Ban Chấp hành Trung ương Đảng"
_CENTRAL_KEY = fold(_CENTRAL_COMMITTEE)


@lru_cache(maxsize=4096)
def canonical_core(core: str) -> str:
    """One spelling per body: abbreviations expanded, the genre's synonyms merged (folded)."""
    s = core
    for pattern, full in _EXPANSIONS:
        s = pattern.sub(full, s)
    f = fold(s)
    f = re.sub(r"^(?:uy ban )?mat tran to quoc(?: viet nam| vn)?", "mat tran to quoc", f)
    if f in ("trung uong dang", "ban chap hanh trung uong", "ban chap hanh trung uong dang",
             "ban chap hanh trung uong dang cong san viet nam"):
        return fold(_CENTRAL_COMMITTEE)
    if f in ("tinh uy", "thanh uy", "huyen uy", "thi uy", "quan uy"):
        # the committee is the executive of the Party organisation of its level
        level = {"tinh": "tinh", "thanh": "thanh pho", "huyen": "huyen", "thi": "thi xa", "quan": "quan"}[f.split()[0]]
        return f"ban chap hanh dang bo {level}"
    m = re.fullmatch(r"ban (to chuc|tuyen giao|dan van|noi chinh|kinh te|doi ngoai|tuyen giao va dan van)(?: (tinh|thanh pho))?", f)
    if m:  # "Ban Dân vận tỉnh" and a bare "Ban Tổ chức" are the provincial committee's boards
        return f"ban {m.group(1)} {'thanh uy' if m.group(2) == 'thanh pho' else 'tinh uy'}"
    f = re.sub(r"^ban bi thu trung uong dang$", "ban bi thu", f)
    f = re.sub(r"^(ban .+?) ban chap hanh (trung uong)", r"\1 \2", f)  # "Ban Tổ chức Ban Chấp hành Trung ương"
    return f


def display_core(core: str) -> str:
    """The name shown for a body: as written, but the Central Committee by its full name."""
    if canonical_core(core) == _CENTRAL_KEY:
        return _CENTRAL_COMMITTEE  # "Ủy viên T.Ư Đảng" names the Committee by a short form
    return core


# --- province of a mention -------------------------------------------------------------

_DELEGATION = re.compile(
    rf"[Đđ]oàn(?:{SP}(?:công{SP}tác|khảo{SP}sát|cán{SP}bộ|đại{SP}biểu|lãnh{SP}đạo|kiểm{SP}tra|giám{SP}sát))?"
    rf"(?:{SP}của)?(?:{SP}(?:tỉnh|thành{SP}phố|TP\.?|{phrase('Tỉnh ủy')}|{phrase('Thành ủy')}|UBND{SP}tỉnh|HĐND{SP}tỉnh))?{SP}$"
)
_RECEIVING = re.compile(rf"(?:với|[Tt]iếp|[Đđ]ón|thăm|gặp){SP}(?:các{SP}|thành{SP}viên{SP})?$")
_ACCOMPANYING = re.compile(rf"\W*(?:[Cc]ùng{SP}đi|[Tt]háp{SP}tùng|[Cc]ùng{SP}tham{SP}gia{SP}đoàn)")
_BY = re.compile(rf"{_NOT_LETTER_BEFORE}do{SP}")
# A surname, a middle or a given name before a province's name makes it part of a person's name ("Nguyễn Hòa Bình").
_NAME_TAGS = frozenset({"surname", "middle_name", "name_syllable"})


class ProvinceMention(NamedTuple):
    start: int
    end: int
    name: str


_NOT_PROVINCE_BEFORE = frozenset({"xã", "phường", "thôn", "bản", "ấp", "đường", "phố", "khu", "tổ"})
_NAME_WORDS = frozenset(word for word, tags in lexicon.word_tags().items() if tags & _NAME_TAGS)
_SHORT_WORD_BEFORE = 8  # a word and its blanks this long lie whole in what Document.words_before reads


def _name_or_place_word_before(doc: Document, text: str, pos: int) -> bool:
    """Whether the word before pos (`doc.words_before`) is a name's syllable or a place word, not "thành phố".

    A short word of letters alone (the usual "tỉnh", "UBND") is read here, with nothing to strip from its edges;
    others, and "phố" (is "thành" before it?), by `doc.words_before`."""
    if pos == 0 or text[pos - 1] != " ":
        return False  # no word before (words_before answers [])
    limit = max(0, pos - _SHORT_WORD_BEFORE - 1)  # a longer word is left to words_before
    end = pos - 1
    while end > limit and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > limit and text[start - 1].isalpha():
        start -= 1
    if start < end and pos - start <= _SHORT_WORD_BEFORE and (start == 0 or text[start - 1].isspace()) \
            and text[start:end] != "phố":
        word = text[start:end]
        return word in _NAME_WORDS or word.lower() in _NOT_PROVINCE_BEFORE
    words = doc.words_before(pos)
    word_before = words[-1] if words else None
    if word_before and word_before.text == "phố" and len(words) > 1 and words[-2].text.lower() == "thành":
        return False  # "thành phố Tây Ninh" is the province's city, not a street
    return bool(word_before and (word_before.tags & _NAME_TAGS or word_before.text.lower() in _NOT_PROVINCE_BEFORE))


class ProvinceContext:
    """Which province a body belongs to when the text does not say it right after the body."""

    def __init__(self, text: str, doc: Document):
        self.text = text
        self.doc = doc
        self.mentions: list[ProvinceMention] = []
        for m in PROVINCE_RE.finditer(text):
            start = m.start()
            if _name_or_place_word_before(doc, text, start):
                continue  # "Nguyễn Hòa Bình" is a person, "xã Hòa Bình" a commune
            spelling = m.group(0)
            self.mentions.append(ProvinceMention(start, m.end(), province_of(spelling) or spelling))
        self._starts = [pm.start for pm in self.mentions]
        counts = Counter(pm.name for pm in self.mentions)
        order = {pm.name: i for i, pm in reversed(list(enumerate(self.mentions)))}
        self.home = min(counts, key=lambda p: (-counts[p], order[p])) if counts else None
        self._accompanying: dict[int, bool] = {}  # a sentence's start -> whether it opens "cùng đi", "tháp tùng"
        self._receiving: dict[tuple[int, int], bool] = {}  # (a mention's start, its sentence's) -> a received delegation

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.doc.sentence_span(pos)

    def in_context(self, pos: int) -> str | None:
        """The province a mention at pos belongs to, from its sentence; None when the sentence does not tell."""
        s_start, _ = self.sentence(pos)
        accompanying = self._accompanying.get(s_start)
        if accompanying is None:  # asked for every body: read once per sentence
            accompanying = self._accompanying[s_start] = _ACCOMPANYING.match(self.text, s_start) is not None
        if accompanying:
            return self._last_delegation(pos)
        i = bisect_right(self._starts, pos) - 1
        while i >= 0 and self.mentions[i].start >= s_start:
            pm = self.mentions[i]
            if not self._received_delegation(pm, s_start, pos):
                return pm.name
            i -= 1
        return None

    def resolve(self, pos: int) -> str | None:
        return self.in_context(pos) or self.home

    def _received_delegation(self, pm: ProvinceMention, s_start: int, pos: int) -> bool:
        # "làm việc với đoàn công tác tỉnh X, có: <hosts>" names the guests, not the hosts' province
        return self._names_received_delegation(pm, s_start) and not _BY.search(self.text, pm.end, pos)

    def _names_received_delegation(self, pm: ProvinceMention, s_start: int) -> bool:
        """Whether the mention names a delegation its sentence receives: read once per mention (and sentence)."""
        found = self._receiving.get((pm.start, s_start))
        if found is None:
            before = self.text[max(s_start, pm.start - 60):pm.start]
            d = _DELEGATION.search(before)
            found = self._receiving[pm.start, s_start] = bool(d and _RECEIVING.search(before[:d.start()]))
        return found

    def _last_delegation(self, pos: int) -> str | None:
        for pm in reversed([p for p in self.mentions if p.start < pos]):
            if _DELEGATION.search(self.text[max(0, pm.start - 60):pm.start]):
                return pm.name
        return None


# --- finding the bodies ----------------------------------------------------------------------

# A head of a title before "Thường trực": "Phó Bí thư Thường trực Tỉnh ủy" holds office in the Tỉnh ủy.
_HEAD_BEFORE_STANDING = re.compile(rf"(?:{'|'.join(phrase(h) for h in lexicon.title_heads('before_standing'))}){SP}$")
_STANDING = re.compile(rf"^{phrase('Thường trực')}{SP}")


# A site's footer line the cleaner may have left: "Cơ quan chủ quản: Ủy ban nhân dân tỉnh ...".
_FURNITURE_LINE = re.compile(
    r"\W*(?:cơ quan chủ quản|chịu trách nhiệm|tổng biên tập|phó tổng biên tập|giấy phép|bản quyền|copyright|©"
    r"|địa chỉ|điện thoại|email|đơn vị chủ quản|cơ quan chủ trì)", re.I
)


def on_furniture_line(text: str, pos: int) -> bool:
    return _furniture_line(text, text.rfind("\n", 0, pos) + 1)


@per_article(maxsize=4096)  # asked for every body and every name: lines hold several
def _furniture_line(text: str, line_start: int) -> bool:
    return _FURNITURE_LINE.match(text, line_start) is not None


_PARTY_COMMITTEE = re.compile(rf"{COMMITTEE}|{phrase('Đảng ủy')}|{phrase('Trung ương')}|{phrase('Cấp ủy')}")


# "Bí thư Trung ương Đảng" is a member of the Secretariat, not of the Central Committee alone.
_SECRETARY_BEFORE = re.compile(rf"(?<![{UP}{LOW}])(?<!Tổng )(?<!Phó )[Bb]í{SP}thư{SP}$")
# A title's head right before a body: with nobody holding it, "chủ tịch UBND xã" is a model's post, not a body.
_ANY_HEAD_BEFORE = re.compile(
    rf"(?<![{UP}{LOW}])(?:[Pp]hó{SP})?(?:{'|'.join(phrase(h) for h in lexicon.title_heads('model_post'))})"
    rf"(?:{SP}[Tt]hường{SP}trực)?{SP}$"
)
# A centre named in a sentence about every district or commune is the model's label ("Ở cấp huyện, ... hợp nhất thành
# Trung tâm Văn hóa, Thể thao và Truyền thông"), not one body.
_CENTRE = re.compile(rf"{phrase('Trung tâm')}{SP}")
_EVERY_LOCALITY = re.compile(
    rf"(?<![{UP}{LOW}])(?:[Cc]ấp|[Cc]ác|[Mm]ỗi|[Tt]ừng){SP}(?:huyện|xã|quận|phường)(?![{UP}{LOW}])"
)
# "các Sở Nội vụ", "mỗi Trung tâm Y tế huyện": a kind of body, not one body.
_PLURAL_BEFORE = re.compile(rf"(?<![{UP}{LOW}])(?:[Cc]ác|[Nn]hững|[Mm]ỗi|[Tt]ừng|[Bb]ất{SP}kỳ|[Bb]ất{SP}cứ){SP}$")
# "02/2018/NQ-HĐND tỉnh": the issuer's abbreviation inside a document's symbol is not a body named.
_BUILDING_BEFORE = re.compile(rf"(?<![{UP}{LOW}])(?:[Tt]òa|[Tt]oà){SP}nhà{SP}$")
_PLURAL_LAST_LETTERS = frozenset("cgiỳứ")  # how "các", "những", "mỗi", "từng", "bất kỳ", "bất cứ" end


def _may_follow_plural(text: str, pos: int) -> bool:
    """Whether pos may follow _PLURAL_BEFORE within its 8 characters: a word ending as one of its words, then blanks
    on one line (and a line break). Most bodies follow "của", "tỉnh", "và": that pattern is not searched then."""
    low = max(0, pos - 8)
    end = pos - 1 if pos > low and text[pos - 1] == "\n" else pos
    blank = end
    while blank > low and text[blank - 1] != "\n" and text[blank - 1].isspace():
        blank -= 1
    return low < blank < end and text[blank - 1] in _PLURAL_LAST_LETTERS


_IN_SYMBOL_BEFORE = re.compile(rf"[{UP}Đ]{{1,5}}[-/]$")
# A masthead's owner ("Báo X - Cơ quan của Đảng bộ tỉnh X") is site furniture.
_OUTLET_OWNER_BEFORE = re.compile(
    rf"(?:^|[-–—|][^\S\n]*)[Cc]ơ{SP}quan(?:{SP}(?:ngôn{SP}luận|chủ{SP}quản))?(?:{SP}của)?[^\S\n]*:?[^\S\n]*$", re.M
)
# The level word of a province's or a centrally-run city's body, dropped from the key once the province is known:
# "Sở Nội vụ", "Sở Nội vụ thành phố Cần Thơ" and "Sở Nội vụ Cần Thơ" are one body.
_KEY_LEVEL = re.compile(r" (?:tinh|thanh pho)$")
_BARE_STEERING = re.compile(rf"{phrase('Ban Chỉ đạo')}(?:{SP}{LEVEL})?$")


RULE_BARE_STEERING = rule(
    "body.bare_steering", "organizations", "\"Ban Chỉ đạo\" alone, in an article that names one steering committee",
    examples=("Ban Chỉ đạo tinh giản biên chế tỉnh đã họp. Ban Chỉ đạo yêu cầu các sở báo cáo.",),
    counterexamples=("Ban Chỉ đạo yêu cầu các sở báo cáo.",),
)
RULE_STANDING_SEAT = rule(
    "body.standing_seat", "organizations", "the standing committee a person's seat names: \"Ủy viên Ban Thường vụ\" "
    "with the committee elsewhere in the person's titles",
    examples=("Ông Nguyễn Văn An, Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức Tỉnh ủy Quảng Ninh phát biểu.",),
    counterexamples=("Ông Nguyễn Văn An, Trưởng Ban Tổ chức Tỉnh ủy Quảng Ninh phát biểu.",),
)


def _once_per_form(test: Callable[[str], object]) -> Callable[[str], bool]:
    """A pattern's test of a body's written form, asked of every body: answered once per form (the same few hundred
    recur across articles)."""
    return lru_cache(maxsize=4096)(lambda core: test(core) is not None)


_is_steering = _once_per_form(_STEERING_HEAD.match)
_is_bare_steering = _once_per_form(_BARE_STEERING.fullmatch)
_is_standing = _once_per_form(_STANDING.match)
_is_bare_board = _once_per_form(_BARE_BOARD.fullmatch)
_is_party_of_level = _once_per_form(_PARTY_OF_LEVEL.fullmatch)
_is_provincial_agency = _once_per_form(_PROVINCIAL_AGENCY.match)
_is_department = _once_per_form(_DEPARTMENT.match)
_ends_local_level = _once_per_form(ENDS_LOCAL_LEVEL.search)


@lru_cache(maxsize=4096)
def _is_centre_without_level(core: str) -> bool:
    return _CENTRE.match(core) is not None and _ENDS_LEVEL_WORD.search(core) is None


def find_organizations(doc: Document, persons: list[Person]) -> list[Organization]:
    text = doc.normal
    context = ProvinceContext(text, doc)
    if persons and not doc.spans_of("persons"):
        doc.record("persons", persons)  # as find_persons leaves them
    person_spans = SpanIndex((s.start, s.end, s.finding) for s in doc.spans_of("persons"))
    person_province = _person_provinces(text, persons, context)
    found: dict[str, tuple[str, list[tuple[int, int, str]]]] = {}
    steering_keys: list[str] = []
    bare_steering: list[tuple[int, int, str]] = []
    party_named = _PARTY_COMMITTEE.search(text) is not None
    text_end = len(text.rstrip())  # a body ending before it is not cut short (cut_short_at_end's first test)
    for m in _body_matches(text):
        body = _candidate_body(text, m, party_named)
        if body is None or body.end >= text_end and cut_short_at_end(text, body.end, body.core):
            continue
        if _is_bare_steering(body.core):
            bare_steering.append((m.start(), body.end, RULE_BARE_STEERING))  # the one the article names, if one
            continue
        named = _name_body(text, context, m, body, person_spans, person_province)
        if named is None:
            continue
        key, name, core = named
        if key not in found:
            found[key] = (name, [])
            if _is_steering(core):
                steering_keys.append(key)
        elif _more_specific(name, found[key][0]):
            found[key] = (name, found[key][1])  # "Trung tâm ... Nghệ An" in the headline, "... tỉnh Nghệ An" later
        found[key][1].append((m.start(), body.end, _kind_of(text, m)))
    if bare_steering and len(steering_keys) == 1:
        found[steering_keys[0]][1].extend(bare_steering)
    _add_standing_committees(text, context, persons, person_province, found)
    _add_elided_departments(text, context, found)
    organizations = [Organization(name=name, evidence=[doc.evidence(s, e, r) for s, e, r in sorted(spans)[:5]])
                     for name, spans in _merge_provinceless(found)]
    doc.record("organizations", organizations)
    return organizations


def _kind_of(text: str, m: re.Match) -> str:
    """The id of the body rule that read a match: its kind's group for a match of the scan by letter, else the kind
    read again by `_kind_at` (a body after a lower-case title)."""
    return _KIND_GROUPS.get((id(m.re), m.lastindex)) or _kind_at(text, m.start(), m.end())


@per_article(maxsize=4096)
def _kind_at(text: str, start: int, end: int) -> str:
    """The id of the body rule that read text[start:end]: the first kind that reads the same text."""
    kinds = _kinds_at_letter(text[start])  # those that cannot open with its letter cannot read it
    for rule_id, kind in kinds:
        k = kind.match(text, start)
        if k and k.end() == end:
            return rule_id
    return next((rule_id for rule_id, kind in kinds if kind.match(text, start)), _BODY_KINDS[0][0])


def _candidate_body(text: str, m: re.Match, party_named: bool) -> BodyMention | None:
    """The body a match reads, unless it is an event's committee, site furniture or a kind of body."""
    if not party_named and _BARE_BOARD.fullmatch(" ".join(m.group(0).split())):
        return None  # with no Party committee in sight, "Ban Tổ chức" organises an event
    # Each pattern before the body is searched only where a word it cannot match without is written (str.find).
    start = m.start()
    lo30, lo10, lo6 = max(0, start - 30), max(0, start - 10), max(0, start - 6)
    if on_furniture_line(text, start) or text.find("quan", lo30, start) >= 0 and _OUTLET_OWNER_BEFORE.search(text, lo30, start):
        return None
    if _may_follow_plural(text, start) and _PLURAL_BEFORE.search(text, max(0, start - 8), start):
        return None
    if (text.find("-", lo6, start) >= 0 or text.find("/", lo6, start) >= 0) and _IN_SYMBOL_BEFORE.search(text, lo6, start):
        return None
    if text.find("nhà", lo10, start) >= 0 and _BUILDING_BEFORE.search(text, lo10, start):
        return None  # "tòa nhà Bưu điện tỉnh": a building, the venue of something else
    cached = upper_case_bodies(text).get(m.start())
    return cached[1] if cached and cached[0] is m else body_at(text, m)


def _name_body(
    text: str, context: ProvinceContext, m: re.Match, body: BodyMention, person_spans: SpanIndex[int],
    person_province: dict[int, str],
) -> tuple[str, str, str] | None:
    """(key, name, core) of a body in its context; None for a model's label ("UBND cấp xã")."""
    core = _core_in_context(text, m, body.core)
    owner, title_end = _owner_span(person_spans, m.start())
    core, province = _province_of_body(context, m, body, core, person_province.get(owner) if owner is not None else None)
    place = body.place or _local_place_in_sentence(text, context, core, m.start(), title_end)
    if not place and not province and _is_model_label(text, context, core, m.start(), owner):
        return None
    local_place = "" if body.province else place
    return _body_key(f"{core} {local_place}", province), _display_name(text, context, core, place, province), core


def _core_in_context(text: str, m: re.Match, core: str) -> str:
    if _is_standing(core) and _HEAD_BEFORE_STANDING.search(text, max(0, m.start() - 16), m.start()):
        return _STANDING.sub("", core)  # "Phó Bí thư Thường trực Tỉnh ủy" holds office in the Tỉnh ủy
    if canonical_core(core) == _CENTRAL_KEY and not core.startswith(("Ban", "BCH")) \
            and _SECRETARY_BEFORE.search(text, max(0, m.start() - 16), m.start()):
        return "Ban Bí thư"
    return core


def _province_of_body(
    context: ProvinceContext, m: re.Match, body: BodyMention, core: str, owner_province: str | None
) -> tuple[str, str | None]:
    """(core, province): the province written with the body, else its holder's, else the sentence's or the article's."""
    province = body.province
    if province is None and not body.place and (body.provincial or body.city_level or body.any_level):
        province = owner_province or context.resolve(m.start())
        in_city = province in CENTRAL_CITIES
        if _is_bare_board(core):  # "Ban Tổ chức": the board of the local Party committee
            core = f"{core} {'Thành ủy' if in_city else 'Tỉnh ủy'}"
        elif not body.any_level and body.city_level != in_city:
            province = None  # a city's body in a province, a province's body in a city
    elif _is_bare_board(core):
        core = f"{core} {'Thành ủy' if province in CENTRAL_CITIES else 'Tỉnh ủy'}"
    return core, province


def _display_name(text: str, context: ProvinceContext, core: str, place: str, province: str | None) -> str:
    name = display_core(core[0].upper() + core[1:])
    if place:
        return f"{name} {place}"
    if not province:
        return name
    written = _written_province(text, context, province)
    if _CITY_PREFIX.match(written):  # "UBND TP" + "TP.HCM": the city's own prefix is its level word
        return f"{_ENDS_LEVEL_WORD.sub('', name).rstrip()} {written}"
    return f"{name} {written}"  # "Sở Nội vụ Lào Cai": no level word the article did not write


@lru_cache(maxsize=4096)  # keyed by a body as written and its province: the same few hundred recur
def _body_key(core: str, province: str | None) -> str:
    key = canonical_core(core)
    if province:
        key = _KEY_LEVEL.sub("", key)
    return f"{key}|{province or ''}"


# A seat completed from its chain by people.py ("Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức Tỉnh ủy" gives "Ủy viên Ban
# Thường vụ Tỉnh ủy"): the person holds office in that standing committee even though the text never names it whole.
_STANDING_SEAT = re.compile(rf"(?:[Nn]guyên{SP})?[Ủủ]y{SP}viên{SP}(?:[Bb]an{SP})?[Tt]hường{SP}vụ{SP}(?P<committee>Tỉnh ủy|Thành ủy)$")


def _add_standing_committees(text: str, context: ProvinceContext, persons: list[Person],
                             person_province: dict[int, str], found: dict) -> None:
    for i, person in enumerate(persons):
        for role in person.roles:
            seat = _STANDING_SEAT.match(role)
            if seat is None:
                continue
            province = person_province.get(i) or context.home
            if province is not None and (province in CENTRAL_CITIES) != (seat.group("committee") == "Thành ủy"):
                province = None
            core = f"Ban Thường vụ {seat.group('committee')}"
            key = _body_key(core, province)
            if key not in found and _body_key(core, None) not in found:
                name = f"{core} {_written_province(text, context, province)}" if province else core
                found[key] = (name, [(e.start, e.end, RULE_STANDING_SEAT) for e in person.evidence[:1]])


RULE_ELIDED_DEPARTMENT = rule(
    "body.elided_department", "organizations", "departments listed under one \"Sở\" or after a count of them: "
    "\"Sở Tài chính, Xây dựng và Nội vụ\", \"3 sở gồm: Tài chính, Công Thương\"",
    examples=("Tỉnh thành lập Sở Tài chính, Xây dựng và Nội vụ.", "Tỉnh sắp xếp 3 sở gồm: Tài chính, Công Thương, Y tế.",
              "Trung tâm nhận hồ sơ của 16 sở, ban, ngành tỉnh gồm: Công Thương, Tư pháp, Y tế."),
    counterexamples=("Tỉnh sắp xếp 3 sở, tài chính công được công khai.",),
)
_FIELD_ITEM = rf"(?=[{UP}])(?P<field>{_FIELDS})(?=[^\S\n]*(?:[,.;:()]|{SP}và{SP}|$))"
_NEXT_ELIDED = re.compile(rf"[^\S\n]*(?:,|{SP}và){SP}{_FIELD_ITEM}", re.M)
# "3 sở gồm:", "16 sở, ban, ngành tỉnh gồm:": the fields listed after it are departments.
_A_COUNT = word_start_alternation([f"{digit}[0-9]*" for digit in "0123456789"] + ["các"], f"[{UP}{LOW}0-9]")  # [0-9]+|các
_COUNTED_DEPARTMENTS = re.compile(
    rf"{_A_COUNT}{SP}sở(?:[^\S\n]*,[^\S\n]*(?:ban|ngành))*(?:{SP}(?:tỉnh|thành{SP}phố))?"
    rf"[^.;:\n0-9]{{0,40}}?(?<![{UP}{LOW}])(?:bao{SP}gồm|gồm{SP}có|gồm|là)[^\S\n]*:?[^\S\n]*{_FIELD_ITEM}",
    re.M,
)

_COUNT_DIGITS = frozenset("0123456789")  # what _A_COUNT's numbers are made of


def _counts_before_departments(text: str) -> set[int]:
    """Where _COUNTED_DEPARTMENTS may match: at a count written before the blanks before a "sở" (str.find finds the
    few places where one is written; the pattern, tried at every number and every "các", would mostly fail)."""
    starts = set()
    for at in occurrences(text, ("sở",)):
        end = at
        while end > 0 and text[end - 1] != "\n" and text[end - 1].isspace():  # SP: blanks on one line
            end -= 1
        start = end
        while start > 0 and text[start - 1] in _COUNT_DIGITS:
            start -= 1
        if start < end < at:
            starts.add(start)
        elif end < at and text.endswith("các", 0, end):
            starts.add(end - 3)
    return starts


def _elided_departments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, field) of each department written without its "Sở" in a list."""
    out: list[tuple[int, int, str]] = []
    starts = [m.end() for m, body in upper_case_bodies(text).values() if body and _is_department(body.core)]
    for m in finditer_at(_COUNTED_DEPARTMENTS, _counts_before_departments(text), text):
        out.append((m.start("field"), m.end("field"), m.group("field")))
        starts.append(m.end())
    for pos in starts:
        first = True
        while (item := _NEXT_ELIDED.match(text, pos)) is not None and not (first and item.group(0).lstrip()[0] != ","):
            out.append((item.start("field"), item.end("field"), item.group("field")))
            pos, first = item.end(), False
    return out


def _add_elided_departments(text: str, context: ProvinceContext, found: dict) -> None:
    for start, end, field in _elided_departments(text):
        core = f"Sở {' '.join(field.split())}"
        province = context.resolve(start)
        key = _body_key(core, province)
        if key not in found:
            name = f"{core} {_written_province(text, context, province)}" if province else core
            found[key] = (name, [])
        found[key][1].append((start, end, RULE_ELIDED_DEPARTMENT))


@per_article()
def named_steering_committees(text: str) -> tuple[str, ...]:
    """The steering committees an article names with their remit, once each ("Ban Chỉ đạo tinh giản biên chế tỉnh")."""
    out: dict[str, str] = {}
    for _, body in upper_case_bodies(text).values():
        if body is not None and _is_steering(body.core) and not _is_bare_steering(body.core):
            out.setdefault(_KEY_LEVEL.sub("", canonical_core(body.core)), body.core)
    return tuple(out.values())


def _more_specific(name: str, than: str) -> bool:
    return _folded_words(name) > _folded_words(than)


@lru_cache(maxsize=4096)  # keyed by a body's name: the same few hundred recur across articles
def _folded_words(name: str) -> frozenset[str]:
    return frozenset(fold(name).split())


def _is_model_label(text: str, context: ProvinceContext, core: str, pos: int, owner: int | None) -> bool:
    """A body with no place that names a kind of body of every locality, not one body."""
    if _ends_local_level(core) and owner is None:
        return _ANY_HEAD_BEFORE.search(text, max(0, pos - 24), pos) is not None
    if _is_centre_without_level(core):
        s_start, _ = context.sentence(pos)
        return _EVERY_LOCALITY.search(text, s_start, pos) is not None
    return False


# A title's head before a body written in lower case: "Trưởng ban Tổ chức Tỉnh ủy", "Trưởng đoàn ĐBQH tỉnh"
# (a lower-case head is a model's title: "trưởng ban tuyên giáo đồng thời là giám đốc trung tâm...").
_HEAD_BEFORE_LOWER = re.compile(
    rf"(?:{'|'.join(SP.join((h[0].upper() + h[1:]).split()) for h in lexicon.title_heads('capitalised_before_lower_body'))})"
    rf"{SP}(?=[{LOW}])"
)


@per_article()  # people.py reads titles over the same bodies
def upper_case_bodies(text: str) -> dict[int, tuple[re.Match, BodyMention | None]]:
    """Every body written upper case in the text, by start offset, read once per article."""
    return {m.start(): (m, body_at(text, m)) for m in _upper_case_body_matches(text)}


def _body_matches(text: str) -> list[re.Match]:
    """Bodies in upper case anywhere; in lower case only right after a title's head (else they are generic)."""
    found = [m for m, _ in upper_case_bodies(text).values()]
    for head in _HEAD_BEFORE_LOWER.finditer(text):
        m = BODY_RE.match(text, head.end())
        if m and not ENDS_LOCAL_LEVEL.fullmatch(m.group(0)):
            found.append(m)
    # "Quốc hội" inside "đoàn đại biểu Quốc hội tỉnh" is part of that body: the earliest, then the longest wins.
    return non_overlapping(found, start=re.Match.start, end=re.Match.end)


_LEVEL_OF_COMMITTEE = {"huyện ủy": "huyện", "thị ủy": "thị xã", "quận ủy": "quận"}
_LOCAL_LEVEL_END = re.compile(rf"(?:{phrase('Huyện ủy')}|{phrase('Thị ủy')}|{phrase('Quận ủy')}|huyện|quận|thị xã|thị trấn|xã|phường)$")


@lru_cache(maxsize=4096)  # keyed by a body as written
def _local_level_of(core: str) -> str:
    """The local level a body's name ends with ("huyện" for "Huyện ủy", "xã"), "" if none."""
    end = _LOCAL_LEVEL_END.search(core)
    return _LEVEL_OF_COMMITTEE.get(end.group(0).lower(), end.group(0).lower()) if end else ""


_NAMED_LOCALITY = {
    level: re.compile(rf"(?<![{UP}{LOW}]){phrase(level)}{SP}({CAP}(?:{SP}{CAP}){{0,3}})")
    for level in ("huyện", "quận", "thị xã", "thị trấn", "xã", "phường")
}


def _local_place_in_sentence(text: str, context: ProvinceContext, core: str, pos: int, title_end: int = 0) -> str:
    """'Tại huyện Sìn Hồ, ông X, Chủ tịch UBND huyện...': the district the sentence names; else the one named later
    in the same person's titles ('Phó Bí thư Huyện ủy, Chủ tịch UBND huyện Hòa Vang')."""
    level = _local_level_of(core)
    if not level:
        return ""
    s_start, _ = context.sentence(pos)
    found = ""
    for m in _NAMED_LOCALITY[level].finditer(text, s_start, pos):
        found = _locality_name(m) or found
    if not found and title_end > pos:
        m = _NAMED_LOCALITY[level].search(text, pos, title_end)
        found = _locality_name(m) if m else ""
    return found


def _locality_name(m: re.Match) -> str:
    tokens = _CAP_TOKEN.findall(m.group(1))
    tokens = tokens[:next((i for i, t in enumerate(tokens) if t in NAME_BREAKERS), len(tokens))]
    split = split_run(tokens, after_level=True)
    n_place = split.place_end if split.name else len(tokens)
    return " ".join(tokens[:n_place])


def _merge_provinceless(
    found: dict[str, tuple[str, list[tuple[int, int, str]]]],
) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """A body with no province resolved is the same as the one body of its kind that has one."""
    by_core: dict[str, list[str]] = {}
    for key in found:
        by_core.setdefault(key.split("|")[0], []).append(key)
    out = []
    for key, (name, spans) in found.items():
        core, province = key.split("|")
        siblings = [k for k in by_core[core] if k != key]
        if not province and len(siblings) == 1:
            found[siblings[0]][1].extend(spans)
            continue
        out.append((name, spans))
    return out


def _owner(person_spans: SpanIndex[int], pos: int) -> int | None:
    return _owner_span(person_spans, pos)[0]


def _owner_span(person_spans: SpanIndex[int], pos: int) -> tuple[int | None, int]:
    """The person whose name and titles span pos, and where that span ends."""
    span = person_spans.containing(pos)
    return (span[2], span[1]) if span else (None, pos)


def _person_provinces(text: str, persons: list[Person], context: ProvinceContext) -> dict[int, str]:
    """Each person's province: named in one of their titles, else told by the sentence of their first title."""
    out: dict[int, str] = {}
    for i, person in enumerate(persons):
        if not person.roles:
            continue
        spans = [(e.start, e.end) for e in person.evidence if e.end - e.start > len(person.name) + 2]
        for s, e in spans:
            mention = text[s:e].replace(person.name, " ")
            pm = PROVINCE_RE.search(mention)
            if pm:
                out[i] = province_of(pm.group(0)) or pm.group(0)
                break
        else:
            for s, _ in spans:
                p = context.in_context(s)
                if p:
                    out[i] = p
                    break
    return out


def _written_province(text: str, context: ProvinceContext, province: str) -> str:
    for pm in context.mentions:
        if pm.name == province:
            return " ".join(text[pm.start:pm.end].split())  # "TP.HCM" as the article writes it
    return province
