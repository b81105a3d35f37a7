"""Legal and Party documents an article refers to: resolutions, conclusions, directives, schemes, laws..."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from common.text import UPPER, finditer_from, fold, listed_class
from schemas.extraction import LegalDocument
from services.extract.engine.doc import Document, SpanIndex
from services.extract.engine.memo import per_article
from services.extract.engine.rules import rule

# Longest names first, so "Chương trình hành động" wins over "Chương trình".
_KIND_BY_NAME: dict[str, str] = {
    "nghị quyết liên tịch": "nghi_quyet",
    "nghị quyết": "nghi_quyet",
    "kết luận": "ket_luan",
    "chỉ thị": "chi_thi",
    "quyết định": "quyet_dinh",
    "chương trình hành động": "chuong_trinh",
    "chương trình": "chuong_trinh",
    "đề án": "de_an",
    "kế hoạch": "ke_hoach",
    "luật": "luat",
    "nghị định": "nghi_dinh",
    "thông tư liên tịch": "thong_tu",
    "thông tư": "thong_tu",
    "thông báo kết luận": "thong_bao",
    "thông báo": "thong_bao",
    "hướng dẫn": "huong_dan",
    "quy định": "quy_dinh",
}
# Short forms reporters use before a number ("NQ 18", "QĐ số 290"); upper case only.
_KIND_BY_ABBREVIATION = {"NQ": "nghi_quyet", "KL": "ket_luan", "QĐ": "quyet_dinh", "NĐ": "nghi_dinh"}
# The document-type letters inside a symbol ("18-NQ/TW", "107/2020/NĐ-CP", "47/2019/QH14").
_KIND_BY_SYMBOL = {
    "NQ": "nghi_quyet", "NQLT": "nghi_quyet", "KL": "ket_luan", "CT": "chi_thi", "QĐ": "quyet_dinh",
    "QĐi": "quy_dinh", "CTr": "chuong_trinh", "ĐA": "de_an", "KH": "ke_hoach", "QH": "luat",
    "NĐ": "nghi_dinh", "TT": "thong_tu", "TTLT": "thong_tu", "TB": "thong_bao", "HD": "huong_dan",
}

_UPPER = UPPER
_LETTER = _UPPER + "a-zđ"
# Party symbols: number, dash, type letters, slash, issuer ("18-NQ/TW", "30¬-CTr/TU", "01 - KL/TW").
# A stray non-word character before the dash is a known artefact of the outlets' editors.
_PARTY_SYMBOL = (
    rf"\d{{1,5}}[^\w\s/\-–]?\s?[-–]\s?[{_UPPER}][{_LETTER}]{{0,5}}"
    rf"\s?/\s?[{_UPPER}][{_LETTER}0-9]{{0,12}}"
)
# State symbols: number, optional year, type letters and issuer ("107/2020/NĐ-CP", "1234/QĐ-UBND").
_STATE_SYMBOL = (
    rf"\d{{1,5}}\s?/\s?(?:\d{{4}}\s?/\s?)?[{_UPPER}][{_LETTER}0-9]{{0,9}}"
    rf"(?:\s?[-–]\s?[{_UPPER}][{_LETTER}0-9]{{0,12}}){{0,3}}"
)
_SYMBOL = rf"(?:{_PARTY_SYMBOL}|{_STATE_SYMBOL})(?![\w/])"
# A bare number, possibly "18/19" (two documents) or "18/2021" (number and year, no symbol).
_BARE_NUMBER = r"\d{1,5}(?:/(?:\d{4}|\d{1,2}))?(?![\w/]|[.,]\d)"
_ITEM = rf"(?:{_SYMBOL}|{_BARE_NUMBER})"


def _after_first_digit(symbol: str) -> str:
    """A symbol's pattern without the first of the 1 to 5 digits it opens with."""
    opening = r"\d{1,5}"
    if not symbol.startswith(opening):
        raise ValueError(f"a symbol pattern opens with {opening}: {symbol[:20]}")
    return r"\d{0,4}" + symbol[len(opening):]


def literal_trie(phrases: list[str]) -> str:
    """An alternation of literal phrases shaped as a character trie (few branches tried per position).

    Optional tails are greedy, so "Chương trình hành động" wins over "Chương trình"; a space matches
    any run of blanks.
    """
    end = ""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: dict) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        if len(branches) == 1 and end not in node:
            return branches[0]
        return f"(?:{'|'.join(branches)})" + ("?" if end in node else "")

    return emit(trie)


# "Nghị quyết", "nghị quyết" and "Nghị Quyết"; whether a lower-case name counts is decided per mention. The name
# written before the number decides the kind even when the symbol is misprinted ("Nghị Quyết số 60-KL/TW").
# The names and the short forms make one trie, so the pattern opens with literal letters the regex engine can skip
# ahead to (a name and a short form differ by their second letter: one of them at most is written at a place).
_NAMES = sorted({v for n in _KIND_BY_NAME for v in (n, n[0].upper() + n[1:], n.title())})
_REFERENCE = re.compile(
    rf"(?P<kind>{literal_trie(_NAMES + list(_KIND_BY_ABBREVIATION))})"
    rf"\s+(?P<so>(?i:số)\s*)?(?P<first>{_ITEM})"
    rf"(?P<more>(?:\s?(?:,|và|&)\s?(?:số\s?)?{_ITEM})*)"
)
_MORE_ITEM = re.compile(rf"(?:số\s?)?(?P<item>{_ITEM})")
# Both symbols open with `\d{1,5}`: one digit taken first (then `\d{0,4}`, the same match) leads the pattern with a
# digit, which the regex engine skips ahead to instead of trying both branches at every character (a listed class:
# one bitmap look-up per character, where `\d` reads each one's Unicode category).
_FIRST_DIGIT = listed_class(r"\d")
_LONE_SYMBOL = re.compile(
    rf"(?P<item>{_FIRST_DIGIT}(?:{_after_first_digit(_PARTY_SYMBOL)}|{_after_first_digit(_STATE_SYMBOL)}))(?![\w/])"
)
_SYMBOL_ONLY = re.compile(rf"{_SYMBOL}")
# After a bare number (no "số", no symbol) these words mean a count or a time, not a document
# ("Kế hoạch 5 năm", "Chương trình 3 nội dung").
_COUNT_WORD_AFTER = re.compile(
    r"\s*(?:%|năm|tháng|tuần|quý|giờ|phút|lần|người|cán bộ|đơn vị|xã|huyện|tỉnh|nội dung|nhiệm vụ|"
    r"giải pháp|mục tiêu|chỉ tiêu|tiêu chí|điểm|vấn đề|nhóm|lĩnh vực|dự án|tỷ|triệu|nghìn|ngàn|đồng|"
    r"ngày(?!\s*\d))(?!\w)",
    re.IGNORECASE,
)
_QUOTED_TITLE_AFTER = re.compile(r"\s?,?\s?(?:về\s)?[\"“«]([^\"”»\n]{3,300})[\"”»]")
# A scheme named without a number: `Đề án "Title"` or `Đề án sáp nhập các thôn...` (capital Đ;
# "các đề án" and a lower-case "đề án" are generic).
_NAMED_SCHEME = re.compile(
    r"Đề án\s+"
    r"(?:[\"“«](?P<quoted>[^\"”»\n]{3,300})[\"”»]|(?P<plain>[^\W\d][^,.;:()\"“”«»\n…]{2,200}))"
)
# A law named by its title: "Luật Tổ chức chính quyền địa phương". "pháp luật", "Luật sư" are not.
_NAMED_LAW = re.compile(
    r"Luật\s+(?!sư\b|gia\b|số\b)"
    rf"(?P<plain>[{_UPPER}][^,.;:()\"“”«»\n…]{{2,120}})"
)
# An act named by its subject instead of a number: "Nghị quyết về việc sáp nhập, đổi tên thôn",
# "Quyết định của Ban Chấp hành Trung ương Đảng về việc thành lập Đảng bộ tỉnh". A lower-case name counts
# only as the object of its passing or issue ("vừa thông qua nghị quyết về sắp xếp ..."): elsewhere it is generic.
_ACT_NAMES = (
    "Nghị quyết", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch", "Nghị định", "Thông tư", "Quy định", "Hướng dẫn",
)
_PASSED_NAMES = ("nghị quyết", "quyết định")
_ISSUED_NAMES = ("nghị quyết", "quyết định", "chỉ thị", "kế hoạch")
_GUIDING_NAMES = ("Thông tư", "Nghị định")
_NAMED_ACT = re.compile(
    r"(?=[NQCKTHnqck])"  # every branch opens with one of these: most positions fail at once
    rf"(?:(?:(?P<capital>{'|'.join(_ACT_NAMES)})"
    rf"|(?<=thông qua )(?P<lower>{'|'.join(_PASSED_NAMES)})|(?<=ban hành )(?P<issued>{'|'.join(_ISSUED_NAMES)}))"
    rf"(?:\s+của\s+[{_UPPER}][^,.;:()\n]{{2,80}}?)?\s+về\s+(?:việc\s+)?"
    r"(?P<plain>[^\W\d][^.;:()\"“”«»\n…]{2,200})"
    # A circular or decree is also named by what it guides: "Thông tư hướng dẫn chức năng, nhiệm vụ của ...".
    rf"|(?P<guiding>{'|'.join(_GUIDING_NAMES)})\s+(?P<guided>hướng dẫn\s+[^\W\d][^.;:()\"“”«»\n…]{{2,200}}))"
)
# Where a match of _NAMED_ACT can start: at one of its names (see `finditer_from`).
_NAMED_ACT_STARTS = re.compile(literal_trie(sorted({*_ACT_NAMES, *_PASSED_NAMES, *_ISSUED_NAMES, *_GUIDING_NAMES})))
# Written in lower case, a document is named by the reform it carries: "đề án sắp xếp đơn vị hành chính cấp xã",
# "vừa ban hành kế hoạch triển khai mô hình ...", "quyết định thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy" (not
# "quyết định thành lập 6 đơn vị": a count of decisions).
_REFORM_OBJECT = r"(?:sắp xếp|sáp nhập|hợp nhất|tinh gọn|thành lập|giải thể|kiện toàn)"
_LOWER_NAMED = re.compile(
    r"(?=[đkq])(?<!\w)(?:(?P<scheme>đề án)\s+(?:của\s+[^,.;:()\n]{2,60}?\s+)?"
    r"(?P<scheme_title>" + _REFORM_OBJECT + r"(?:,\s+" + _REFORM_OBJECT + r")?[^,.;:()\"“”«»\n…]{2,200})"
    r"|(?:(?<=ban hành )|(?<=phê duyệt )|(?<=thông qua ))(?P<act>kế hoạch|quyết định)\s+"
    r"(?P<act_title>(?!(?:\S+\s+){1,3}\d)(?:triển khai|thực hiện|" + _REFORM_OBJECT[3:-1] + r")[^,.;:()\"“”«»\n…]{2,200})"
    rf"|(?P<founding>quyết định)\s+(?P<founding_title>thành lập\s+[{_UPPER}][^,.;:()\"“”«»\n…]{{2,200}}))"
)
# Where a match of _LOWER_NAMED can start: at the name each of its branches opens with.
_LOWER_NAMED_STARTS = re.compile(literal_trie(["kế hoạch", "quyết định", "đề án"]))
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*)$")
_GENERIC_BEFORE_SCHEME = re.compile(r"(?:[Cc]ác|[Nn]hững)\s$")
_NOT_A_LAW_BEFORE = re.compile(r"(?:[Pp]háp|[Kk]ỷ)\s$")
_TITLE_STOP = re.compile(
    r"\s(?:năm \d|số \d|ngày \d|của (?:Ban|Bộ|Tỉnh|Thành|Huyện|HĐND|UBND|Chính|Quốc|Thủ)|đã |được |"
    r"đang |sẽ |và (?:Luật|Nghị|Đề)|theo |tại |để |nhằm |thì |mà )"
)
# Words that show a capitalised "Đề án" is referring back, not naming a scheme.
_NOT_A_TITLE_START = frozenset(
    "này đó nói nêu trên đã đang được sẽ và của là với theo cũng để do thì mà vừa nhằm trong tại cho "
    "khi số còn có phải".split()
)
_MIN_TITLE_WORDS = 3
_MAX_TITLE_WORDS = 16


@dataclass
class _Found:
    kind: str
    number: str | None
    code: str | None
    title: str | None
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, rule)
    quoted: bool = False


RULE_NUMBERED = rule(
    "document.numbered", "legal_documents", "a kind of document with its number or symbol: \"Nghị quyết số 18-NQ/TW\"",
    examples=("Thực hiện Nghị quyết số 18-NQ/TW và Nghị định 178/2024/NĐ-CP, tỉnh giảm biên chế.",),
    counterexamples=("Tỉnh có 3 quyết định 12 năm qua.",),
)
RULE_LONE_SYMBOL = rule(
    "document.lone_symbol", "legal_documents", "a document's symbol alone, its kind read from the symbol: \"(18-NQ/TW)\"",
    examples=("Tỉnh thực hiện nghiêm 18-NQ/TW của Trung ương.",),
    counterexamples=("Tỉnh có 18 xã và 3 phường.",),
)
RULE_NAMED_SCHEME = rule(
    "document.named_scheme", "legal_documents", "a scheme named by its title: Đề án \"Sắp xếp ...\"",
    examples=("Tỉnh triển khai Đề án \"Sắp xếp tổ chức bộ máy các cơ quan\" trong năm nay.",),
    counterexamples=("Các Đề án đã được phê duyệt đúng hạn.",),
)
RULE_NAMED_ACT = rule(
    "document.named_act", "legal_documents", "a resolution, decision or plan named by what it is about, with no number",
    examples=("Tỉnh ban hành Kế hoạch về sắp xếp đơn vị hành chính cấp xã giai đoạn mới.",),
    counterexamples=("Tỉnh đã ban hành kế hoạch.",),
)
RULE_NAMED_IN_LOWER_CASE = rule(
    "document.named_in_lower_case", "legal_documents", "a scheme, plan or decision written in lower case, named by the "
    "reform it carries: \"đề án sắp xếp đơn vị hành chính cấp xã\"",
    examples=("Tỉnh đã hoàn thành đề án sắp xếp đơn vị hành chính cấp xã năm 2025.",
              "Chủ tịch UBND tỉnh vừa ban hành kế hoạch triển khai mô hình một cửa phi địa giới.",
              "Tỉnh ủy tổ chức hội nghị công bố quyết định thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy."),
    counterexamples=("Tỉnh đã ban hành quyết định thành lập 6 đơn vị sự nghiệp.", "Các đề án sắp xếp đã xong."),
)
RULE_NAMED_LAW = rule(
    "document.named_law", "legal_documents", "a law by its name: \"Luật Tổ chức chính quyền địa phương\"",
    examples=("Quốc hội sửa đổi Luật Tổ chức chính quyền địa phương năm nay.",),
    counterexamples=("Tỉnh thực hiện đúng pháp luật về tổ chức bộ máy.",),
)


def find_documents(doc: Document) -> list[LegalDocument]:
    text = doc.text
    numbered, lone_symbols = _scan(text)
    mentions: list[_Found] = [f for _, found in numbered for f in found]
    covered = SpanIndex((s, e, None) for (s, e), _ in numbered)
    for read in (_lone_symbols, _named_schemes, _named_acts, _named_laws, _named_in_lower_case):
        mentions.extend(f for f in read(text, lone_symbols) if f.spans[0][0] not in covered)
    mentions.sort(key=lambda f: f.spans[0][0])
    documents = [
        LegalDocument(
            kind=f.kind, number=f.number, code=f.code, title=f.title,
            evidence=[doc.evidence(s, e, rule_id) for s, e, rule_id in f.spans],
        )
        for f in _merge(mentions, doc)
    ]
    doc.record("legal_documents", documents)
    return documents


def _lone_symbols(text: str, lone_symbols: list[re.Match]) -> Iterator[_Found]:
    for m in lone_symbols:
        code = _normalise_symbol(m.group("item"))
        kind = _kind_from_symbol(code)
        if kind:
            yield _Found(kind, _leading_number(code), code, None, [(*m.span(), RULE_LONE_SYMBOL)])


def _named_schemes(text: str, _: list[re.Match]) -> Iterator[_Found]:
    for m in _NAMED_SCHEME.finditer(text):
        if _after(text, m.start(), _GENERIC_BEFORE_SCHEME):
            continue
        plain = m.group("plain")
        opens_sentence = _SENTENCE_START.search(text, max(0, m.start() - 4), m.start())
        if plain and not plain[0].isupper() and opens_sentence:
            continue  # "Đề án nêu rõ ...": a sentence about a scheme named earlier, not a name
        title = m.group("quoted") or _plain_title(m.group("plain"))
        if title:
            quoted = bool(m.group("quoted"))
            yield _Found("de_an", None, None, _tidy(title), [(*m.span(), RULE_NAMED_SCHEME)], quoted=quoted)


def _named_acts(text: str, _: list[re.Match]) -> Iterator[_Found]:
    for m in finditer_from(_NAMED_ACT, _NAMED_ACT_STARTS, text):
        if _after(text, m.start(), _GENERIC_BEFORE_SCHEME):
            continue
        name = m.group("capital") or m.group("lower") or m.group("issued") or m.group("guiding")
        title = _plain_title(m.group("plain") or m.group("guided"))
        if title:
            yield _Found(_KIND_BY_NAME[name.lower()], None, None, _tidy(title), [(*m.span(), RULE_NAMED_ACT)])


def _named_in_lower_case(text: str, _: list[re.Match]) -> Iterator[_Found]:
    for m in finditer_from(_LOWER_NAMED, _LOWER_NAMED_STARTS, text):
        if _after(text, m.start(), _GENERIC_BEFORE_SCHEME):
            continue  # "các đề án sắp xếp": generic
        name = m.group("scheme") or m.group("act") or m.group("founding")
        title = _plain_title(m.group("scheme_title") or m.group("act_title") or m.group("founding_title"))
        if title:
            yield _Found(_KIND_BY_NAME.get(name, "de_an"), None, None, _tidy(title), [(*m.span(), RULE_NAMED_IN_LOWER_CASE)])


def _named_laws(text: str, _: list[re.Match]) -> Iterator[_Found]:
    for m in _NAMED_LAW.finditer(text):
        if _after(text, m.start(), _NOT_A_LAW_BEFORE):
            continue
        title = _plain_title(m.group("plain"))
        if title:
            yield _Found("luat", None, None, "Luật " + title, [(*m.span(), RULE_NAMED_LAW)])


@per_article()
def _scan(text: str) -> tuple[list[tuple[tuple[int, int], list[_Found]]], list[re.Match]]:
    """Numbered references that cite something, and lone symbols; shared with `reference_spans`.

    The cached mentions are never mutated: merging copies them.
    """
    references = []
    for m in _REFERENCE.finditer(text):
        if not _glued(text, m.start()):
            found = _numbered_mentions(m, text)
            if found:
                references.append((m.span(), found))
    lone_symbols = [m for m in _LONE_SYMBOL.finditer(text) if not _glued(text, m.start(), "/")]
    return references, lone_symbols


def _glued(text: str, start: int, also: str = "") -> bool:
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_" or text[start - 1] in also)


def _after(text: str, start: int, pattern: re.Pattern) -> bool:
    return _glued(text, start) or pattern.search(text, max(0, start - 8), start) is not None


@per_article()
def reference_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the text cites a document by number or symbol, so other steps do not read those numbers."""
    numbered, lone_symbols = _scan(text)
    spans = sorted([span for span, _ in numbered] + [m.span() for m in lone_symbols])
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _numbered_mentions(m: re.Match, text: str) -> list[_Found]:
    abbr = m.group("kind") if m.group("kind") in _KIND_BY_ABBREVIATION else None
    name = None if abbr else m.group("kind")
    kind = _KIND_BY_NAME[" ".join(name.lower().split())] if name else _KIND_BY_ABBREVIATION[abbr]
    has_so = bool(m.group("so"))
    items = [(m.group("first"), m.start("first"), m.end("first"))]
    more = m.group("more")
    if more:
        for item in _MORE_ITEM.finditer(more):
            start = m.start("more") + item.start("item")
            items.append((item.group("item"), start, m.start("more") + item.end("item")))
    lower_case_name = bool(name) and not name[0].isupper()
    found: list[_Found] = []
    for item, _start, end in items:
        is_symbol = bool(_SYMBOL_ONLY.fullmatch(item))
        # A lower-case "quyết định", "kế hoạch" is an ordinary word unless a number sign or symbol follows.
        if lower_case_name and not has_so and not is_symbol:
            continue
        if not is_symbol:
            if not has_so and (_COUNT_WORD_AFTER.match(text, end) or _is_bare_year(item)):
                continue
            for number in _bare_numbers(item):
                found.append(_Found(kind, number, None, None, [(m.start(), end, RULE_NUMBERED)]))
            continue
        code = _normalise_symbol(item)
        found.append(_Found(kind, _leading_number(code), code, None, [(m.start(), end, RULE_NUMBERED)]))
    if len(found) == 1:
        title = _QUOTED_TITLE_AFTER.match(text, m.end())
        if title:
            found[0].title = _tidy(title.group(1))
    return found


def _bare_numbers(item: str) -> list[str]:
    number, _, after = item.partition("/")
    # "Nghị quyết 18/19" names two documents; "18/5" or "18/2021" is one number with a day or year.
    if after and len(after) <= 2 and int(after) > 12 and after != number:
        return [number, after]
    return [number]


def _is_bare_year(item: str) -> bool:
    return len(item) == 4 and item.isdigit() and 1900 <= int(item) <= 2100


def _normalise_symbol(symbol: str) -> str:
    # "30¬-CTr/TU" (stray character) and "01 - KL/TW" (spaced) are written "30-CTr/TU", "01-KL/TW".
    symbol = symbol.replace("–", "-")
    return re.sub(r"[^\w/\-]", "", symbol)


def _leading_number(code: str) -> str:
    return re.match(r"\d+", code).group(0)


def _kind_from_symbol(code: str) -> str | None:
    if "/" not in code:
        return None
    head, _, tail = code.partition("/")
    if "-" in head:  # party style: 18-NQ/TW
        letters = head.split("-", 1)[1]
    else:  # state style: 107/2020/NĐ-CP, 47/2019/QH14
        parts = [p for p in code.split("/")[1:] if not p.isdigit()]
        letters = re.match(rf"[{_LETTER}]+", parts[0].split("-")[0]).group(0) if parts else ""
    return _KIND_BY_SYMBOL.get(letters)


def _plain_title(raw: str) -> str | None:
    cut = _TITLE_STOP.search(" " + raw)
    title = raw[: cut.start() - 1] if cut and cut.start() > 0 else raw
    words = title.split()
    if len(words) < _MIN_TITLE_WORDS or words[0].lower() in _NOT_A_TITLE_START:
        return None
    return " ".join(words[:_MAX_TITLE_WORDS])


def _tidy(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip(" ,;:")


def _title_key(title: str | None) -> str:
    return " ".join(fold(title or "").split()[:6])


def _merge(mentions: list[_Found], doc: Document) -> list[_Found]:
    """One entry per document: the same document cited two ways is merged, keeping its symbol.

    Symbols with different issuers (19-NQ/TW, 19-NQ/TU) stay apart.
    """
    merged: list[_Found] = []
    by_number: dict[tuple, list[_Found]] = {}  # (kind, number) or (kind, None, title key) -> entries
    for f in mentions:
        target = _same_document(f, by_number)
        if target is None:
            entry = _Found(f.kind, f.number, f.code, f.title, list(f.spans), f.quoted)
            merged.append(entry)
            by_number.setdefault(_merge_key(entry), []).append(entry)
            continue
        target.spans.extend(f.spans)
        target.code = target.code or f.code
        target.title = target.title or f.title
        target.quoted = target.quoted or f.quoted
    return _attach_titled_schemes(merged, doc)


def _merge_key(f: _Found) -> tuple:
    return (f.kind, f.number) if f.number is not None else (f.kind, None, _title_key(f.title))


def _same_document(f: _Found, by_number: dict[tuple, list[_Found]]) -> _Found | None:
    if f.number is None:
        return next(iter(by_number.get(_merge_key(f), ())), None)
    same_number = by_number.get(_merge_key(f), [])
    if f.code is None:
        return same_number[0] if same_number else None
    return next((g for g in same_number if g.code == f.code), None) or next(
        (g for g in same_number if g.code is None), None
    )


def _attach_titled_schemes(found: list[_Found], doc: Document) -> list[_Found]:
    """A scheme introduced by its quoted title and elsewhere by its short number is one scheme.

    Reporters write `Đề án "Title"` once and "Đề án 25" after; the two are joined when the same
    sentence links them ("... (gọi tắt Đề án 25)") or when the article has one numbered scheme only.
    """
    numbered = [f for f in found if f.kind == "de_an" and f.number is not None]
    if not numbered:
        return found
    first_in_sentence: dict[tuple[int, int], tuple[int, _Found]] = {}
    for order, g in enumerate(numbered):
        for s, *_ in g.spans:
            first_in_sentence.setdefault(doc.sentence_span(s), (order, g))
    kept: list[_Found] = []
    for f in found:
        if f.kind != "de_an" or f.number is not None or not f.quoted:
            kept.append(f)
            continue
        linked = [first_in_sentence[span] for span in {doc.sentence_span(s) for s, *_ in f.spans}
                  if span in first_in_sentence]
        target = min(linked, key=lambda x: x[0])[1] if linked else (numbered[0] if len(numbered) == 1 else None)
        if target is None:
            kept.append(f)
            continue
        target.title = target.title or f.title
        target.spans = sorted(target.spans + f.spans)
    return kept
