"""Quantified results and targets of reform and development: "giảm 81 phòng, ban", "đạt 10,7%"."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from common import lexicon
from common.text import fold_chars, listed_class, longest_first, unchanged_by_upper, word_start_alternation
from schemas.extraction import Metric
from services.extract.engine.doc import Document
from services.extract.engine.legal_documents import reference_spans
from services.extract.engine.numbers import FRACTION_TAIL, NUMBER, is_year, parse_number
from services.extract.engine.rules import rule


def _alternation(phrases) -> str:
    """A regex alternation of phrases, longest first, spaces matching any blank."""
    return "|".join(_alternatives(phrases))


def _alternatives(phrases) -> list[str]:
    items = longest_first({p.strip() for p in phrases if p.strip()})
    return [re.escape(p).replace(r"\ ", r"\s+") for p in items]


# Verbs that govern a quantified result, as the genre writes them.
_ACTIONS = _alternation(lexicon.verbs_of_change())
# Words between the verb and the number that change nothing ("giảm được 301", "tăng thêm 2").
_FILLERS = _alternation(lexicon.phrases("verb_fillers.txt"))
_QUALIFIERS = dict(lexicon.rows("qualifiers.tsv"))
_QUALIFIER_ALTERNATION = _alternation(_QUALIFIERS)
_ACTION_BEFORE_PLAIN = (
    rf"(?<!\w)(?P<verb>{_ACTIONS})(?P<fillers>(?:\s+(?:{_FILLERS}))*)[\s:]*"
    rf"(?:(?P<qual>{_QUALIFIER_ALTERNATION})\s+)?$"
)
_WORD_CHARACTER = r"\w"
# Searched in the characters before every number: the verbs are grouped by first letter
# (text.word_start_alternation), so that at each character one group is tried, not every verb. The same matches as
# the plain form (kept for the test that holds them equal).
_ACTION_BEFORE = re.compile(
    rf"(?P<verb>{word_start_alternation(_alternatives(lexicon.verbs_of_change()), _WORD_CHARACTER)})"
    rf"(?P<fillers>(?:\s+(?:{_FILLERS}))*)[\s:]*(?:(?P<qual>{_QUALIFIER_ALTERNATION})\s+)?$",
    re.IGNORECASE,
)
_QUALIFIER_BEFORE = re.compile(rf"(?<!\w)(?P<qual>{_QUALIFIER_ALTERNATION})\s+$", re.IGNORECASE)


def _ending_with_one_of(words: set[str]) -> re.Pattern[str]:
    """A pattern for one of the words at the end, grouped by first character (one group tried at each place)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return re.compile("(?:" + "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items()) + ")$",
                      re.IGNORECASE)


# Every match of _ACTION_BEFORE ends, blanks and colons aside, with the last word of a verb, a filler or a
# qualifier: a text that ends otherwise (most of those before a number) is answered at once.
_ACTION_LAST_WORDS = {
    phrase.split()[-1] for phrase in (*lexicon.verbs_of_change(), *lexicon.phrases("verb_fillers.txt"), *_QUALIFIERS)
    if phrase.strip()
}
if any(word.endswith(":") for word in _ACTION_LAST_WORDS):
    raise ValueError("a verb, filler or qualifier ends with ':', which the look-up of the last word passes over")
_ACTION_TAIL = _ending_with_one_of(_ACTION_LAST_WORDS)
_ACTION_TAIL_REACH = max(map(len, _ACTION_LAST_WORDS))


def _action_before(text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
    """`_ACTION_BEFORE.search(text, pos, endpos)`, None at once when the text does not end as a match does."""
    end = len(text) if endpos is None else endpos
    while end > pos and (text[end - 1].isspace() or text[end - 1] == ":"):
        end -= 1
    if _ACTION_TAIL.search(text, max(pos, end - _ACTION_TAIL_REACH), end) is None:
        return None
    return _ACTION_BEFORE.search(text, pos, len(text) if endpos is None else endpos)


# Rank verbs: the number is a position, so "thứ" before it is not a meeting ordinal.
_RANK_VERBS = lexicon.verbs_of_change("rank")
# Verbs that say little by themselves: the counted thing must be a unit of reform or development.
_WEAK_VERBS = lexicon.verbs_of_change("weak")
# A clause that opens with its count: "8 huyện, thị xã đã thực hiện xong việc sáp nhập...".
_PREDICATE_AFTER = re.compile(
    # "22 đơn vị hành chính cấp huyện của hai tỉnh cũ kết thúc hoạt động": a short complement may come first.
    r"\s*(?:(?:của|ở|tại|thuộc|trên địa bàn)\s+[^,;.()…!?\n\d]{1,40}?\s+(?=(?:đã|đang|đều|sẽ|vẫn|cũng|được|bị|"
    rf"{_ACTIONS})(?!\w)))?"
    r"(?:(?:đã|đang|đều|sẽ|vẫn|cũng|hiện)\s+)*"
    r"(?P<pred>(?:(?:cơ bản|chưa|được|bị)\s+)?"
    # A colon opens what the predicate names ("7 cơ quan thành lập mới: Sở Tài chính, ..."): not part of it.
    rf"(?:{_ACTIONS}|thực hiện|triển khai|hoàn thành|đạt chuẩn|công nhận)(?!\w)[^,;:.()…!?\n]*)",
    re.IGNORECASE,
)


def _predicate_words(predicate: re.Match[str]) -> list[str]:
    """The predicate's words, without a last "gồm" that only announces a list ("... sắp xếp gồm: ...")."""
    words = predicate.group("pred").split()
    if words and words[-1].lower() == "gồm":
        words = words[:-2] if len(words) > 1 and words[-2].lower() == "bao" else words[:-1]
    return words or predicate.group("pred").split()


# What may open a clause before a leading count ("Đến nay, toàn tỉnh có ...").
_CLAUSE_OPENING = re.compile(
    r"^[\s,:(\-–]*(?:(?:đến nay|hiện nay|hiện tại|trong đó|theo đó|riêng|ngoài ra|bên cạnh đó|cụ thể|"
    r"đặc biệt|qua đó|tính đến nay|như vậy|toàn tỉnh|cả tỉnh|toàn huyện|năm \d{4}|trong năm \d{4}|đồng thời|"
    r"đến cuối năm \d{4}|đến năm \d{4}|tổng số|tổng cộng)[\s,:]*)*$",
    re.IGNORECASE,
)
_COORDINATION_BEFORE = re.compile(r"(?:,|và|cùng|;|:|(?<!\w)trong đó|(?<!\w)riêng)\s*$", re.IGNORECASE)

# Words right before a number that make it a name, an ordinal, a date part or a reference.
_NOT_A_QUANTITY_BEFORE = re.compile(
    r"(?<!\w)(?:(?<!tổng )(?<!Tổng )số|thứ|lần|lần thứ|khóa|khoá|trung ương|(?-i:T\.Ư|TƯ|TW)|"
    r"ngày|tháng|năm|quý|giai đoạn|điều|khoản|"
    r"chương|mục|phần|hội nghị|đại hội|kỳ họp|phiên|thôn|xóm|ấp|bản|tổ|khu|khu phố|phường|quận|đường|lô|"
    r"tầng|phòng số|covid|hotline|quốc lộ|ql|tỉnh lộ|tuyến|điện thoại|đt|fax|top|nhóm|mã|tập|kỳ|"
    r"chiều|sáng|trưa|tối|đêm|hôm|lúc|hạng|cấp độ|mức độ)\s*$",
    re.IGNORECASE,
)
_DURATION_AFTER = re.compile(
    r"\s*(?:năm|tháng|tuần|quý|nhiệm kỳ|thập kỷ|thế kỷ|buổi|tiếng|ngày|giờ|phút)(?!\w)", re.IGNORECASE
)
_PROCESSING_TIME_VERBS = lexicon.verbs_of_change("processing_time")
_LISTED_COUNT_BEFORE = re.compile(r"(?:[(,]|(?<!\w)(?:gồm|và))\s*$")
_CODE_AFTER = re.compile(r"\s?[-–/]\s?[A-ZĐ]")
_TIME_AFTER = re.compile(r"\s?[:hg]\s?\d")
# "4/10 huyện" is four of ten; "9/3" and "25/10/2017" are dates.
# "giảm thiểu 15-20%", "cắt giảm từ 5-50%": a range whose ends share the unit after the upper one.
_RANGE_TAIL = re.compile(r"\s?[-–]\s?(?P<upper>\d+(?:,\d+)?)(?=\s?%|\s+[^\W\d_])")
_FULL_DATE_AFTER = re.compile(r"(?:/\d{1,2}/\d{2,4}|-\d{1,2}-\d{4})(?![\d.,])")
_DATE_AFTER = re.compile(r"/\d{1,2}(?:/\d{2,4})?(?![\d\w])")
_ONE_OF = re.compile(r"\s*trong\s+(?:số\s+)?(?:những|các|\d)", re.IGNORECASE)
_FROM_TO = re.compile(r"(?<!\w)từ\s+$", re.IGNORECASE)
_TO_LATER = re.compile(r"(?:xuống|lên|còn|đến|tới)\s+(?:còn\s+)?\d", re.IGNORECASE)
_ATTENDANCE = re.compile(
    r"(?<!\w)(?:tham dự|về dự|dự hội nghị|dự buổi|dự lễ|đến dự|tham gia hội nghị)(?!\w)", re.IGNORECASE
)

# Things that are counted in reform and development reports, for the weak verbs and unit continuation.
_UNIT_NOUNS = lexicon.phrases("units.txt")
_UNIT_NOUN_START = re.compile(rf"\s*(?:{_alternation(_UNIT_NOUNS)})(?!\w)", re.IGNORECASE)
_NON_METRIC_HEADS = re.compile(
    r"(?:đại biểu|điểm cầu|khách mời|đồng chí|ý kiến|câu hỏi|trang|bài|bài viết|lượt truy cập|lượt xem|"
    r"tiết mục|suất quà|phần quà|nội dung|vấn đề|giải pháp|bước|phương châm|nguyên tắc|chức năng|"
    r"công việc|lĩnh vực|mặt|khâu|yếu tố|đột phá|nhóm giải pháp|lần|cả nước)(?!\w)",
    re.IGNORECASE,
)
# Measures that say how much but not of what; the measured quantity is read from the subject.
_MEASURE_WORDS = lexicon.words("measure_words.txt")
_UNIT_STOP = re.compile(
    r"(?:so với|đối với|trong đó|cơ bản|đồng thời|theo quy định|theo hướng|nhằm|để|đã|đang|được|sẽ|là|với|"
    r"hiện (?:nay|đang|có|các|tại|là)|thực hiện|triển khai|"
    r"nhưng|song|tuy nhiên|do|vì|khi|nên|thì|mà|từ|xuống|lên|sau|trước|bằng|chiếm|gồm|bao gồm|của|cùng|"
    r"trên tổng số|tại hội nghị|trong năm|năm \d|giai đoạn|đạt|tăng|giảm|góp phần|đều|chưa|vẫn|cũng|"
    r"nhiều|bình quân mỗi|mỗi năm)(?!\w)|thành(?=\s+(?:\d|các|một|những))",
    re.IGNORECASE,
)
_UNIT_TOKEN = re.compile(r"\s*([^\s,;:.()…!?\"“”\[\]]+|[,;:.()…!?\"“”\[\]])")
_MAX_UNIT_WORDS = 12
_VERB_WINDOW = 50  # characters before a number searched for its verb, fillers and qualifier
# Characters before a verb read for what is counted or measured ("số đơn vị sự nghiệp ... giảm"): a
# bound, so that a clause with a thousand numbers costs a thousand windows, not a thousand clauses.
_PREFIX_WINDOW = 300
_COORDINATION_TAIL = 12  # "trong đó" and its spaces
_RECENT_UNITS = 20
_MAX_EVIDENCE = 10  # a figure repeated more often than this gains nothing from more sentences
_DIGIT = re.compile(listed_class(r"\d"))  # a bitmap look-up per character, not the Unicode category
_PERCENT = re.compile(r"\s?%")
_MANY = re.compile(r"\s*nhiều(?!\w)")
_MEASURE_SPLIT = re.compile(r"[\s/]+")
_GROUP_OF_PROVINCES = re.compile(r"(?:tỉnh|thành phố|địa phương)(?!\w)", re.IGNORECASE)
_MAX_SUBJECT_WORDS = 10
_LETTER_RUN = re.compile(r"[^\W\d_]{2,}")
_MAX_DESCRIPTION_WORDS = 8
_ESTIMATE_BEFORE_VERB = re.compile(r"(?<!\w)(?:ước|ước tính|dự kiến|khoảng)\s+$", re.IGNORECASE)
_QUALIFIER_THEN_NUMBER = re.compile(rf"(?:{_QUALIFIER_ALTERNATION})\s+\d", re.IGNORECASE)
_SUBJECT_CUT = re.compile(
    r"(?:\d|(?<!\w)(?:năm|giai đoạn|của|toàn tỉnh|cả tỉnh|luôn|đã|đều|vẫn|liên tục|tiếp tục|ước|cả năm|"
    r"trong|so với|hiện|dự kiến|trên địa bàn (?:tỉnh|huyện|thành phố|thị xã|xã)|tại)(?!\w)"
    r"|(?<!\w)(?:tỉnh|thành phố|huyện)(?:\s+[A-ZĐ]|\s*$))"
)
_SUBJECT_OPENING = re.compile(
    r"^(?:trong đó|theo đó|riêng|đến nay|hiện nay|cụ thể|đặc biệt|tính chung|nhìn chung|năm \d{4})[\s,:]*",
    re.IGNORECASE,
)
_LEVELS = (
    (re.compile(r"cấp tỉnh(?!\w)", re.I), "tinh"),
    (re.compile(r"cấp huyện(?!\w)", re.I), "huyen"),
    (re.compile(r"cấp xã(?!\w)", re.I), "xa"),
    (re.compile(r"(?:cấp thôn|thôn, tổ dân phố|thôn, bản|thôn, xóm|tổ dân phố)(?!\w)", re.I), "thon"),
)
_HEAD_LEVELS = (
    (re.compile(r"^(?:thôn|tổ dân phố|xóm|ấp|bản|khu phố)(?!\w)", re.I), "thon"),
    (re.compile(r"^(?:xã|phường|thị trấn)(?!\w)", re.I), "xa"),
    (re.compile(r"^(?:huyện|quận|thị xã)(?!\w)", re.I), "huyen"),
    (re.compile(r"^tỉnh(?!\w)", re.I), "tinh"),
)
# (not after "TP." or "TX.", which name a city or a town: "TP. Quảng Ngãi có 3 phường")
_CLAUSE_BREAK_PLAIN = r";|…|\.\.\.|\n|(?<=[.!?])(?<!TP\.)(?<!Tp\.)(?<!TX\.)\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])"
# The same breaks found from the punctuation they follow, so that the regex engine skips ahead to the few
# characters a break can follow (a pattern that opens with a look-behind is tried at every character): a
# sentence's end is matched from its mark, the break being the blanks after it ("after_stop"); "..." takes the
# blanks of a sentence end after it too, one break where the plain form finds two that touch. The same clauses as
# the plain form (kept for the test that holds them equal).
_CLAUSE_BREAK = re.compile(
    r"[;…\n.!?](?:(?<=[;…\n])"
    r"|(?<=\.)\.\.(?:\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9]))?"
    r"|(?<!TP\.)(?<!Tp\.)(?<!TX\.)(?P<after_stop>\s+)(?=[\"“(]?[A-ZĐÀ-Ỹ0-9]))"
)
_SENTENCE_BREAK = frozenset({"…", "...", "\n", ""})
_FURNITURE_LINE = re.compile(
    r"^\s*(?:hotline|điện thoại|email|e-mail|fax|lượt truy cập|trực tuyến|bản quyền|©|copyright|giấy phép|"
    r"địa chỉ|tổng biên tập|cơ quan chủ quản)\b",
    re.IGNORECASE,
)



class _Clause(NamedTuple):  # a tuple: built for every clause of the article, it is made faster than a frozen dataclass
    start: int
    end: int
    opens_sentence: bool


@dataclass
class _Context:
    """What the previous metrics of the sentence leave to an elliptical one ("... và 1.875 người ở thôn")."""

    action: str | None = None
    unit: str | None = None
    in_clause: int = 0
    units: list[str] = field(default_factory=list)


def find_metrics(doc: Document) -> list[Metric]:
    text = doc.text
    excluded = reference_spans(text)
    excluded_starts = [s for s, _ in excluded]
    after_places = _counts_after_listed_places(doc)
    counted_after_place = set(after_places)
    found: list[Metric] = list(after_places.values())
    for line_start, line in _lines(text):
        # The line's numbers, read by one scan (a line without a number has no metric, a table row included).
        numbers = list(NUMBER.finditer(text, line_start, line_start + len(line)))
        if not numbers or _FURNITURE_LINE.match(line) or _is_shouting(line):
            continue
        row = _TABLE_ROW.match(line) if "|" in line else None  # the bar test keeps paragraphs off the regex
        if row:
            found.extend(_table_row_metrics(doc, row, line_start))
            continue
        context = _Context()
        for clause, inside in _clauses_with_numbers(line, line_start, numbers):
            if clause.opens_sentence:
                context = _Context()
            context.in_clause = 0
            for m in inside:
                if _in_spans(m.start(), excluded, excluded_starts):
                    continue
                for metric in _read_metric(doc, clause, m, context) if m.start() not in counted_after_place else ():
                    found.append(metric)
                    context.action, context.unit = metric.action, metric.unit
                    context.units.append(metric.unit)
                    context.in_clause += 1
    metrics = _fold_headline_restatements(_deduplicate(found), text.find("\n"))
    doc.record("metrics", metrics)
    return metrics


RULE_COUNT_AFTER_PLACE = rule(
    "metric.count_after_place", "metrics", "a district in a list with the count of its communes: \"Bình Sơn 5 xã\"",
    examples=("Sau sắp xếp, các huyện: Tân Lạc 5 xã; Yên Thủy 4 xã và Lạc Sơn 8 xã.",),
    counterexamples=("Sau sắp xếp, các huyện Tân Lạc và Yên Thủy có nhiều xã.",),
)
_COUNT_OF_COMMUNES = re.compile(r" (?P<num>\d{1,3}) (?P<unit>xã|phường|thị trấn)(?!\w)")
_LEVEL_WORD_FIRST = re.compile(r"(?:(huyện|quận|thị xã|Huyện|Quận|Thị xã)\s*:?\s*)?(.*)", re.S)
_LIST_LEVEL_BEFORE = re.compile(r"(?<!\w)(huyện|quận|thị xã)\s*:[^\n]*$")


def _counts_after_listed_places(doc: Document) -> dict[int, Metric]:
    """Metrics of "các huyện: Bình Sơn 5 xã; Sơn Tịnh 4 xã" by their number's offset: the count right after a
    district that the places found."""
    text, out = doc.text, {}
    for span in doc.spans_of("locations"):
        count = _COUNT_OF_COMMUNES.match(text, span.end)
        if count is None:
            continue
        written = _LEVEL_WORD_FIRST.match(text[span.start:span.end])
        head = _LIST_LEVEL_BEFORE.search(text, max(0, span.start - 200), span.start)
        level = written.group(1) if written.group(1) else head.group(1) if head else "huyện"
        place = f"{level.lower()} {written.group(2)}"
        unit = f"{count.group('unit')}{_OF_LOCALITY}{place}"
        out[count.start("num")] = Metric(
            action="có", value=float(count.group("num")), unit=unit, qualifier="exact", level=_level(unit),
            text=text[span.start:count.end()], evidence=[doc.evidence(span.start, count.end(), RULE_COUNT_AFTER_PLACE)],
        )
    return out


def _fold_headline_restatements(found: list[Metric], title_end: int) -> list[Metric]:
    """ "Tinh giản 312 biên chế" (headline) and "tinh giản 312 người" (body) are one figure: a headline
    metric whose value and verb the body repeats joins the body's, whatever noun each uses. Only the
    headline is folded so that two body figures that happen to share a value ("giảm 60 đơn vị sự
    nghiệp", "giảm 60 cấp trưởng") stay two."""
    if title_end < 0:
        return found
    in_title = [all(ev.start < title_end for ev in m.evidence) for m in found]
    in_body = {(m.action, round(m.value, 9)) for m, headline in zip(found, in_title) if not headline}
    return [m for m, headline in zip(found, in_title) if not (headline and (m.action, round(m.value, 9)) in in_body)]


# "Phòng thuộc sở | 152 | 118 | 34": a table flattened to text, one row a line, the figures between bars.
_TABLE_ROW = re.compile(r"^(?P<label>[^|\d]*[^\W\d_][^|]*?)\s*(?P<cells>(?:\|\s*\d[\d.,]*\s*%?\s*){2,3})$")


def _table_row_metrics(doc: Document, row: re.Match, line_start: int) -> list[Metric]:
    """A before/after row is read from its figures alone, since the header is furniture to the cleaner:
    two figures are the start and the result; a third is kept only when it is their difference, which
    shows the row is a before/after/change row and not three unrelated columns."""
    cells = [c.strip() for c in row.group("cells").split("|") if c.strip()]
    values = [parse_number(c.rstrip("% ").strip()) for c in cells]
    if any(v is None for v in values):
        return []
    label = row.group("label").strip(" :-–")
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        label = label[0].lower() + label[1:]
    unit = f"% {label}" if cells[0].endswith("%") else label
    first, second = values[0], values[1]
    actions = [("từ", first), ("còn" if second <= first else "lên", second)]
    if len(values) == 3:
        change = values[2]
        if abs(first - second - change) < 1e-6:
            actions.append(("giảm", change))
        elif abs(second - first - change) < 1e-6:
            actions.append(("tăng", change))
        else:
            return []
    start, end = line_start + row.start(), line_start + row.end()
    return [
        Metric(action=a, value=v, unit=unit, qualifier="exact", level=_level(unit),
               text=doc.text[start:end], evidence=[doc.evidence(start, end, RULE_TABLE_ROW)])
        for a, v in actions
    ]


# --- the rules that read a number as a metric ---------------------------------------------------

RULE_VERB_BEFORE = rule(
    "metric.verb_before", "metrics", "a verb of change, fillers and a qualifier right before the number",
    examples=("Tỉnh đã giảm được khoảng 118 lãnh đạo cấp phòng.", "Năm 2024, tỉnh tinh giản 312 biên chế."),
    counterexamples=("Đến nay, 8 huyện đã thực hiện xong việc sáp nhập.",),
)
RULE_VERB_BEFORE_FROM = rule(
    "metric.verb_before_from", "metrics", "a move from one figure to another, its verb before \"từ\"",
    examples=("Số thôn giảm từ 1.475 xuống còn 1.241 thôn.",),
    counterexamples=("Tỉnh giảm 12 phòng.",),
)
RULE_OWN_PREDICATE = rule(
    "metric.own_predicate", "metrics", "a count opening its clause, the verb after what it counts",
    examples=("Đến nay, 8 huyện đã thực hiện xong việc sáp nhập.",),
    counterexamples=("Tỉnh đã giảm 12 phòng.",),
)
RULE_INHERITED_VERB = rule(
    "metric.inherited_verb", "metrics", "a count in a list after a verb that governs the whole list",
    examples=("Tỉnh đã giảm được 301 người hoạt động không chuyên trách cấp xã và 1.875 người ở thôn.",),
    counterexamples=("Tỉnh có 301 người và 1.875 người dự hội nghị.",),
)
RULE_BRACKETED_SHARE = rule(
    "metric.bracketed_share", "metrics", "a share in brackets restating the count just before it",
    examples=("Tỉnh đã giảm 6.714 đơn vị (khoảng 66,91%).",),
    counterexamples=("Tỉnh đã giảm 6.714 đơn vị (ảnh).",),
)
RULE_BREAKDOWN = rule(
    "metric.breakdown", "metrics", "the first count of a bracketed breakdown: \"129 đơn vị (115 xã, 9 phường)\"",
    examples=("Tỉnh sắp xếp 129 đơn vị hành chính cấp xã (115 xã, 09 phường, 05 thị trấn) thành 45 đơn vị.",),
    counterexamples=("Tỉnh có diện tích 5.100 km2 (115 năm thành lập).",),
)
RULE_TOTAL_STATED = rule(
    "metric.total_stated", "metrics", "a total stated with \"là\": \"tổng số xã thực hiện sắp xếp là 80 xã\"",
    examples=("Theo kế hoạch, tổng số đơn vị hành chính cấp xã thực hiện sắp xếp của tỉnh là 80 xã.",),
    counterexamples=("Ông là 1 trong 3 người được khen.",),
)
RULE_RANGE = rule(
    "metric.range", "metrics", "the upper end of a range, a metric of its own: \"giảm thiểu 15-20%\"",
    examples=("Tỉnh phấn đấu giảm thiểu 15-20% tổ chức bộ máy bên trong.",),
    counterexamples=("Tỉnh giảm 15% tổ chức bộ máy bên trong.",),
)
RULE_TABLE_ROW = rule(
    "metric.table_row", "metrics", "a before/after row of a table flattened to text, figures between bars",
    examples=("Bảng tổng hợp\nPhòng thuộc sở | 152 | 118 | 34",),
    counterexamples=("Bảng tổng hợp\nPhòng thuộc sở | 152 | 118 | 7",),
)

# Filters: what makes a number not a metric. Each is tried in order on the reading so far.
RULE_NOT_CODE_OR_YEAR = rule(
    "metric.not.code_or_year", "metrics", "a telephone number, a code, a clock time or a bare year",
    examples=("Đường dây nóng 0912 345 678 giảm tải.", "Năm 2015 tỉnh giảm biên chế.", "Lúc 8h30 giảm 2 lần."),
    counterexamples=("Tỉnh giảm 12 phòng.",), kind="filter",
)
RULE_NOT_DATE = rule(
    "metric.not.date", "metrics", "a date written with slashes (\"9/3\"), unless a count noun follows (\"4/10 huyện\")",
    examples=("Ngày 25/10/2017 tỉnh giảm biên chế.",), counterexamples=("Tỉnh có 4/10 huyện đạt chuẩn nông thôn mới.",),
    kind="filter",
)
RULE_NOT_A_QUANTITY = rule(
    "metric.not.a_quantity", "metrics", "a name, an ordinal or a reference: \"số 3\", \"lần thứ 2\", \"khóa XV\"",
    examples=("Thôn 3 đã sáp nhập vào thôn 4.", "Đến nay, khóa 15 đã hoàn thành nhiệm vụ."),
    counterexamples=("Đến nay, 3 thôn đã sáp nhập.",), kind="filter",
)
RULE_NOT_ONE_OF = rule(
    "metric.not.one_of", "metrics", "\"1 trong những giải pháp\": a figure of speech",
    examples=("Giảm 1 trong những thủ tục.",), counterexamples=("Giảm 1 thủ tục trong năm.",), kind="filter",
)
RULE_NOT_DURATION = rule(
    "metric.not.duration", "metrics", "a duration (\"sau hơn 6 năm\"), unless a processing time is cut",
    examples=("Tỉnh tăng 2 năm liền.",), counterexamples=("Thời gian giải quyết giảm còn 3 ngày.",), kind="filter",
)
RULE_NOT_A_STANDARD_SHARE = rule(
    "metric.not.share_of_a_standard", "metrics", "a size as a share of the standard: \"đạt 489,47% so với quy định\"",
    examples=("Xã mới có diện tích 48,9 km2, đạt 489,47% so với quy định.",),
    counterexamples=("Tỉnh giảm 115 đơn vị, đạt tỷ lệ 67,65% so với trước sắp xếp.",), kind="filter",
)
RULE_NOT_BARE_MEASURE = rule(
    "metric.not.bare_measure", "metrics", "a share of nothing the sentence names",
    examples=("Hồi tháng 8, có 98.371 cử tri đồng ý (đạt tỉ lệ 98,53%).",),
    counterexamples=("Tỉnh giảm 115 đơn vị hành chính cấp xã, đạt tỉ lệ 67,65%.",), kind="filter",
)
RULE_NOT_NAMED_UNITS = rule(
    "metric.not.named_units", "metrics", "a count of the units it names, and merging \"thành 1\": the merger's form",
    examples=("Quốc hội hợp nhất 3 tỉnh Hà Nam, tỉnh Ninh Bình và tỉnh Nam Định thành 1 tỉnh.",),
    counterexamples=("Tỉnh sáp nhập 12 xã thành 5 xã mới.",), kind="filter",
)
RULE_NOT_COUNTABLE = rule(
    "metric.not.countable", "metrics", "what is counted is no unit of reform or development",
    examples=("Hội nghị có 200 đại biểu tham dự.",), counterexamples=("Tỉnh có 200 cán bộ dôi dư.",), kind="filter",
)


@dataclass
class _Reading:
    """What is known of a number while the steps read it."""

    clause: _Clause
    value: float
    start: int
    end: int
    window_start: int
    before: str
    action_match: re.Match | None
    action: str | None
    qualifier_word: str | None
    number_start: int
    rule: str = RULE_VERB_BEFORE
    measure: str = ""
    unit: str = ""
    unit_end: int = 0
    bracketed_share: bool = False
    later: re.Match | None = None
    upper: float | None = None  # the upper end of a range ("15-20%"), a metric of its own

    @property
    def verb_start(self) -> int:
        return self.window_start + self.action_match.start() if self.action_match else self.number_start


def _read_metric(doc: Document, clause: _Clause, m: re.Match, context: _Context) -> tuple[Metric, ...]:
    """The metrics a number reads as: none, one, or two for a range ("15-20%")."""
    text = doc.text
    reading = _read_number(text, clause, m)
    if reading is None or _dropped_by(_FILTERS_BEFORE_UNIT, text, reading):
        return ()
    _read_move(text, reading)
    _read_unit(text, reading, context)
    if reading.action is None:
        found = _action_without_verb(
            text, clause, reading.number_start, reading.unit_end, bool(reading.unit or reading.measure), context
        ) or _opens_a_breakdown(text, clause, reading) or _total_stated(text, clause, reading)
        if found is None:
            return ()
        reading.action, reading.rule = found
    for adjust in _UNIT_ADJUSTMENTS:
        adjust(text, reading, context)
    if _dropped_by(_FILTERS_AFTER_UNIT, text, reading):
        return ()
    for refine in _UNIT_REFINEMENTS:
        refine(text, reading, context)
    unit = _full_unit(text, reading, context)
    if not unit or unit == "%":
        return ()  # RULE_NOT_BARE_MEASURE: "đạt tỉ lệ 98,53%" of nothing the text names
    span_start = reading.verb_start if reading.action_match else reading.start
    span_end = max(reading.unit_end, reading.end)
    metric = Metric(
        action=reading.action,
        value=reading.value,
        unit=unit,
        qualifier=_qualifier(
            reading.qualifier_word, reading.before[: reading.action_match.start()] if reading.action_match else ""
        ),
        level=_level(unit),
        text=text[span_start:span_end].strip(),
        evidence=[doc.evidence(span_start, span_end, reading.rule)],
    )
    if reading.upper is None:
        return (metric,)
    upper = metric.model_copy(update={"value": reading.upper, "evidence": [doc.evidence(span_start, span_end, RULE_RANGE)]})
    return metric, upper


def _read_number(text: str, clause: _Clause, m: re.Match) -> _Reading | None:
    """The number, its verb, fillers and qualifier; None for a code, a year or a date (read here, before the
    verb is looked for, since most numbers of a page are those)."""
    token = m.group("num")
    start, end = m.span()
    if _is_code_or_year(text, clause, token, end):
        return None  # RULE_NOT_CODE_OR_YEAR
    value = parse_number(token)
    if value is None:
        return None
    if _FULL_DATE_AFTER.match(text, end, clause.end):
        return None  # RULE_NOT_DATE: "28/04/2025"
    fraction = FRACTION_TAIL.match(text, end, clause.end)
    if fraction:
        if not _UNIT_NOUN_START.match(text, fraction.end(), clause.end):
            return None  # RULE_NOT_DATE: "9/3", "25/10/2017", unless a count noun follows ("4/10 huyện")
        end = fraction.end()
    upper = None
    if not fraction and (span := _RANGE_TAIL.match(text, end, clause.end)):
        upper, end = parse_number(span.group("upper")), span.end("upper")  # "15-20%": both ends, one reading
    window_start = max(clause.start, start - _VERB_WINDOW)
    before = text[window_start:start]
    action_match = _action_before(before)
    qualifier_match = (
        action_match if action_match and action_match.group("qual")
        else _QUALIFIER_BEFORE.search(before, max(0, len(before) - 15))
    )
    qualifier_word = qualifier_match.group("qual") if qualifier_match else None
    number_start = window_start + (qualifier_match.start("qual") if qualifier_word else len(before))
    return _Reading(
        clause, value, start, end, window_start, before, action_match,
        _action_name(action_match) if action_match else None, qualifier_word, number_start, upper=upper,
    )


def _is_code_or_year(text: str, clause: _Clause, token: str, end: int) -> bool:
    # Telephone numbers and codes start with a zero; bare years are dates, not quantities. A count of two digits
    # in a list may be written with one too ("(115 xã, 09 phường, 05 thị trấn)").
    zero_led = len(token) > 1 and token[0] == "0" and token[1].isdigit()
    if zero_led and not (len(token) == 2 and _LISTED_COUNT_BEFORE.search(text, max(clause.start, end - 6), end - 2)):
        return True
    if is_year(token):
        return True
    return bool(_CODE_AFTER.match(text, end, clause.end) or _TIME_AFTER.match(text, end, clause.end))


# --- filters: each a named rule and a test on the reading so far -------------------------------------


def _names_no_quantity(text: str, r: _Reading) -> bool:
    before_number = text[r.window_start:r.number_start]
    tail = max(0, len(before_number) - 20)
    return r.action not in _RANK_VERBS and _NOT_A_QUANTITY_BEFORE.search(before_number, tail) is not None


def _is_one_of(text: str, r: _Reading) -> bool:
    return _ONE_OF.match(text, r.end, r.clause.end) is not None


def _is_duration(text: str, r: _Reading) -> bool:
    processing_time = r.action in _PROCESSING_TIME_VERBS and not r.measure
    return _DURATION_AFTER.match(text, r.end, r.clause.end) is not None and not processing_time


def _is_share_of_a_standard(text: str, r: _Reading) -> bool:
    if r.action not in ("đạt", "đạt mức"):
        return False  # "cắt giảm 5-50% so với quy định" is a result; "đạt 489% so với quy định" a size
    percent = _PERCENT.match(text, r.end, r.clause.end)
    return percent is not None and _AGAINST_A_STANDARD.match(text, percent.end(), r.clause.end) is not None


def _restates_named_units(text: str, r: _Reading) -> bool:
    # "hợp nhất 3 tỉnh Hà Nam, tỉnh Ninh Bình và tỉnh Nam Định thành 1 tỉnh": the count only introduces the units
    # it names, and "thành 1 tỉnh" is the form of the merger, not a result.
    return bool(_NAMED_UNIT.match(r.unit)) or (r.value == 1 and r.action == "thành" and not r.measure)


def _is_not_countable(text: str, r: _Reading) -> bool:
    return not _is_countable(text, r.clause, r.value, r.action, r.measure, r.unit, r.unit_end, r.end)


_FILTERS_BEFORE_UNIT = ((RULE_NOT_A_QUANTITY, _names_no_quantity), (RULE_NOT_ONE_OF, _is_one_of))
_FILTERS_AFTER_UNIT = (
    (RULE_NOT_DURATION, _is_duration), (RULE_NOT_A_STANDARD_SHARE, _is_share_of_a_standard),
    (RULE_NOT_NAMED_UNITS, _restates_named_units), (RULE_NOT_COUNTABLE, _is_not_countable),
)
_NAMED_UNIT = re.compile(r"(?:tỉnh|huyện|quận|thị xã|xã|phường|thị trấn|thành phố)\s+[A-ZĐ][a-zà-ỹđ]")
# "đạt 489,47% so với quy định": a unit's size measured against the standard, a description, not a result.
_AGAINST_A_STANDARD = re.compile(r"\s*so\s+với\s+(?:quy\s+định|tiêu\s+chuẩn)(?!\w)", re.IGNORECASE)


def _dropped_by(filters: tuple, text: str, r: _Reading) -> str | None:
    """The id of the first filter that drops the reading, if any."""
    return next((rule_id for rule_id, drops in filters if drops(text, r)), None)


# --- reading steps ---------------------------------------------------------------------------------


def _read_move(text: str, r: _Reading) -> None:
    """ "giảm từ 25 xuống còn 20": the starting count is kept beside the result, as the scope the reform
    worked on (the annotation policy lists both); what it counts is read after the result if need be."""
    before_number = text[r.window_start:r.number_start]
    from_value = _FROM_TO.search(before_number, max(0, len(before_number) - 6))
    r.later = _TO_LATER.search(text, r.end, r.clause.end) if from_value else None
    if r.later and r.action_match is None:
        # The verb stands before "từ": "giảm từ 128 xuống 114", "tăng từ 78% lên 86,4%".
        r.action_match = _action_before(before_number, 0, from_value.start())
        r.action = _action_name(r.action_match) if r.action_match else None
        r.rule = RULE_VERB_BEFORE_FROM


def _read_unit(text: str, r: _Reading, context: _Context) -> None:
    clause = r.clause
    unit_start = r.end
    percent = _PERCENT.match(text, r.end, clause.end)
    if percent:
        r.measure, unit_start = "%", percent.end()
    r.unit, r.unit_end = _unit_after(text, unit_start, clause.end, as_subject=r.action is None)
    if r.later and not r.unit:
        # "từ 128 xuống 114 đơn vị": the starting count is of what the result counts.
        result = NUMBER.match(text, r.later.end() - 1, clause.end)
        if result:
            after_result = _PERCENT.match(text, result.end(), clause.end)
            r.unit, _ = _unit_after(text, after_result.end() if after_result else result.end(), clause.end)
    # "giảm 6.714 đơn vị (khoảng 66,91%)": a bracketed share restates the count just before it.
    r.bracketed_share = bool(
        r.action is None and r.measure and context.action and context.unit and context.in_clause
        and _OPEN_BRACKET_BEFORE.search(text, max(clause.start, r.number_start - 3), r.number_start)
    )
    if r.bracketed_share:
        r.action, r.rule = context.action, RULE_BRACKETED_SHARE


def _ranked_thing(text: str, r: _Reading, context: _Context) -> None:
    if r.action in _POSITION_VERBS:
        # "đứng thứ 2 về Chỉ số CCHC": the ranked thing follows "về"; "xếp thứ 45/63 tỉnh" ranks the subject.
        if r.unit.lower().startswith("về "):
            r.unit = r.unit[3:]
        elif r.unit.lower() in _NOT_A_UNIT_AFTER_RANK or _GROUP_OF_PROVINCES.match(r.unit):
            r.unit = ""
    elif r.action in _RANK_VERBS and r.unit.lower() in _NOT_A_UNIT_AFTER_RANK:
        r.unit = ""


def _counted_before_verb(text: str, r: _Reading, context: _Context) -> None:
    if not r.measure and (not r.unit or r.unit.lower() in _GENERIC_HEADS):
        # "số thôn, tổ dân phố của tỉnh giảm từ 1.475 xuống còn 1.241", "giảm 29 đơn vị":
        # what is counted was named before the verb.
        counted = _counted_subject(text[max(r.clause.start, r.verb_start - _PREFIX_WINDOW):r.verb_start])
        if counted:
            r.unit = counted


# What the unit is once the verb is known, before the filters that read it.
_UNIT_ADJUSTMENTS = (_ranked_thing, _counted_before_verb)


def _described_generic_head(text: str, r: _Reading, context: _Context) -> None:
    if r.unit.lower() in _GENERIC_HEADS and not r.measure:
        # "1.870 người được điều động từ cấp tỉnh", "55 người là lãnh đạo cấp phòng": the bare head
        # says nothing; what the counted did or are says who they are ("30 đơn vị thành 11 đơn vị" is a result).
        described = _DESCRIBED_BY.match(text, r.unit_end, r.clause.end) or _PREDICATE_AFTER.match(
            text, r.unit_end, r.clause.end
        )
        if described and not _A_DIGIT_IN.search(described.group("pred")):
            r.unit = " ".join([r.unit] + _predicate_words(described)[:_MAX_DESCRIPTION_WORDS])


def _described_after_co(text: str, r: _Reading, context: _Context) -> None:
    if r.action == "có" and r.unit:
        # "có 5/9 huyện đạt chuẩn nông thôn mới": what the counted things did says which ones they are
        # ("có 17 đơn vị gồm 16 xã ..." goes on to a breakdown, not a description).
        described = _PREDICATE_AFTER.match(text, r.unit_end, r.clause.end)
        if described and not _BREAKDOWN_VERB.match(described.group("pred")):
            r.unit = " ".join([r.unit] + _predicate_words(described)[:_MAX_DESCRIPTION_WORDS])


def _elliptical(text: str, r: _Reading, context: _Context) -> None:
    if context.unit and not r.measure:
        r.unit = _expand_elliptical(r.unit, context.unit)


def _same_kind_as_before(text: str, r: _Reading, context: _Context) -> None:
    if r.unit.lower() == "đơn vị" and context.units:
        # "có 102 đơn vị hành chính cấp xã, gồm 88 xã và 14 phường, giảm 146 đơn vị": the same kind as before.
        recent = context.units[-_RECENT_UNITS:]
        kinds = (u.split(_OF_LOCALITY)[0] for u in reversed(recent))
        r.unit = next((u for u in kinds if u.lower().startswith(r.unit.lower() + " ") or u.startswith("ĐVHC ")), r.unit)
    if r.unit.lower() in _GENERIC_HEADS and not r.measure:
        # "từ 121 đơn vị hành chính cấp xã giảm còn 45 đơn vị": a count earlier in the clause, no metric itself,
        # named the kind in full.
        r.unit = _named_earlier_in_clause(text, r) or r.unit


def _named_earlier_in_clause(text: str, r: _Reading) -> str | None:
    head = r.unit.lower() + " "
    named = None
    for m in NUMBER.finditer(text, r.clause.start, r.number_start):
        unit, _ = _unit_after(text, m.end(), r.number_start)
        if unit.lower().startswith(head):
            named = unit
    return named


def _members_of_a_body(text: str, r: _Reading, context: _Context) -> None:
    if r.unit.lower() == "người" and r.action == "có" and not r.measure:
        # "Ban Thường vụ Tỉnh ủy (mới) có 19 người": the members of the body the clause opens with.
        segment = re.split(r"[,;:]", text[max(r.clause.start, r.verb_start - _PREFIX_WINDOW):r.verb_start])[-1].strip()
        if _BODY_SUBJECT.match(segment) and len(segment.split()) <= _MAX_SUBJECT_WORDS:
            r.unit = f"người trong {segment}"


def _units_of_a_breakdown(text: str, r: _Reading, context: _Context) -> None:
    if r.unit.lower() == "đơn vị" and not r.measure:
        # "còn 32 đơn vị (16 phường và 16 xã)": the breakdown says which level's units are counted.
        items = _BREAKDOWN_AFTER.match(text, r.unit_end, r.clause.end)
        if items:
            level = "cấp huyện" if items.group(1).lower() in ("huyện", "quận", "thị xã") else "cấp xã"
            r.unit = f"{r.unit} hành chính {level}"


def _generic_head_by_action(text: str, r: _Reading, context: _Context) -> None:
    if (r.unit.lower() in _GENERIC_HEADS and not r.measure and r.action not in _WEAK_VERBS
            and r.action not in _AMOUNT_VERBS):
        r.unit = f"{r.unit} {r.action}"  # "giải quyết chế độ cho 5.408 người": who they are is what was done


# Verbs that say how many there are or how many were cut, not who they are: "còn 45 đơn vị" is no "đơn vị còn",
# "cắt giảm 10.700 người" no "người cắt giảm". With the actions composed from them ("giảm xuống", "tăng lên": see
# _action_name) and a total stated with "là".
_AMOUNT_VERBS = lexicon.verbs_of_change("amount") | {"giảm xuống", "tăng lên", "là"}
_A_DIGIT_IN = re.compile(r"\d")


def _restated_share(text: str, r: _Reading, context: _Context) -> None:
    if r.measure and not r.unit and (r.action in _RESTATING_VERBS or r.bracketed_share) and context.unit:
        # "giảm 3.080 biên chế, tương đương 11,2%": the share restates the count just before it; after a
        # breakdown ("56 đơn vị (gồm 6 phường, 49 xã), đạt tỉ lệ 31,3%"), the count the breakdown details.
        counted = context.unit
        if _BREAKDOWN_ITEM.fullmatch(counted):
            counted = next((u for u in reversed(context.units) if not _BREAKDOWN_ITEM.fullmatch(u)), counted)
        r.unit = _measured_before(counted)


# "huyện Văn Lãng có 17 đơn vị hành chính cấp xã": the district (or city, town) the clause is about.
_DISTRICT_NAMED = re.compile(
    r"(?<!\w)(?P<level>[Hh]uyện|[Qq]uận|[Tt]hị xã|[Tt]hành phố|TP\.?|TX\.?)\s*(?P<name>[A-ZĐ][^\W\d_]*(?: [A-ZĐ][^\W\d_]*){0,3})"
)
_OF_LOCALITY = " của "
_OF_BEFORE = re.compile(r"(?<!\w)của\s+$")
# What a district has, keeps or is made of: "có 17 đơn vị", "còn 5 đơn vị", "gồm 16 xã và 1 thị trấn".
_HOLDING_VERBS = frozenset({"có", "còn", "gồm", "bao gồm", "hiện có"})
_ADMIN_UNIT_HEAD = re.compile(r"(?:đơn vị hành chính|ĐVHC|đơn vị|xã|phường|thị trấn|đặc khu|huyện|quận|thị xã)(?!\w)", re.I)


def _of_named_district(text: str, r: _Reading, context: _Context) -> None:
    """Counts of communes or districts that a clause gives for one district carry its name, so that equal
    counts of two districts stay two figures ("huyện A có 17 đơn vị ...; huyện B có 17 đơn vị ...")."""
    if r.measure or _OF_LOCALITY in r.unit or not _ADMIN_UNIT_HEAD.match(r.unit) or r.action not in _HOLDING_VERBS:
        return
    window_start = max(r.clause.start, r.number_start - _PREFIX_WINDOW)
    nearest = list(_DISTRICT_NAMED.finditer(text, window_start, r.number_start))
    named = nearest[-1] if nearest else None
    # "số xã của huyện A giảm từ 18 xuống còn 11": the district already qualifies the count it is the subject of
    if named is not None and not _OF_BEFORE.search(text, max(0, named.start() - 5), named.start()):
        level = named.group("level").rstrip(".")
        r.unit = f"{r.unit}{_OF_LOCALITY}{level[0].lower() + level[1:] if level[1:].islower() else level} {named.group('name')}"


# What a bare or generic unit is refined by, in order.
_UNIT_REFINEMENTS = (
    _units_of_a_breakdown, _members_of_a_body, _described_generic_head, _described_after_co, _elliptical, _same_kind_as_before,
    _generic_head_by_action,
    _restated_share, _of_named_district,
)


def _full_unit(text: str, r: _Reading, context: _Context) -> str:
    """The measure and the unit; for a bare measure, what it measures, read from the subject."""
    full_unit = " ".join(x for x in (r.measure, r.unit) if x)
    measured = _MEASURED_IN_FILLERS.search(r.action_match.group("fillers")) if r.action_match and r.measure else None
    if measured and _is_measure(full_unit):
        full_unit = f"{full_unit} {measured.group(0)}"  # "cắt giảm thời gian giải quyết từ 5-50%"
    if not full_unit or _is_measure(full_unit):
        subject = _subject_before(text[max(r.clause.start, r.verb_start - _PREFIX_WINDOW):r.verb_start])
        if not subject and ("%" in full_unit or "phần trăm" in full_unit or r.action in _POSITION_VERBS):
            subject = _measured_before(context.unit)
        full_unit = " ".join(x for x in (full_unit, subject) if x)
    return full_unit


def _qualifier(word: str | None, before_verb: str) -> str:
    if word:
        return _QUALIFIERS.get(" ".join(word.lower().split()), "exact")
    # "ước đạt 120 tỷ đồng", "dự kiến giảm 30 xã": an estimate, said before the verb.
    return "about" if _ESTIMATE_BEFORE_VERB.search(before_verb) else "exact"


def _action_name(match: re.Match) -> str:
    """The governing verb; "giảm còn 2,75%" is a level reached ("còn"), "tăng lên 215" a rise to a level."""
    verb = " ".join(match.group("verb").lower().split()).removesuffix(" của")  # "kết thúc hoạt động của"
    fillers = match.group("fillers").lower().split()
    if "còn" in fillers:
        return "còn"
    for direction in ("xuống", "lên"):
        if direction in fillers and verb != direction:
            return f"{verb} {direction}"
    return verb


_OPEN_BRACKET_BEFORE = re.compile(r"\(\s*$")
_MEASURED_IN_FILLERS = re.compile(r"thời\s+gian\s+giải\s+quyết", re.IGNORECASE)
_CAPITAL_NEXT = re.compile(r"\s*[A-ZĐÀ-Ỹ]")  # "71 người, Ban Thường vụ ... có 19 người": a new subject, not a noun
_BODY_SUBJECT = re.compile(r"(?:Ban|Ủy ban|Hội đồng|Đoàn|Tỉnh ủy|Thành ủy|Huyện ủy|Đảng ủy|HĐND|UBND)(?!\w)")
_BREAKDOWN_AFTER = re.compile(
    r"\s*\(\s*(?:gồm(?:\s+có)?\s*:?\s*)?\d+\s+(xã|phường|thị trấn|đặc khu|huyện|quận|thị xã)(?!\w)", re.IGNORECASE
)
_BREAKDOWN_VERB = re.compile(r"(?:bao\s+)?gồm(?!\w)", re.IGNORECASE)
_BREAKDOWN_ITEM = re.compile(r"(?:xã|phường|thị trấn|đặc khu|huyện|quận|thị xã|thành phố)(?: của .*)?", re.IGNORECASE)
_RESTATING_VERBS = lexicon.verbs_of_change("restating")
_POSITION_VERBS = lexicon.verbs_of_change("position")
_NOT_A_UNIT_AFTER_RANK = frozenset({"", "cả nước", "toàn quốc", "trong cả nước", "khu vực", "trong khu vực"})


# "(115 xã, 09 phường, 05 thị trấn)": a count opening a bracketed list of counts details the count before it.
_NEXT_COUNT = re.compile(r"\s*(?:,|và)\s*\d")
_BRACKET_OPENING = re.compile(r"\(\s*(?:gồm(?:\s+có)?\s*:?\s*)?$", re.IGNORECASE)


def _opens_a_breakdown(text: str, clause: _Clause, r: _Reading) -> tuple[str, str] | None:
    if r.measure or not _BREAKDOWN_ITEM.fullmatch(r.unit):
        return None
    if not _BRACKET_OPENING.search(text, max(clause.start, r.number_start - 12), r.number_start):
        return None
    return ("gồm", RULE_BREAKDOWN) if _NEXT_COUNT.match(text, r.unit_end, clause.end) else None


# "tổng số đơn vị hành chính cấp xã thực hiện sắp xếp ... là 80 xã": a total stated with "là".
_IS_BEFORE = re.compile(r"(?<!\w)là\s+$")
_TOTAL_SUBJECT = re.compile(r"(?<!\w)(?:[Tt]ổng số|[Tt]ổng cộng)(?!\w)")


def _total_stated(text: str, clause: _Clause, r: _Reading) -> tuple[str, str] | None:
    if not r.unit or not _IS_BEFORE.search(text, max(clause.start, r.number_start - 6), r.number_start):
        return None
    if not _TOTAL_SUBJECT.search(text, max(clause.start, r.number_start - _PREFIX_WINDOW), r.number_start):
        return None
    return "là", RULE_TOTAL_STATED


def _action_without_verb(
    text: str, clause: _Clause, number_start: int, unit_end: int, has_unit: bool, context: _Context
) -> tuple[str, str] | None:
    """The action of a number no verb precedes: its own predicate, or the verb its list inherits."""
    # Only a short opening can be all opening words; only the opening's last words can coordinate.
    at_clause_start = (
        number_start - clause.start <= _PREFIX_WINDOW
        and bool(_CLAUSE_OPENING.match(text[clause.start:number_start]))
    )
    tail = text[max(clause.start, number_start - _PREFIX_WINDOW):number_start]
    coordinated = bool(_COORDINATION_BEFORE.search(tail, max(0, len(tail.rstrip()) - _COORDINATION_TAIL)))
    predicate = _PREDICATE_AFTER.match(text, unit_end, clause.end)
    if (at_clause_start or coordinated) and predicate and has_unit:
        return " ".join(_predicate_words(predicate)[:8]), RULE_OWN_PREDICATE
    # "giảm được 301 người ... và 1.875 người", "toàn tỉnh đã giảm: 3 sở; 81 phòng": the verb carries over.
    if context.action and (at_clause_start or (coordinated and context.in_clause)):
        return context.action, RULE_INHERITED_VERB
    return None


def _is_countable(
    text: str, clause: _Clause, value: float, action: str, measure: str, unit: str, unit_end: int, end: int
) -> bool:
    if _NON_METRIC_HEADS.match(unit):
        return False
    if value == 1 and _MANY.match(text, unit_end, clause.end):
        return False  # "1 phòng nhiều chức năng": a principle, not a count
    head = unit.split()[:1]
    people = head and head[0].lower() in {"người", "cán", "đảng", "đồng"}
    if people and _ATTENDANCE.search(text, end, clause.end):
        return False  # people attending a meeting
    if action in _WEAK_VERBS and not (measure or _UNIT_NOUN_START.match(unit) or _is_measure(unit)):
        return False
    return bool(unit or measure or action in _RANK_VERBS)


def _unit_after(text: str, pos: int, limit: int, *, as_subject: bool = False) -> tuple[str, int]:
    """The noun phrase after a number, as written: "phòng, ban, chi cục và tương đương cấp tỉnh".

    A count that opens its clause is the subject, so "có" after it starts the predicate
    ("100% xã có bộ phận một cửa"); after a verb it is part of the unit ("5 tỉnh có số thu cao nhất").
    """
    words: list[str] = []
    unit_end = pos
    previous = ""
    while pos < limit and len(words) < _MAX_UNIT_WORDS:
        m = _UNIT_TOKEN.match(text, pos, limit)
        if not m:
            break
        token = m.group(1)
        token_start = m.start(1)
        if token == ",":
            # A comma continues the unit only into another counted noun ("thôn, tổ dân phố").
            if words and _UNIT_NOUN_START.match(text, m.end(), limit) and not _CAPITAL_NEXT.match(text, m.end(), limit):
                words.append(",")
                pos = m.end()
                continue
            break
        if len(token) == 1 and not token.isalnum() and token not in "%":
            break
        if token[0].isdigit():
            break
        stop = _UNIT_STOP.match(text, token_start, limit)
        if words and stop and previous.lower() not in {"phải", "cần", "diện", "bị"}:
            break
        if not words and stop and token.lower() not in {"lãnh", "cán", "phó"}:
            break
        if as_subject and words and (
            token.lower() == "có"
            or token.lower() != "cấp" and _ACTION_START.match(text, token_start, limit)
            and not _UNIT_NOUN_START.match(text, token_start, limit)  # "tỉnh, thành phố": a noun, not "thành"
        ):
            break  # a count opening its clause: the verb starts the predicate ("2.400 người nghỉ việc")
        if words and _QUALIFIER_THEN_NUMBER.match(text, token_start, limit):
            break  # "12 cán bộ dưới 35 tuổi": the qualifier belongs to the next number
        if token.lower() in {"và", "hoặc"}:
            following = _UNIT_TOKEN.match(text, m.end(), limit)
            next_is_new_item = following and (
                following.group(1)[0].isdigit() or _ACTION_START.match(text, following.start(1), limit)
            )
            if not following or next_is_new_item:
                break
        words.append(token)
        previous = token
        unit_end = m.end()
        pos = m.end()
    while words and words[-1].lower() in {"và", "hoặc", ",", "các", "của", "cho", "ở", "tại"}:
        words.pop()
    unit = " ".join(words).replace(" ,", ",")
    return unit, unit_end


_ACTION_START = re.compile(rf"(?:{_ACTIONS})(?!\w)", re.IGNORECASE)


def _expand_elliptical(unit: str, previous: str) -> str:
    """ "1.875 người ở thôn" after "301 người hoạt động không chuyên trách cấp xã": the same kind of people."""
    head, _, rest = unit.partition(" ")
    prev_head, _, prev_rest = previous.partition(" ")
    if not rest or head.lower() != prev_head.lower() or not re.match(r"(?:ở|tại|cấp)(?!\w)", rest):
        return unit
    descriptor = re.split(r"\s(?:ở|tại|cấp)\s", " " + prev_rest + " ", maxsplit=1)[0].strip()
    return " ".join(x for x in (head, descriptor, rest) if x)


# Heads that do not say what they count unless the sentence names it elsewhere.
_GENERIC_HEADS = frozenset({"đơn vị", "người", "trường hợp"})
_DESCRIBED_BY = re.compile(r"\s+(?P<pred>là\s+[^,;.()…!?\n]+)", re.IGNORECASE)
_COUNTED = re.compile(r"(?<!\w)(?:tổng\s+)?số(?:\s+lượng)?\s+(?P<noun>[^;:()]{1,80})", re.IGNORECASE)
_COUNTED_CUT = re.compile(
    r"\s+(?:của|trên địa bàn|toàn|ở|tại|đã|đều|sẽ|được|giảm|tăng|từ|còn|xuống|lên|hiện|năm|sau|trước)(?!\w)|\s*\d",
    re.IGNORECASE,
)


def _counted_subject(prefix: str) -> str:
    """ "số đơn vị sự nghiệp công lập của tỉnh giảm" → "đơn vị sự nghiệp công lập"."""
    starts = [m.start() for m in re.finditer(r"(?<!\w)(?:tổng\s+)?số(?!\w)", prefix, re.IGNORECASE)]
    for s in reversed(starts):
        m = _COUNTED.match(prefix, s)
        if not m:
            continue
        noun = m.group("noun")
        cut = _COUNTED_CUT.search(noun)
        noun = noun[: cut.start()] if cut else noun
        first, *others = noun.split(",")
        for other in others:  # "số thôn, tổ dân phố": a comma goes on only into another counted noun
            if not _UNIT_NOUN_START.match(other):
                break
            first += "," + other
        noun = first.strip(" ,")
        if not noun or not _UNIT_NOUN_START.match(noun) or len(noun.split()) > _MAX_SUBJECT_WORDS:
            continue
        return noun
    return ""


_FROM_TAIL = re.compile(rf"(?:\s+(?:{_ACTIONS}))?\s+từ\s*$", re.IGNORECASE)
# Every match ends with a blank, "từ" and blanks: searched only in a text that ends so (most do not), since the
# regex engine tries the verbs at every blank of the text.
_FROM_TAIL_END = re.compile(r"\stừ\s*$", re.IGNORECASE)


def _without_from_tail(text: str) -> str:
    """`_FROM_TAIL.sub("", text)`."""
    if _FROM_TAIL_END.search(text, max(0, len(text.rstrip()) - 3)) is None:
        return text
    return _FROM_TAIL.sub("", text)


# A subject never ends on these: what is left before them is a clause cut at its count, not a noun phrase.
_NO_SUBJECT_END = frozenset({"từ", "với", "và", "là", "còn", "xuống", "lên", "thì", "mà"})


def _subject_before(prefix: str) -> str:
    """What a bare measure measures: "thu nhập bình quân" in "thu nhập bình quân đạt 80 triệu đồng"."""
    depth_cut = prefix.rfind("(")
    if depth_cut > prefix.rfind(")"):
        prefix = prefix[depth_cut + 1:]
    segments = re.split(r"[,:;]", prefix)
    while len(segments) > 1 and _DIGIT.search(segments[-1]) and not _LETTER_RUN.search(segments[-1]):
        segments.pop()  # "ở mức độ 3, 4 chiếm 12,4%": a list of numbers is not the subject's end
    prefix = segments[-1].strip()
    prefix = _SUBJECT_OPENING.sub("", prefix)
    cut = _SUBJECT_CUT.search(prefix)
    if cut:
        prefix = prefix[: cut.start()]
    # "tỷ lệ đạt chuẩn tăng từ 71% lên 85%": the result's subject ends before the move's verb and "từ".
    prefix = _without_from_tail(prefix)
    words = prefix.split()[:_MAX_SUBJECT_WORDS]
    if not words or words[-1].lower() in _NO_SUBJECT_END:
        return ""  # "từ 121 xã giảm còn 45 xã với tỷ lệ giảm 62,8%": the clause's words before its first count
    if len(words[0]) > 1 and words[0][0].isupper() and words[0][1:].islower():
        words[0] = words[0].lower()
    return " ".join(words).strip(" -–")


def _measured_before(previous_unit: str | None) -> str:
    """ "tinh giản 1.512 biên chế, đạt 10,3%": a bare share in a sentence measures the count before it."""
    if not previous_unit:
        return ""
    words = previous_unit.split()
    while words and words[0].lower() in _MEASURE_WORDS:
        words.pop(0)
    return " ".join(words)


def _is_measure(unit: str) -> bool:
    parts = _MEASURE_SPLIT.split(unit.lower())
    return bool(unit) and all(p in _MEASURE_WORDS for p in parts if p)


def _level(unit: str) -> str | None:
    for pattern, level in _LEVELS:
        if pattern.search(unit):
            return level
    for pattern, level in _HEAD_LEVELS:
        if pattern.match(unit):
            return level
    return None


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _clauses(line: str, offset: int):
    """Clauses of a paragraph: split at ";" (a list goes on) and at sentence ends (it does not)."""
    pos = 0
    opens = True
    for m in _CLAUSE_BREAK.finditer(line):
        start = m.start() if m.group("after_stop") is None else m.start("after_stop")
        if start > pos:
            yield _Clause(offset + pos, offset + start, opens)
        opens = m.group(0) != ";"
        pos = m.end()
    if pos < len(line):
        yield _Clause(offset + pos, offset + len(line), opens)


def _clauses_with_numbers(line: str, offset: int, numbers: list[re.Match]):
    """Each clause of a line with the numbers found in it, given the line's numbers. No number spans a clause break
    (a number is digits with single "." or "," between them; a break is blanks, ";", "…" or "..."), and what ends a
    number at a clause's end (no letter, or "." or "," then a digit, after it) holds alike before the break: the
    numbers found in the line are those found clause by clause. The clauses after the last number are not read:
    they have no metric."""
    k = 0
    for clause in _clauses(line, offset):
        if k == len(numbers):
            return
        inside = []
        while k < len(numbers) and numbers[k].start() < clause.end:
            if numbers[k].start() >= clause.start:
                inside.append(numbers[k])
            k += 1
        yield clause, inside


_SHOUTED_WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _is_shouting(line: str) -> bool:
    # Site menus and footers are set in capitals ("CHÍNH QUYỀN ĐIỆN TỬ"); article sentences are not.
    return unchanged_by_upper(line) and _SHOUTED_WORDS.search(line) is not None


def _in_spans(offset: int, spans: tuple[tuple[int, int], ...], starts: list[int]) -> bool:
    i = bisect_right(starts, offset) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _deduplicate(found: list[Metric]) -> list[Metric]:
    """A figure reported twice (lead and body, or a caption) is one metric; keep its fullest unit."""
    kept: list[Metric] = []
    index: dict[tuple, int] = {}
    for metric in found:
        key = _identity(metric)
        twin = index.get(key)
        if twin is None:
            index[key] = len(kept)
            kept.append(metric)
            continue
        old = kept[twin]
        richer = metric if len(metric.unit) > len(old.unit) else old
        evidence = old.evidence if len(old.evidence) >= _MAX_EVIDENCE else old.evidence + metric.evidence
        kept[twin] = richer.model_copy(update={"evidence": evidence})
    return kept


def _identity(metric: Metric) -> tuple:
    if _OF_LOCALITY in metric.unit and _DISTRICT_NAMED.search(metric.unit):
        return round(metric.value, 6), metric.level, fold_chars(metric.unit.split(_OF_LOCALITY, 1)[1])
    if metric.unit.startswith("%"):
        # "giảm 66,43%" (lead) and "giảm 66,43% số đơn vị hành chính cấp xã" (body): one share, however worded
        return round(metric.value, 6), metric.action, "%"
    if metric.action in _HOLDING_VERBS:
        # "trong đó có 1 đặc khu" and "(gồm ... 1 đặc khu)": what a unit has and what it is made of are one figure
        metric = metric.model_copy(update={"action": "có"})
    if metric.level and metric.value > 1:
        # "giảm 8 huyện" (headline) and "giảm 8 đơn vị hành chính cấp huyện" (body) are one figure; the wards and
        # the communes of one breakdown ("16 phường và 16 xã") are two.
        head = metric.unit.split(" ", 1)[0].lower()
        return round(metric.value, 6), metric.action, metric.level, head if head in ("phường", "xã") else ""
    # Folding keeps blanks blanks and others not (one character in, one out): the first two words folded are the
    # first two of the folded unit, without folding the rest.
    return round(metric.value, 6), metric.action, tuple(fold_chars(word) for word in metric.unit.split()[:2])
