"""Title, publication date, source outlet and bylines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from common import lexicon
from common.text import finditer_from, longest_first
from services.extract.engine.clean import CleanedArticle, byline_names
from services.extract.engine.doc import Document


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    published: date | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)


_FULL_DATE = re.compile(
    r"(?=[\dNn])(?<![\d/.-])(?:"
    r"(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)\d{2})(?!\d)"
    r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|[Nn]gày\s+(?P<wd>\d{1,2})\s+tháng\s+(?P<wm>\d{1,2})\s+năm\s+(?P<wy>(?:19|20)\d{2}))"
)
# Where a match of _FULL_DATE can start: a digit not written after a digit, "/", "." or "-", or the "n" of "ngày". The
# regex engine skips through the text to these letters itself (the pattern opens with a class), where _FULL_DATE,
# opening with look-arounds, would be tried at every character.
_FULL_DATE_STARTS = re.compile(r"[\dNn](?<![\d/.-].)(?:(?<=\d)|(?=gày))")
_PUBLISHED_LABEL = re.compile(r"ngày đăng|đăng ngày|đăng lúc|xuất bản|published|posted", re.IGNORECASE)
# The lead's own day: "Chiều 16/9,", "Ngày 9/10,", "Sáng ngày 10.10,", "HÀ TĨNH - Tối 5-3,",
# "Trực tiếp - Ngày 9-4,".
_LEAD_DAY = re.compile(
    r"^(?:[^\s,.]+(?: [^\s,.]+){0,3}\s+[-–—]\s+)?"
    r"(?:Rạng sáng|Sáng|Trưa|Chiều|Tối|Đêm|Ngày|Hôm nay|Hôm qua)(?:\s+(?:nay|qua|mai))?,?\s*"
    r"(?:\(\s*)?(?:ngày\s+)?(?P<d>\d{1,2})\s*(?:[/.-]\s*(?P<m>\d{1,2})|\s+tháng\s+(?P<wm>\d{1,2}))"
    r"(?:\s*[/.-]\s*(?P<y>(?:19|20)\d{2})|\s+năm\s+(?P<wy>(?:19|20)\d{2}))?(?![\d.])",
)
_TIME_OF_DAY = re.compile(
    r"(?<!\w)(?:[Rr]ạng sáng|[Ss]áng|[Tt]rưa|[Cc]hiều|[Tt]ối|[Đđ]êm)(?:\s+(?:nay|qua|mai))?,?\s*"
    r"\(?\s*(?:ngày\s+)?(?P<d>\d{1,2})\s*(?:[/.-]\s*(?P<m>\d{1,2})|\s+tháng\s+(?P<wm>\d{1,2}))"
    r"(?:\s*[/.-]\s*(?P<y>(?:19|20)\d{2})|\s+năm\s+(?P<wy>(?:19|20)\d{2}))?(?![\d.])"
)
_LEAD_WINDOW = 250
_LEAD_PARAGRAPHS = 3
# A date right after these words is a deadline or target, not something already done.
_DEADLINE_BEFORE = re.compile(
    r"(?:trước|đến|tới|hết|hạn|chậm nhất|từ nay đến|hiệu lực(?: thi hành)?(?: kể)?(?: từ)?)(?: ngày)?\s*$", re.IGNORECASE
)
# An article reports an event within days; a cited document dated long before says nothing of the year.
_MAX_DAYS_AFTER_REFERENCE = 183

_HOST = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:vn|com|net|org|info|gov|edu|biz))(?![\w-])",
    re.IGNORECASE,
)
_EMAIL_HOST = re.compile(r"[\w.+-]+@(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})", re.IGNORECASE)
_OWN_ADDRESS = re.compile(
    r"website|web:|©|bản quyền|copyright|ghi rõ nguồn|^(?:https?://|www\.)|^[\w.-]+\.(?:vn|com|net|org)(?:/\S*)?$"
    r"|^[^:]{2,40}\s[-–—|]\s*(?:www\.)?[\w.-]+\.(?:vn|com|net|org)$",  # "Tuổi Trẻ Online - tuoitre.vn"
    re.IGNORECASE,
)
# "Ảnh: Báo Hà Giang", "Ảnh: Hanam.gov.vn": who took the photo, not who printed the article.
_PHOTO_CREDIT_LINE = re.compile(r"^[(\[]?\s*(?:ảnh|nguồn ảnh|video|clip|đồ họa|đồ hoạ)\b", re.IGNORECASE)
_LINKS_OUT = re.compile(r"liên kết|\blinks?\b", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\(?\s*(?:nguồn|theo)\b", re.IGNORECASE)
_SECOND_LEVEL = frozenset({
    "gov.vn", "com.vn", "org.vn", "net.vn", "edu.vn", "ac.vn", "info.vn", "biz.vn", "name.vn", "pro.vn",
    "health.vn", "int.vn",
})
# Mail and social sites in a footer say nothing about which outlet printed the article.
_NOT_OUTLETS = frozenset({
    "gmail.com", "yahoo.com", "yahoo.com.vn", "hotmail.com", "outlook.com", "icloud.com", "facebook.com",
    "youtube.com", "twitter.com", "tiktok.com", "zalo.me", "google.com", "fb.com", "instagram.com",
})


def read_metadata(
    raw: str,
    cleaned: CleanedArticle,
    doc: Document,
    *,
    published_hint: date | None = None,
    source_hint: str | None = None,
    url: str | None = None,
) -> Metadata:
    return Metadata(
        title=cleaned.title,
        published=_published(raw, cleaned, doc, published_hint),
        source=_source(cleaned, source_hint, url),
        authors=_authors(cleaned),
    )


# --- published -------------------------------------------------------------------------------


def _published(raw: str, cleaned: CleanedArticle, doc: Document, hint: date | None) -> date | None:
    printed = _dateline_date(cleaned.datelines)
    if printed:
        return printed
    lead = _lead_day(cleaned)
    if lead is None:
        return hint or _labelled_date_in(raw)
    day, month, year, sentence = lead
    if year:
        return _date(year, month, day)
    if hint:
        on = _date(hint.year, month, day)
        # An event on 31/12 reported on 2/1 belongs to the year before.
        return on if on is None or on <= hint else _date(hint.year - 1, month, day)
    return _infer_year(doc.text, day, month) or _year_of_plan(sentence, day, month)


def _dateline_date(lines: tuple[str, ...]) -> date | None:
    dated = [(line, d) for line in lines if (d := _first_date(line))]
    if not dated:
        return None
    labelled = [d for line, d in dated if _PUBLISHED_LABEL.search(line)]
    return (labelled or [d for _, d in dated])[0]


def _labelled_date_in(raw: str) -> date | None:
    for line in raw.splitlines():
        if len(line) < 90 and _PUBLISHED_LABEL.search(line) and (d := _first_date(line)):
            return d
    return None


def _first_date(text: str) -> date | None:
    for m in finditer_from(_FULL_DATE, _FULL_DATE_STARTS, text):
        if d := _date_of(m):
            return d
    return None


def _date_of(m: re.Match[str]) -> date | None:
    if m.group("y"):
        return _date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    if m.group("iy"):
        return _date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    return _date(int(m.group("wy")), int(m.group("wm")), int(m.group("wd")))


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _lead_day(cleaned: CleanedArticle) -> tuple[int, int, int | None, str] | None:
    paragraphs = cleaned.text.split("\n")
    if cleaned.title and paragraphs and paragraphs[0] == cleaned.title:
        paragraphs = paragraphs[1:]
    for k, para in enumerate(paragraphs[:_LEAD_PARAGRAPHS]):
        # Opening the lead ("Chiều 16/9, ..."), or a time of day inside its first lines
        # ("Nhân dịp ..., sáng nay (26/1), ..."); a bare "ngày 25/10/2017" there dates a document.
        # Below an outlet's summary and a photo caption the lead may be the third paragraph: only a time
        # of day opening it counts there ("Sáng 3/2, ..."), as a bare "Ngày 25/5" may date another event.
        if k >= 2:
            m = _TIME_OF_DAY.match(para)
        else:
            m = _LEAD_DAY.match(para) or _TIME_OF_DAY.search(para, 0, _LEAD_WINDOW)
        if m:
            month = int(m.group("m") or m.group("wm"))
            year = m.group("y") or m.group("wy")
            day = int(m.group("d"))
            if 1 <= day <= 31 and 1 <= month <= 12:
                end = _SENTENCE_END.search(para, m.end())
                sentence = para[: end.start()] if end else para
                return day, month, int(year) if year else None, sentence
    return None


def _infer_year(text: str, day: int, month: int) -> date | None:
    """The year of a day-month lead, from the latest dated reference the article cites.

    A document "ngày 15/9/2021" rolled out in an article of "Chiều 16/9" puts the article
    in 2021: it cannot predate what it cites, and reports are written within days. Failing
    that, a progress report ("kết quả 8 tháng đầu năm 2022") is written in the year it covers.
    """
    references, ahead = [], []
    for m in finditer_from(_FULL_DATE, _FULL_DATE_STARTS, text):
        if d := _date_of(m):
            (ahead if _DEADLINE_BEFORE.search(text[max(0, m.start() - 25):m.start()]) else references).append(d)
    if references:
        latest = max(references)
        candidate = _date(latest.year, month, day)
        if candidate is not None and candidate < latest:
            candidate = _date(latest.year + 1, month, day)
        if candidate is not None and (candidate - latest).days <= _MAX_DAYS_AFTER_REFERENCE:
            return candidate
    return _year_of_deadline(ahead, references, day, month) or _year_of_progress_report(text, day, month)


def _year_of_deadline(ahead: list[date], references: list[date], day: int, month: int) -> date | None:
    """A deadline or effective date weeks after the lead's day ("có hiệu lực từ ngày 20.7.2019") gives its year."""
    years = set()
    for d in ahead:
        candidate = _date(d.year, month, day)
        if candidate and 0 <= (d - candidate).days <= _MAX_DAYS_BEFORE_DEADLINE and all(r <= candidate for r in references):
            years.add(d.year)
    return _date(years.pop(), month, day) if len(years) == 1 else None


_MAX_DAYS_BEFORE_DEADLINE = 92


def _year_of_plan(sentence: str, day: int, month: int) -> date | None:
    """The lead's own sentence adopting a plan for one year ("Chiều nay 18/4, ... thông qua Đề án ...
    năm 2025") happens in that year: plans are adopted in the year they cover, up to its autumn (by then
    the next year's plan is under way, so a late lead says nothing)."""
    if month > _LAST_MONTH_FOR_A_PLAN:
        return None
    years = {int(m.group("y")) for m in _PLAN_OF_YEAR.finditer(sentence)}
    return _date(years.pop(), month, day) if len(years) == 1 else None


_LAST_MONTH_FOR_A_PLAN = 9
_PLAN_OF_YEAR = re.compile(
    r"\b(?:[Đđ]ề án|[Kk]ế hoạch|[Pp]hương án|[Cc]hương trình)\b[^.;:]{0,160}?"
    r"\bnăm (?P<y>(?:19|20)\d{2})(?![\d-])"
)
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")


def _year_of_progress_report(text: str, day: int, month: int) -> date | None:
    years = set()
    for m in finditer_from(_PERIOD_OF_YEAR, _PERIOD_STARTS, text):
        if m.group("n"):
            months = _MONTHS_SO_FAR.get(m.group("n"), 0)
        else:
            months = _MONTHS_IN_QUARTER.get(m.group("q"), 0)
        year = int(m.group("y"))
        if months and month > months:
            years.add(year)  # "6 tháng đầu năm 2022" reported in July 2022
        elif months == 12 and month <= 2:
            years.add(year + 1)  # the year's review, held in January or February of the next
    return _date(years.pop(), month, day) if len(years) == 1 else None


_PERIOD_OF_YEAR = re.compile(
    r"(?:(?P<n>\d{1,2}|sáu|chín) tháng(?: đầu)?|quý (?P<q>I{1,3}|IV))"
    r"\s*(?:năm|/)\s*(?P<y>(?:19|20)\d{2})(?!\d)"
)
# Where a match of _PERIOD_OF_YEAR can start: its count ("6", "12", "sáu", "chín") right before " tháng", or "quý ".
_PERIOD_STARTS = re.compile(r"[\dscq](?:(?<=\d)\d? tháng|(?<=s)áu tháng|(?<=c)hín tháng|(?<=q)uý )")
_MONTHS_SO_FAR = {str(n): n for n in range(1, 13)} | {"sáu": 6, "chín": 9}
_MONTHS_IN_QUARTER = {"I": 3, "II": 6, "III": 9, "IV": 12}


# --- source ----------------------------------------------------------------------------------


def _source(cleaned: CleanedArticle, source_hint: str | None, url: str | None) -> str | None:
    if url:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
        if host:
            return _registered_domain(host)
    hinted = _HOST.search(source_hint.strip()) if source_hint else None
    if hinted:  # a hint that is not a web address ("Báo Quảng Ninh") cannot be the field's domain
        return _registered_domain(hinted.group("host"))
    if cleaned.source_tag and (m := _HOST.fullmatch(cleaned.source_tag.strip())):
        return _registered_domain(m.group("host"))
    if cleaned.source_tag and (marked := lexicon.outlet_markers().get(cleaned.source_tag.strip())):
        return marked  # "(QNO) - ", "NDO - ": the outlet's own mark on its lead
    # The site's own furniture first; "Nguồn: ...", "Theo ..." name where the article was taken from.
    # A footer's bare domains may be links to other sites: only an address the site gives as its own counts.
    own = [line for line in cleaned.furniture + cleaned.datelines
           if not _ATTRIBUTION.match(line) and not _PHOTO_CREDIT_LINE.match(line)]
    own_address = [line for line in own if _OWN_ADDRESS.search(line) and not _LINKS_OUT.search(line)]
    taken_from = [line for line in cleaned.furniture + cleaned.bylines if _ATTRIBUTION.match(line)]
    for lines, pattern in ((own, _EMAIL_HOST), (own_address, _HOST), (taken_from, _HOST)):
        for line in lines:
            for m in pattern.finditer(line):
                domain = _registered_domain(m.group("host"))
                if domain not in _NOT_OUTLETS:
                    return domain
    # No address printed: the outlet's name in its masthead, footer or a "Theo Báo ..." credit.
    credits = [*cleaned.bylines, *([cleaned.source_tag] if cleaned.source_tag else [])]
    for line in [*own, *credits, *taken_from]:
        if domain := _outlet_named(line):
            return domain
    return None


def _load_outlets() -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    anywhere, alone = {}, {}
    for domain, name in lexicon.rows("outlets.tsv"):
        key = name.casefold()
        distinctive = key.startswith(("báo ", "tạp chí ", "đài ", "cổng ")) or " " not in key
        (anywhere if distinctive else alone)[key] = domain
    names = longest_first(anywhere)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?![\w+])")
    return pattern, anywhere, alone


_OUTLET_ANYWHERE, _OUTLETS_ANYWHERE, _OUTLETS_ALONE = _load_outlets()
# What a masthead or credit wraps around the outlet's name: "(Theo Thanh Niên)", "NHÂN DÂN ĐIỆN TỬ".
_OUTLET_WRAPPING = re.compile(r"^[(\[]?\s*(?:theo|nguồn\s*:?)?\s*|\s*(?:điện tử|online|ttđt)?\s*[)\].]?\s*$")


def _outlet_named(line: str) -> str | None:
    key = " ".join(line.casefold().split())
    if m := _OUTLET_ANYWHERE.search(key):
        return _OUTLETS_ANYWHERE[m.group(0)]
    return _OUTLETS_ALONE.get(_OUTLET_WRAPPING.sub("", key))


def _registered_domain(host: str) -> str:
    """"chinhquyendientu.quangninh.gov.vn" → "quangninh.gov.vn"; "www.baohatinh.vn" → "baohatinh.vn"."""
    labels = host.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


# --- authors ---------------------------------------------------------------------------------


def _authors(cleaned: CleanedArticle) -> list[str]:
    authors: list[str] = []
    for line in cleaned.bylines:
        for name in byline_names(line) or []:
            if name not in authors:
                authors.append(name)
    return authors
