"""Cleaning: strip site furniture, repeated captions and slugs; repair lost spaces.

A scraped article is a list of lines: menus and breadcrumbs on top, the headline, a
date line, the body with photo captions (often printed twice), a byline, then related
links and the site's footer. `clean_article` keeps the headline and the body as the
cleaned text and hands the rest (date lines, bylines, furniture) to `metadata`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from common import lexicon
from common.text import LETTERS, LOWER, UPPER, fold, listed_class, longest_first, old_spelling
from services.extract.engine.places import province_of


@dataclass(frozen=True)
class CleanedArticle:
    text: str
    title: str | None
    datelines: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    furniture: tuple[str, ...] = ()
    source_tag: str | None = None


# --- gazetteers of site furniture (compared case-folded, trailing ':' and counters removed) ---

# A line that starts the related-links block or the site footer: the article is over.
_FOOTER_LINES = frozenset({
    "các tin khác", "tin khác", "tin liên quan", "bài liên quan", "bài viết liên quan", "tin cùng chuyên mục",
    "cùng chuyên mục", "tin bài khác", "các bài khác", "các bài viết khác", "bài viết khác", "tin đã đưa",
    "các tin đã đưa", "các tin đã đăng", "tin mới", "tin mới nhất", "tin mới hơn", "tin cũ hơn",
    "tin nổi bật", "tin đọc nhiều", "đọc nhiều", "đọc nhiều nhất", "xem nhiều", "xem nhiều nhất",
    "tin xem nhiều", "đọc thêm", "xem thêm", "có thể bạn quan tâm", "bạn có thể quan tâm", "bình luận",
    "viết bình luận", "viết bình luận mới", "gửi bình luận", "ý kiến bạn đọc", "gửi ý kiến", "ý kiến của bạn",
    "lượt truy cập", "thống kê truy cập", "đang truy cập", "đang online", "tổng lượt truy cập", "lượt xem",
    "truy cập hiện tại", "số lần xem các bài viết", "họ tên", "họ và tên",
    "từ khóa", "từ khoá", "tags", "tag", "thẻ", "liên kết website", "liên kết web", "bản quyền",
    "chia sẻ bài viết", "video liên quan", "tin tiếp theo", "bài tiếp theo", "tin trước", "tin sau",
    "các tin cũ hơn",
})
_FOOTER_PREFIXES = (
    "lượt truy cập", "trực tuyến:", "đang truy cập", "cơ quan chủ quản", "cơ quan chủ trì", "đơn vị quản lý",
    "bản quyền", "copyright", "©", "giấy phép", "chịu trách nhiệm", "tổng biên tập", "phó tổng biên tập",
    "địa chỉ:", "điện thoại:", "đt:", "fax:", "email:", "e-mail:", "website:", "hỗ trợ:", "từ khóa:",
    "từ khoá:", "tags:", "thẻ:", "ghi rõ nguồn", "thiết kế bởi", "phát triển bởi", "powered by",
    "bình luận (", "ý kiến (", "tòa soạn:", "toà soạn:", "trụ sở:", "đường dây nóng:", "liên kết website",
    "liên kết web", "lượt xem", "lượt đọc", "số lượt xem", "số lần xem",
)
# A line made of nothing but share buttons.
_SHARE_WORDS = frozenset({
    "share", "chia", "sẻ", "facebook", "google", "twitter", "zalo", "email", "tweet", "like", "linkedin", "messenger",
    "print", "in", "bài", "gửi", "lưu", "copy", "link", "+", "|", "-",
})
# A visitor counter: "Đang có 199 khách và không thành viên đang online".
_VISITORS = re.compile(r"^(?:hiện )?(?:đang|có) (?:có )?[\d.,]+ (?:khách|thành viên|người)\b.{0,60}\b(?:online|trực tuyến)\b")
# "Báo Thanh Niên - Cơ quan ngôn luận của ...", "BÁO X - CƠ QUAN CỦA ĐẢNG BỘ ...": the outlet's footer.
_OUTLET_FOOTER = re.compile(
    r"^(?:báo|cổng thông tin|cổng ttđt|trang thông tin|tạp chí|đài)\b.{0,80}?\bcơ quan (?:chủ quản|của|ngôn luận)\b"
)
# Buttons and labels that may stand anywhere: removed, the article goes on.
_BUTTON_LINES = frozenset({
    "chia sẻ", "facebook", "twitter", "zalo", "email", "in bài", "in bài viết", "bản in", "gửi email",
    "gửi bài", "lưu bài", "lưu", "copy link", "sao chép liên kết", "like", "share", "tweet", "cỡ chữ",
    "nghe đọc bài", "nghe bài viết", "nghe audio", "đọc bài", "giọng nam", "giọng nữ", "tự động chuyển bài",
    "video clip", "video", "clip", "ảnh", "audio", "infographic", "emagazine", "e-magazine", "podcast",
    "quay lại", "trở về", "trở lại", "về đầu trang", "đầu trang", "lên đầu trang", "top", "print", "theo dõi",
    "google news", "quảng cáo", "advertisement", "xem video", "xem ảnh", "phóng to", "thu nhỏ", "bài viết",
    "nội dung", "chú thích ảnh", "skip to main content", "skip to content", "bỏ qua nội dung chính",
    "a a a", "a- a a+", "cỡ chữ a a a",
})
_BUTTON_PREFIXES = (
    "hotline", "xem video:", "video:", "clip:", "xem thêm:", "đọc thêm:", "tin liên quan:",
    "bài liên quan:", ">>", "»", "xem tiếp:", "tin cùng chuyên mục:", "cỡ chữ", "font size", "chia sẻ:",
    "share:", "in bài viết", "nghe bài viết", "nghe đọc bài",
)
# "Theo dõi Báo X trên Google News", "Theo dõi chúng tôi trên Zalo": a widget; a paragraph that opens
# with "Theo dõi tình hình ..." is the article.
_FOLLOW_US = re.compile(
    r"^theo dõi\b(?:.{0,60}\b(?:google news|zalo|facebook|fanpage|youtube|tiktok|telegram|kênh)\b.{0,20}$"
    r"|(?:\s+\S+){0,4}$)"
)
# The site inviting its readers ("* Mời quý độc giả theo dõi các chương trình ... trên TV Online!", "Mời bạn đọc
# xem video"): a button, wherever it stands; an outlet it names is the site's.
_INVITES_READERS = re.compile(r"^[*•\-–\s]*mời (?:quý |các )?(?:độc giả|bạn đọc|khán giả|quý vị)\b")
# A weather widget in the header: "Hà Nội 24°C", "Nhiệt độ: 28 - 33 độ C", "TP.HCM 31 °C Mây rải rác".
_WEATHER_OPENERS = ("nhiệt độ", "thời tiết")
_WEATHER_MAX_WORDS = 10
# Headers that name the site: "Báo Quảng Ninh điện tử", "CỔNG THÔNG TIN ĐIỆN TỬ TỈNH ...".
_SITE_NAME = re.compile(
    r"^(?:báo|cổng thông tin|cổng ttđt|trang thông tin|tạp chí|đài phát thanh|chính quyền điện tử)\b.{0,60}"
    r"(?:điện tử|online|ttđt)\b",
)
# A related-links heading mid-article is followed by the other articles' headlines.
_RELATED_HEADINGS = frozenset({
    "tin liên quan", "bài liên quan", "bài viết liên quan", "xem thêm", "đọc thêm", "tin cùng chuyên mục",
    "có thể bạn quan tâm", "bạn có thể quan tâm",
})
_RELATED_MAX_ITEMS = 8
# Banners of provincial portals, printed above the headline: "Quyết tâm thực hiện thắng lợi Nghị quyết
# Đại hội ...", "Nhiệt liệt chào mừng ...", "... muôn năm".
_SLOGAN_OPENERS = ("quyết tâm thực hiện thắng lợi ", "nhiệt liệt chào mừng ", "chào mừng ", "mừng đảng")
# "Nguồn SGGP: http://sggp.org.vn/...": where the article was taken from, printed as a link.
_SOURCE_LINK = re.compile(
    r"^\(?\s*(?:Nguồn|Theo)\b[^:\n]{0,40}:?\s*(?:https?://|www\.)\S+\s*\)?$", re.IGNORECASE
)
# Section names of news sites: a line made of nothing else is a menu or a breadcrumb.
_NAV_PHRASES = frozenset({
    "tin mới", "emagazine", "e-magazine", "magazine", "truyền hình", "podcast", "video", "ảnh", "infographic",
    "multimedia", "longform", "media", "phát thanh", "tin tức", "thời sự", "trang chủ", "chính trị",
    "kinh tế", "xã hội", "văn hóa", "văn hoá", "thể thao", "pháp luật", "quốc tế", "thế giới", "giáo dục",
    "y tế", "du lịch", "đời sống", "bạn đọc", "xây dựng đảng", "quốc phòng", "an ninh", "khoa học",
    "công nghệ", "môi trường", "nông nghiệp", "nông thôn", "địa phương", "tiêu điểm", "sự kiện", "giải trí",
    "góc nhìn", "diễn đàn", "ý kiến", "lịch phát sóng", "radio", "báo in", "đặc san", "liên hệ", "giới thiệu",
    "đăng nhập", "đăng ký", "tìm kiếm", "sơ đồ site", "sơ đồ trang", "rss", "english", "tiếng việt",
    "hỏi đáp", "dịch vụ công", "văn bản", "thư viện", "tin trong tỉnh", "tin trong nước", "tin địa phương",
    "tin hoạt động", "hoạt động", "thông báo", "chuyên mục", "chuyên đề", "tin ảnh", "phóng sự", "xã luận",
    "bình luận", "tin nóng", "tin vắn", "thời tiết", "tỷ giá", "giá vàng", "doanh nghiệp", "đầu tư",
    "tài chính", "bất động sản", "giao thông", "sức khỏe", "sức khoẻ", "gia đình", "người việt", "cộng đồng",
    "lao động", "việc làm", "công đoàn", "đoàn thể", "mặt trận", "tuyển sinh", "xây dựng", "kinh tế - xã hội",
    "chính trị - xã hội", "tin tức - sự kiện", "tin tức sự kiện", "quốc phòng - an ninh",
    "an ninh - quốc phòng", "văn hóa - xã hội", "đặt làm trang chủ", "sitemap", "home", "news", "facebook",
    "twitter", "zalo", "email", "in", "chia sẻ", "copy link", "linkedin", "messenger", "telegram", "in bài",
    "gửi email", "bản in",
    # Side widgets of government portals, printed under the article: "Văn bản mới", "Lịch công tác tuần".
    "văn bản mới", "văn bản chỉ đạo", "văn bản điều hành", "lịch công tác", "lịch công tác tuần",
    "thông tin cần biết", "liên kết website", "liên kết web", "thống kê truy cập",
})
_NAV_MAX_WORDS = 4
_NAV_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _NAV_PHRASES)
# Furniture lines are short; longer lines are paragraphs and skip the furniture tests.
_FURNITURE_MAX_CHARS = 300

# --- line patterns ---
# Blanks written as other characters become plain spaces; invisible characters go. Each is replaced with
# str.replace: a text holds few of them, and a search for one character skips through the text far faster
# than a regex class tried at every character.
_SPACE_LIKE = "\u00a0\u2002\u2003\u2009\u202f\u3000\t"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_MULTISPACE = re.compile(r" {2,}")
_MENU_SEPARATORS = re.compile(r"\s*(?:\||»|›|>|•|·|\s/\s)\s*")
# Every menu separator holds one of these characters: a line without them is split by no separator. (The
# separators' pattern opens with blanks, so the regex engine tries it at every character; this class it skips to.)
_MENU_SEPARATOR_CHARS = re.compile(r"[|»›>•·/]")
# A row of a table flattened to text: a label, then two or three figures between bars.
_TABLE_ROW = re.compile(rf"^[^|\d]*[{LETTERS}][^|]*(?:\|\s*\d[\d.,]*\s*%?\s*){{2,3}}$")
_BREADCRUMB_ARROW = re.compile(r"\s(?:>|»|›)\s")
_COUNTER = re.compile(r"\s*[(\[]\s*\d+\s*[)\]]\s*$")
_SENTENCE_FINAL_CHARS = tuple(".!?…:;\"”)")
_WORD = re.compile(rf"[{LETTERS}0-9]+")
_URL_LINE = re.compile(
    r"^(?:(?:https?://|www\.)\S+|[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:vn|com|net|org)(?:/\S*)?)$", re.IGNORECASE
)
# Lead paragraphs of many outlets open with the outlet in parentheses: "(Baohatinh.vn) - ".
_LEAD_TAG = re.compile(r"^\(\s*([^()\n]{2,40}?)\s*\)\s*[-–—:]\s*")
_LEAD_DOMAIN_TAG = re.compile(r"^([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*\.(?:vn|com|net|org))\s*[-–—]\s+")
# Photo credits closing a caption: "... phát biểu. Ảnh: Minh Thu", "(Ảnh minh họa)".
# Also "<headline>- ảnh 1" (alt text), "... tại trung tâm. Ảnh Cổng TTĐT Hậu Giang" (a credit without its
# colon, after a full stop) and "Ảnh minh họa. Nguồn: Internet".
_PHOTO_CREDIT = re.compile(
    r"(?:^|(?<=[.!?…])\s*|\s*[-–—]\s*|\s*(?=[(\[]))[(\[]?\s*"
    r"(?:Nguồn ảnh|Ảnh minh (?:họa|hoạ)|Ảnh tư liệu|Ảnh chụp màn hình|Ảnh|ảnh(?=\s*\d))(?P<number>\s*\d+)?"
    rf"(?:\s*:\s*[^()\[\]\n:]{{1,60}}?|(?<=Ảnh)\s+(?P<bare>[{UPPER}][^()\[\]\n:.]{{1,60}}?))?"
    r"(?:\.?\s*Nguồn\s*:\s*[^()\[\]\n:]{1,40}?)?"
    r"\s*[)\]]?\s*\.?\s*$"
)
_NUMBERED_PHOTO = re.compile(r"ảnh\s*\d")
_CAPTION_CREDIT_MIN_PREFIX = 12
_CREDIT_MAX_CHARS = 90

# Date lines: a date plus nothing but weekday, time, zone and labels.
# A date: "14/05/2019" (not inside a longer number), "2019-05-14", "ngày 14 tháng 5 năm 2019". Every line is searched
# with it, so it is written to open with the one character each branch starts with (a digit, or the "n" of "ngày"),
# each branch checking after it which it was: the regex engine then skips ahead to those characters. The same
# matches as the plain form (_DATE_IN_LINE_PLAIN, kept for the test that holds them equal).
_DATE_IN_LINE_PLAIN = (
    r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}(?!\d)"
    r"|(?<!\d)(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?!\d)"
    r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d{2}"
)
_DATE_IN_LINE = re.compile(
    r"[\dn](?:(?<=\d)(?<!\d\d)\d?\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}(?!\d)"
    r"|(?<!\d[12])(?:(?<=1)9|(?<=2)0)\d{2}-\d{1,2}-\d{1,2}(?!\d)"
    r"|(?<=n)gày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d{2})",
    re.IGNORECASE,
)
# A day of the week as a date line writes it: "Thứ Sáu", "thứ 6", "Chủ nhật", "T6", "CN".
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|T[2-7]|CN)\b"
_DATE_LINE_NOISE = re.compile(
    r"\d{1,2}\s*[:hg]\s*\d{2}(?:\s*:\s*\d{2})?(?:\s*(?:AM|PM|SA|CH))?"
    r"|\b(?:GMT|UTC)\s*[+-]?\s*\d*"
    rf"|\b(?:{_WEEKDAY})"
    r"|\b(?:ngày|cập nhật|đăng|lúc|xuất bản|thời gian|giờ|published|updated|posted|on|at|lượt xem|views)\b"
    # the buttons printed beside an article's time: "14/5/2019 8:43' Gửi bài này In bài này"
    r"|\b(?:gửi|in|lưu)\s+bài(?:\s+(?:này|viết))?\b|\bbản\s+in\b|\bchia\s+sẻ\b",
    re.IGNORECASE,
)
_DATE_LINE_MAX_CHARS = 90
_A_DIGIT = re.compile(listed_class(r"\d"))  # a bitmap look-up per character, not the Unicode category
_LEFTOVER_WORD = re.compile(rf"[{LETTERS}]{{2,}}")

# Bylines: "Tin, ảnh: Phan Tân", "Bài và ảnh: ...", "Nhóm PV", a short line that is a name.
_BYLINE_LABEL = re.compile(
    r"(?:^|(?<=[\s;,.\-–—|/]))"
    r"(Tin\s*(?:,|và|&|/|-|–)\s*ảnh|Bài\s*(?:,|và|&|/|-|–)\s*ảnh|Bài viết|Tin|Bài|Ảnh|"
    r"Video|Clip|Thực hiện|Nhóm thực hiện|Tác giả|Người viết|Phóng viên|Nhóm phóng viên|Ghi chép|Ghi|"
    r"Biên tập|Đồ họa|Đồ hoạ|Thiết kế|Trình bày|Nguồn)\s*:\s*",
    re.IGNORECASE,
)
# Credits that name people who did not write the article (labels compared folded, without diacritics).
_CREDIT_LABELS = frozenset({"anh", "video", "clip", "nguon"})
_NON_AUTHOR_LABELS = frozenset({"bien tap", "do hoa", "thiet ke", "trinh bay", "nguon"})
_BYLINE_MAX_CHARS = 90
_BYLINE_SPLIT = re.compile(r"\s*(?:,|;|&|/|\s[-–—]\s|\svà\s)\s*")
_BYLINE_DROP = re.compile(
    r"\s*[(\[][^()\[\]]{0,60}[)\]]\s*"  # "(Trung tâm Truyền thông tỉnh)", "(t/h)"
    r"|\s+\((?:t/h|th|tổng hợp|st|sưu tầm|lược ghi)\)?\s*$",
    re.IGNORECASE,
)
_REPORTER_PLACEHOLDERS = frozenset({"pv", "nhóm pv", "nhóm phóng viên", "phóng viên", "btv", "ctv", "pv nhóm",
                                   "bbt", "ban biên tập", "tòa soạn", "toà soạn"})
_THEO = re.compile(r"^(?:\(\s*theo\s+(.+?)\s*\)|theo\s+(.+?))\.?$", re.IGNORECASE)
_NAME_TOKEN = re.compile(rf"^[{UPPER}][{LOWER}]{{0,6}}$")
# Capitalised words of site furniture or organisations, never part of a personal name. Given names that
# also start menu items ("Thu Trang", "Bích Liên") are left out: "Trang Chủ", "Liên Hệ" fail on their other word.
_NOT_NAME_TOKENS = lexicon.not_name_words("byline")
# What may stand beside a name in a byline: the outlet or the author's workplace.
_AFFILIATION = re.compile(
    r"(?:Báo|Đài|Tạp chí|Cổng|Trang|Trung tâm|Theo|Trường|Học viện|Viện|Ban|Sở|Phòng|Hội|Cục|Vụ|Bộ|UBND|"
    r"Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thành ủy|Thành uỷ|Công an|Bộ Chỉ huy|Văn phòng|Internet|internet|"
    r"tư liệu|Tư liệu|minh họa|minh hoạ|sưu tầm|St|TH)\b"
)
_AFFILIATION_MAX_WORDS = 9
_INITIAL = re.compile(rf"^(?:[{UPPER}]\.){{1,2}}$")
_INITIALS = re.compile(rf"^(?:[{UPPER}]\.){{1,3}}[{UPPER}]?\.?$")  # "Q.T", "H.A." sign short news: not a name
_HOST_LIKE = re.compile(r"^(?:https?://)?[\w.-]+\.(?:vn|com|net|org)(?:/\S*)?$", re.IGNORECASE)
# Degrees and ranks printed before an author's name: "ThS. Nguyễn Văn Bình", "Đại tá Lê Văn A".
_HONORIFIC = re.compile(
    rf"^(?:(?:{'|'.join(lexicon.honorifics('abbreviation', 'author'))})\.?\s*)+(?=[^\W\d_])|"
    rf"^(?:{'|'.join(longest_first({f[0].upper() + f[1:] for h in lexicon.honorifics('word', 'author') for f in (h, old_spelling(h))}))})\s+"
)
_AGENCY = re.compile(r"^(?:[A-ZĐ]{2,}(?:[/+][\w+]+)?|TTXVN.*|VOV.*|VTV.*|Vietnam\+|VietnamPlus)$")

# Lost spaces between words: "PhạmThị" (but not "iPhone", "VinFast", "ThS", "TP.HCM").
# Led by the upper-case class, which is rarer than lower case: the scan is several times faster.
_UPPER_AFTER_LOWER = re.compile(rf"[{UPPER}](?<=[{LOWER}][{UPPER}])")
_LOST_SPACE_AFTER_COMMA = re.compile(rf"[,;](?=[{LETTERS}])")


# ---------------------------------------------------------------------------------------------


def clean_article(raw: str, *, title_hint: str | None = None) -> CleanedArticle:
    lines, gapped = _normalised_lines(raw)
    _join_lone_lead_tags(lines)
    kinds = [_line_kind(line) for line in lines]
    for i in gapped:
        if kinds[i] == "text":
            kinds[i] = "menu"
    has_diacritics = not raw.isascii()
    if has_diacritics:
        # "image banner", "logo": an image's placeholder text left by the page, in a Vietnamese article.
        for i, line in enumerate(lines):
            if kinds[i] == "text" and _MARKUP_LABEL.fullmatch(line):
                kinds[i] = "junk"

    _keep_tables(lines, kinds)
    _drop_headline_tickers(lines, kinds)
    title_at, title = _find_title(lines, kinds, title_hint)
    body_from = title_at + 1 if title_at is not None else 0
    end = _footer_start(lines, kinds, body_from)
    _drop_related_lists(lines, kinds, body_from, end)

    byline_at = _tail_bylines(lines, kinds, body_from, end)
    byline_at |= _labelled_bylines(lines, kinds, body_from, end)
    byline_at |= _bylines_beside_date(lines, kinds, body_from, end)
    bylines = [lines[i] for i in sorted(byline_at)]
    bylines += [
        byline for i, ln in enumerate(lines[:end]) if kinds[i] == "date" for byline in _date_line_bylines(ln)
    ]

    # A bare URL inside the body is a link the article cites, not the site's own address.
    # Text above the headline is the site's masthead ("VietnamPlus"), furniture too.
    furniture = [ln for i, ln in enumerate(lines) if ln and i != title_at and i not in byline_at
                 and (i >= end or kinds[i] in ("menu", "footer", "button", "credit", "related")
                      or kinds[i] == "text" and title_at is not None and i < title_at
                      or kinds[i] == "url" and not _inside_body(kinds, i, body_from, end)
                      or kinds[i] == "date" and _is_header_widget(lines, kinds, i, title_at))]
    datelines = [ln for i, ln in enumerate(lines[:end])
                 if kinds[i] == "date" and not _is_header_widget(lines, kinds, i, title_at)]
    datelines += [ln for ln in lines[end:] if _DATE_IN_LINE.search(ln) and len(ln) <= _DATE_LINE_MAX_CHARS
                  and _labelled_date(ln)]

    title_words = set(_WORD.findall(_fold(title))) if title else set()
    body: list[str] = []
    for i in range(body_from, end):
        line = lines[i]
        if i in byline_at or kinds[i] != "text":
            continue
        if has_diacritics and _is_slug(line, title_words):
            continue
        body.append(line)

    body, source_tag = _strip_lead_tag(body)
    body = [stripped for line in body if (stripped := _without_photo_credit(line))]
    repaired = _repair_spacing("\n".join(body)) if body else ""
    body = repaired.split("\n") if body else []
    folded = repaired.casefold().split("\n") if body else []  # casefold() maps character by character
    kept = _kept_from_repeats(body, folded, title)
    body, promos = _without_promos([body[i] for i in kept], title, [folded[i] for i in kept])
    furniture += promos
    text = "\n".join(([title] if title else []) + body)
    return CleanedArticle(
        text=text,
        title=title,
        datelines=tuple(datelines),
        bylines=tuple(bylines),
        furniture=tuple(furniture),
        source_tag=source_tag,
    )


def byline_names(line: str) -> list[str] | None:
    """The authors a byline names; [] for a byline without a name ("PV"); None if not a byline."""
    line = line.strip().strip("-–—").strip()
    if line.startswith("(") and line.endswith(")") and "(" not in line[1:-1]:
        line = line[1:-1].strip()  # a credit wholly in brackets: "(TTXVN/Vietnam+)", "(Theo Báo Nghệ An)"
    if not line or len(line) > _BYLINE_MAX_CHARS or any(ch.isdigit() for ch in line):
        return None
    folded = _furniture_key(line)
    if folded in _REPORTER_PLACEHOLDERS:
        return []
    labels = list(_BYLINE_LABEL.finditer(line))
    if labels:
        names: list[str] = []
        for k, label in enumerate(labels):
            if label.start() > 0 and k == 0 and line[: label.start()].strip(" -–—;,|"):
                return None  # text before the first label: a sentence that mentions a photo, not a byline
            value_end = labels[k + 1].start() if k + 1 < len(labels) else len(line)
            value = line[label.end():value_end].strip(" -–—;,|")
            if _fold(label.group(1)) in _NON_AUTHOR_LABELS or (
                len(labels) == 1 and _fold(label.group(1)) in _CREDIT_LABELS
            ):
                continue  # editors and designers; a lone "Ảnh: X" credits a photo, not the article
            parsed = _names_in(value, allow_agencies=True)
            if parsed is None:
                if _furniture_key(value) in _REPORTER_PLACEHOLDERS:
                    continue
                return None
            names.extend(parsed)
        return names
    theo = _THEO.match(line)
    if theo:
        return _names_in(theo.group(1) or theo.group(2), allow_agencies=True)
    if line.rstrip(".").endswith(_SENTENCE_FINAL_CHARS) and not line.endswith(")"):
        return None
    return _names_in(line.rstrip("."), allow_agencies=True)


# --- lines --------------------------------------------------------------------------------------


def _normalised_lines(raw: str) -> tuple[list[str], set[int]]:
    """The stripped lines, and which of them were laid out as menus (items apart by wide gaps)."""
    if not unicodedata.is_normalized("NFC", raw):
        raw = unicodedata.normalize("NFC", raw)
    # Line ends, blanks and invisible marks first: a byte-order mark or a no-break space before "date 2025-04",
    # or "\r\n" after a wrapped line, would hide what the patterns below read.
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    for blank in _SPACE_LIKE:
        if blank in raw:
            raw = raw.replace(blank, " ")
    for invisible in _INVISIBLE:
        if invisible in raw:  # str.replace(c, "") reads the whole text even when c is not in it: 10 times a find
            raw = raw.replace(invisible, "")
    if "date " in raw:
        raw = _CRAWLER_LINE.sub(_unflatten_crawler_line, raw)
    if ":" in raw:
        raw = _GLUED_LABEL.sub(_split_glued_label, raw)
    if " \n" in raw:
        raw = _WRAPPED_LINE.sub(_join_wrapped, raw)
    gapped: set[int] = set()
    if "  " in raw:
        lines = raw.splitlines()
        gapped = {i for i, line in enumerate(lines) if "  " in line and _is_gapped_menu(line)}
        while "  " in raw:  # every run of spaces to one space: each pass halves the runs
            raw = raw.replace("  ", " ")
    return [line.strip() for line in raw.splitlines()], gapped


# A footer's label glued to the line above it: "Nguyễn KhánhTAG:" is the byline, then the tags.
# (Opens with the label's first letter, so the regex engine skips ahead to the few places it is written.)
_GLUED_LABEL = re.compile(r"(?:TAGS?|Tags?|Từ khóa|Từ khoá|TỪ KHÓA)[ \t]*:[ \t]*$", re.MULTILINE)


def _split_glued_label(m: re.Match[str]) -> str:
    glued = m.start() > 0 and not m.string[m.start() - 1].isspace() and m.string[m.start() - 1] != ":"
    return "\n" + m.group() if glued else m.group()


# A crawler's line opening the page, "date 2025-04", sometimes with the page's header flattened after it
# ("date 2025-04 Chính trị <headline> (QNO) - <lead>", "date 2025-04 <headline> 28/04/2025 16:52"). It
# gives neither the publication date nor its year: it is furniture, and what follows is laid out again
# as the lines it was flattened from (section label, headline, timestamp, lead).
_CRAWLER_LINE = re.compile(
    r"^[ \t]*date[ \t]+(?:19|20)\d{2}-\d{2}(?:-\d{2})?(?![\d-])[ \t]*(?P<rest>[^\n]*)$", re.MULTILINE
)
_CRAWLER_MARK = re.compile(r"^date (?:19|20)\d{2}-\d{2}(?:-\d{2})?$")
_TRAILING_TIMESTAMP = re.compile(
    r"\s+(?P<stamp>\d{1,2}/\d{1,2}/(?:19|20)\d{2}(?:\s*[-|,]?\s*\d{1,2}:\d{2}(?::\d{2})?)?)\s*$"
)
# A hard-wrapped line: it ends in a space with the sentence plainly unfinished (on a word that cannot end
# one, "khảo sát tại \nTrung tâm ...", or before a lower-case word, "việc giải \nquyết ..."). A headline
# with a trailing space over its lead stays apart.
_WRAPPED_LINE = re.compile(rf"[ \t]+\n(?=(?P<next>[{LETTERS}]))")
_NEVER_LAST_WORDS = frozenset(
    "tại của và với cho các những theo trong về ở từ đến là được có để do bởi mà thì nhưng hoặc cùng "
    "sau trước khi vào ra lên xuống như này đó".split()
)


def _join_wrapped(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - _LONGEST_WORD):m.start()]
    last = before.rsplit(None, 1)[-1] if before.strip() else ""
    if last[-1:].isalpha() and (m.group("next").islower() or last.casefold() in _NEVER_LAST_WORDS):
        return " "
    return m.group(0)


_LONGEST_WORD = 12


def _unflatten_crawler_line(m: re.Match[str]) -> str:
    rest = m.group("rest").strip()
    lines = ["date " + m.group(0).split("date", 1)[1].split()[0]]
    if not rest:
        return lines[0]
    label = _section_label_prefix(rest)
    if label:
        lines.append(rest[:label])
        rest = rest[label:].strip()
    lead = _LEAD_MARKER_INSIDE.search(rest)
    if lead:
        rest, lead_text = rest[: lead.start()].strip(), rest[lead.start():].strip()
    else:
        lead_text = ""
    stamp = _TRAILING_TIMESTAMP.search(rest)
    if stamp and stamp.start() > 0:
        rest, stamp_text = rest[: stamp.start()], stamp.group("stamp")
    else:
        stamp_text = ""
    lines += [part for part in (rest, stamp_text, lead_text) if part]
    return "\n\n".join(lines)


def _section_label_prefix(text: str) -> int:
    """The length of a section label ("Chính trị", "Kinh tế - Xã hội") opening a flattened headline, or 0."""
    words = text.split(" ")
    for n in range(min(2 * _NAV_MAX_WORDS, len(words) - 4), 0, -1):
        head = " ".join(words[:n])
        following = words[n]
        if following[:1].isupper() and _is_nav(head.casefold()):
            return len(head)
    return 0


def _lead_markers() -> re.Pattern[str]:
    markers = longest_first(lexicon.outlet_markers())
    alternatives = "|".join(map(re.escape, markers))
    domain = r"[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*\.(?:vn|com|net|org)"
    return re.compile(
        rf"(?:\(\s*(?P<bracketed>{alternatives}|{domain})\s*\)|(?P<bare>{alternatives})(?!\w))\s*[-–—:]\s*"
    )


# An outlet's mark heading the lead: "(QNO) - ", "NDO - ", "(Chinhphu.vn) - ".
_LEAD_MARKER = _lead_markers()


def _join_lone_lead_tags(lines: list[str]) -> None:
    """"(VTC News) -" alone on its line heads the paragraph below it: joined to it, as the page meant."""
    for i, line in enumerate(lines[:_LONE_TAG_WITHIN]):
        if not line or len(line) > _LONE_TAG_MAX_CHARS or line[0] not in "(" + _MARKER_FIRST_CHARS:
            continue
        tag = _LEAD_MARKER.match(line)
        if tag is None or tag.end() != len(line):
            continue
        j = next((k for k in range(i + 1, min(len(lines), i + 3)) if lines[k]), None)
        if j is not None:
            lines[j] = f"{line} {lines[j]}"
            lines[i] = ""


_LONE_TAG_WITHIN = 12  # lines from the top of the page
_LONE_TAG_MAX_CHARS = 40
_MARKER_FIRST_CHARS = "".join(sorted({m[0] for m in lexicon.outlet_markers()}))
_LEAD_MARKER_INSIDE = re.compile(r"(?<=\s)(?=" + _LEAD_MARKER.pattern + ")")


# "Thời sự   Thế giới   Nhịp sống trẻ   Văn hóa": a scraped menu keeps its items apart with runs of
# spaces, even when the section names are the site's own and no gazetteer knows them.
_WIDE_GAP = re.compile(r" {2,}")
_MENU_ITEM_MAX_WORDS = 4


def _is_gapped_menu(line: str) -> bool:
    items = _WIDE_GAP.split(line.strip())
    if len(items) < 3 or line.rstrip().endswith(_SENTENCE_FINAL_CHARS):
        return False
    return all(len(_WORD.findall(item)) <= _MENU_ITEM_MAX_WORDS and not item.endswith((".", ",", ";")) for item in items)


def _line_kind(line: str) -> str:
    if not line:
        return "blank"
    if _CRAWLER_MARK.match(line):
        return "menu"
    if _is_date_line(line):
        return "date"
    if _is_junk(line):
        return "junk"
    if len(line) > _FURNITURE_MAX_CHARS:
        return "text"
    key = _furniture_key(line)
    if _is_footer(key):
        return "footer"
    if _is_button(key):
        return "button"
    if ("°" in key or "độ c" in key or key.startswith(_WEATHER_OPENERS)) and key.count(" ") < _WEATHER_MAX_WORDS:
        return "menu"
    if _URL_LINE.match(line):
        return "url"
    if len(line) <= 90 and _SITE_NAME.match(key):
        return "menu"
    if key.startswith(_SLOGAN_OPENERS) and not line.endswith(".") or key.rstrip("!").endswith("muôn năm"):
        return "menu"
    if _SOURCE_LINK.match(line):
        return "credit"
    if _is_menu(line, key):
        return "menu"
    return "text"


def _is_button(key: str) -> bool:
    if key in _BUTTON_LINES or key.startswith(_BUTTON_PREFIXES) or _FOLLOW_US.match(key) or _INVITES_READERS.match(key):
        return True
    return bool(key) and _SHARE_WORDS.issuperset(key.split())  # "Share Facebook Share Google Share Twitter"


def _is_footer(key: str) -> bool:
    if key in _FOOTER_LINES or key.startswith(_FOOTER_PREFIXES) or _OUTLET_FOOTER.match(key) or _VISITORS.match(key):
        return True
    # "* Mời bạn đọc ... xem các tin, bài liên quan": the other stories' leads follow
    return bool(_INVITES_READERS.match(key)) and "liên quan" in key


def _furniture_key(line: str) -> str:
    if line.endswith((")", "]")):
        line = _COUNTER.sub("", line)
    return line.strip().rstrip(":：").strip().casefold()


def _is_junk(line: str) -> bool:
    """Lone dots, bare counters ("869"), stray letters ("q"), "A A A" font buttons."""
    return not _TWO_LETTERS.search(line)


def _is_date_line(line: str) -> bool:
    # Every date holds a digit: a line without one (most) skips the date scan (tried at every character).
    if len(line) > _DATE_LINE_MAX_CHARS + _BYLINE_MAX_CHARS or not _A_DIGIT.search(line) or not _DATE_IN_LINE.search(line):
        return False
    byline = _BYLINE_LABEL.search(line)
    if byline:
        line = line[: byline.start()]
    if len(line) > _DATE_LINE_MAX_CHARS or not _DATE_IN_LINE.search(line):
        return False
    if _is_bare_date(line):
        return True
    # "06/10/2024 | 00:35 GMT+7 | Điện thoại: ... | Email: ...": a date segment among header items.
    segments = _DATE_LINE_SEGMENTS.split(line)
    return len(segments) > 1 and _is_bare_date(segments[0])


def _is_bare_date(text: str) -> bool:
    if not _DATE_IN_LINE.search(text):
        return False
    rest = _DATE_LINE_NOISE.sub(" ", _DATE_IN_LINE.sub(" ", text))
    return len(_LEFTOVER_WORD.findall(rest)) <= 2


def _labelled_date(line: str) -> bool:
    return bool(_PUBLICATION_LABEL.search(line))


_PUBLICATION_LABEL = re.compile(r"ngày đăng|đăng ngày|đăng lúc|cập nhật|xuất bản", re.IGNORECASE)


def _is_menu(line: str, key: str) -> bool:
    if _is_nav(key):
        return True
    if line.endswith(_SENTENCE_FINAL_CHARS) and not line.endswith(":"):
        return False
    if "|" in line and _TABLE_ROW.match(line):
        return False  # "Chi cục và tương đương | 24 | 17 | 7": a table flattened to text is article matter
    segments = [s for s in _MENU_SEPARATORS.split(line) if s] if _MENU_SEPARATOR_CHARS.search(line) else [line]
    if len(segments) >= 2 and all(len(s.split()) <= 5 for s in segments):
        return True  # "HOTLINE: 0834 244 333 | THƯ VIỆN | ĐẶT LÀM TRANG CHỦ", "Trang chủ > Thời sự"
    # A breadcrumb that starts at the home page is furniture however long its last section's name is
    # ("TRANG CHỦ > THỜI SỰ > HOẠT ĐỘNG CỦA LÃNH ĐẠO BỘ, NGÀNH"); a headline never opens that way.
    if len(segments) >= 2 and _BREADCRUMB_ARROW.search(line) and _is_nav(_furniture_key(segments[0])):
        return True
    # Short ALL-CAPS lines are menu items ("DỊCH VỤ CÔNG", "TIN TỨC"); a long one may be a headline.
    return line.isupper() and len(line.split()) <= 6


def _is_nav(key: str) -> bool:
    """True when the line is nothing but section names: "Tin mới Emagazine Truyền hình Podcast"."""
    if len(key) > 120 or key.split(" ", 1)[0] not in _NAV_FIRST_WORDS:
        return False
    words = [w for w in _MENU_SEPARATORS.sub(" ", key).replace(" - ", " ").split() if w not in "-–—|"]
    if not words:
        return False
    i = 0
    while i < len(words):
        for n in range(min(_NAV_MAX_WORDS, len(words) - i), 0, -1):
            if " ".join(words[i:i + n]) in _NAV_PHRASES:
                i += n
                break
        else:
            return False
    return True


def _is_slug(line: str, title_words: set[str]) -> bool:
    """Image alt text or URL slugs repeating a headline without diacritics."""
    if not line.isascii():
        return False
    words = _ASCII_WORD.findall(line)
    if len(words) < 3:
        return False
    if line == line.lower() and not line.endswith(_SENTENCE_FINAL_CHARS):
        return True
    folded = {w.lower() for w in words}
    if title_words and len(folded & title_words) * 10 >= 6 * len(folded):
        return True
    # Real Vietnamese sentences carry diacritics; toneless common syllables betray stripped text.
    return len(words) >= 4 and len(folded & _TONELESS_SYLLABLES) * 10 >= 4 * len(folded)


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_TONELESS_SYLLABLES = frozenset(
    "cua va cac nhung mot trong cho voi tai ve de o la duoc da se khi nay tu den theo tinh huyen xa phuong "
    "thanh pho hoi nghi dang uy ban so bo may sap xep tinh gian bien che can thuc hien trien khai cong tac "
    "lanh dao "
    "chinh quyen nhan dan kinh te phat trien hoc tap nghiem trao doi doan nam thang ngay quan cai cach hanh "
    "dong chi bi thu chu tich pho truong vien giam".split()
)


# --- structure ----------------------------------------------------------------------------------


def _find_title(lines: list[str], kinds: list[str], title_hint: str | None) -> tuple[int | None, str | None]:
    if title_hint and title_hint.strip():
        hint = _strip_outlet_suffix(_MULTISPACE.sub(" ", unicodedata.normalize("NFC", title_hint).strip()))
        key = _fold(hint)
        for i, line in enumerate(lines[:40]):
            if line and _fold(_strip_outlet_suffix(line)) == key:
                return i, _repair_line(hint)
        return None, _repair_line(hint)
    for i, line in enumerate(lines):
        if kinds[i] == "text":
            stamped = _stamped_headline(lines, kinds, i)
            if stamped is not None:
                # "Huyện Nhơn Trạch:" over "Thực hiện kiêm nhiệm ...": a kicker ending in a colon opens the headline
                kicker = f"{line} " if stamped != i and line.endswith(":") else ""
                return stamped, _repair_line(kicker + _strip_outlet_suffix(lines[stamped]))
            # A paragraph, or a sentence such as a photo caption ("... phát biểu (Ảnh: X)."): the excerpt
            # starts below its headline, and a line further down (a subhead, a caption) is not the headline.
            # A caption boxed in a table's bars ("Trung tâm ... của tỉnh. |") is a sentence too.
            if _looks_like_paragraph(line) or _is_sentence(line.removesuffix("|").rstrip() or line):
                # Some outlets print the headline in capitals: take a capitalised line just above the lead.
                for j in range(i - 1, max(-1, i - 4), -1):
                    if kinds[j] == "menu" and _is_caps_headline(lines[j]):
                        return j, _repair_line(lines[j])
                    if kinds[j] not in ("blank", "date", "junk"):
                        break
                return None, None  # starts with body text: no headline printed
            if len(_WORD.findall(line)) <= 4:
                # A section name ("Cải cách hành chính") or the site's name ("VietnamPlus") printed above
                # the real headline, perhaps with menus and the date between them.
                j = _headline_below(lines, kinds, i)
                if j is not None:
                    return j, _repair_line(_strip_outlet_suffix(lines[j]))
            return i, _repair_line(_strip_outlet_suffix(line))
    return None, None


# At most three lower-case words of plain ASCII letters, alone on their line.
_MARKUP_LABEL = re.compile(r"[a-z]+(?: [a-z]+){0,2}")


def _stamped_headline(lines: list[str], kinds: list[str], i: int) -> int | None:
    """The headline the article's time is printed under, read from the first text line: that line itself, even
    ending with a full stop ("Sáp nhập ... vào Ban Tuyên giáo Huyện ủy." over "Cập nhật ngày: 10/12/2019"), or the
    line below a section label ("Xây dựng Đảng - Chính quyền" over the headline over "HOÀNG BIÊN 28/01/2024")."""
    if _date_follows(lines, kinds, i):
        # (a section name over the date, "Thời sự" over "20/03/2025", is no headline: the one below it may be)
        headline = len(lines[i]) <= _TITLE_MAX_CHARS and _SECTION_MAX_WORDS < len(lines[i].split()) <= _HEADLINE_MAX_WORDS
        return i if headline else None
    if len(lines[i].split()) > _LABEL_MAX_WORDS or _is_sentence(lines[i]):
        return None
    j = _headline_below(lines, kinds, i)
    return j if j is not None and _date_follows(lines, kinds, j) else None


def _date_follows(lines: list[str], kinds: list[str], i: int) -> bool:
    nxt = next((k for k in range(i + 1, min(len(lines), i + 3)) if kinds[k] != "blank"), None)
    return nxt is not None and kinds[nxt] == "date"


_HEADLINE_MAX_WORDS = 35
_SECTION_MAX_WORDS = 4
_LABEL_MAX_WORDS = 8  # a section label over the headline ("Xây dựng Đảng - Chính quyền")


def _is_sentence(line: str) -> bool:
    """Body text, never a headline: a line that ends as a sentence ends ("... sau sắp xếp."), carries a
    photo credit, opens mid-sentence ("quyết TTHC tại ...") or with a connective ("Theo đó, ...")."""
    if line.endswith(".") and not line.endswith("..") and len(_WORD.findall(line)) > 4:
        return True
    if line[:1].islower() or _OPENS_WITH_CONNECTIVE.match(line) or _INNER_SENTENCE_END.search(line):
        return True
    return _without_photo_credit(line) != line


# Two sentences on one line ("... đặt tại Quảng Bình hiện nay. Đây là hình ảnh về TP Đồng Hới"): a caption or a
# paragraph, never a headline. (A lower-case word before the stop: "TP. Hồ Chí Minh" is an abbreviation.)
_INNER_SENTENCE_END = re.compile(rf"[{LOWER}]{{2}}[.!?] +[{UPPER}]")


_OPENS_WITH_CONNECTIVE = re.compile(
    r"(?:Cụ thể|Theo đó|Trong đó|Ngoài ra|Tuy nhiên|Đồng thời|Bên cạnh đó|Trước đó|Sau đó|Qua đó|Do đó|"
    r"Vì vậy|Như vậy|Mặt khác|Hiện nay|Hiện tại),\s"
)


def _headline_below(lines: list[str], kinds: list[str], i: int) -> int | None:
    """The first headline-shaped line below a short one, before any paragraph; None if none."""
    for k in range(i + 1, min(len(lines), i + _HEADLINE_LOOKAHEAD)):
        if kinds[k] != "text" or len(lines[k].split()) <= 4:
            continue
        return k if _is_headline_shaped(lines[k]) else None
    return None


_HEADLINE_LOOKAHEAD = 12


def _is_headline_shaped(line: str) -> bool:
    return (6 <= len(line.split()) <= 35 and not line.endswith((".", "…")) and not _looks_like_paragraph(line)
            and not _OPENS_LEAD.match(line))


# A lead opens with the day of the event; a headline rarely does.
_OPENS_LEAD = re.compile(r"(?:Sáng|Trưa|Chiều|Tối|Đêm|Ngày|Hôm nay|Hôm qua)\b[^,]{0,12}\d")


_TITLE_MAX_CHARS = 250


def _looks_like_paragraph(line: str) -> bool:
    if len(line) > _TITLE_MAX_CHARS:
        return True
    ends_a_sentence = line.endswith((".", "…", '"', "”"))
    return ends_a_sentence and (len(line) > 120 or bool(_OPENS_LEAD.match(line)))


def _is_caps_headline(line: str) -> bool:
    return len(line.split()) >= 3 and not _MENU_SEPARATORS.search(line) and not _is_nav(_furniture_key(line))


_OUTLET_SUFFIX = re.compile(
    r"\s+[-|–—]\s+(?:Báo|Cổng|Trang|Tạp chí|Đài|Truyền hình|Thông tấn|VOV|VTV|TTXVN|[\w-]+\.(?:vn|com|net))"
    r"\b[^-|–—]*$"
)


def _strip_outlet_suffix(title: str) -> str:
    """"Tiêu đề - Báo Quảng Ninh điện tử" → "Tiêu đề" (browser titles carry the site's name)."""
    return _OUTLET_SUFFIX.sub("", title).strip()


def _footer_start(lines: list[str], kinds: list[str], body_from: int) -> int:
    """Index of the line where related links or the footer begin; len(lines) if none."""
    sizes = [len(ln) if kinds[i] == "text" else 0 for i, ln in enumerate(lines)]
    total = sum(sizes[body_from:])
    seen = 0
    for i in range(body_from, len(lines)):
        if kinds[i] == "footer" and seen >= 200 and seen * 100 >= 35 * total:
            return i
        seen += sizes[i]
    return len(lines)


def _date_line_bylines(line: str) -> list[str]:
    """The byline on a date line: "20/04/2017 18:02 | Tác giả: Minh Thu", "Thứ Năm, 16/09/2021 | Minh Thu"."""
    label = _BYLINE_LABEL.search(line)
    if label:
        return [line[label.start():]] if byline_names(line[label.start():]) else []
    found = []
    for segment in _DATE_LINE_SEGMENTS.split(line):
        rest = _DATE_LINE_NOISE.sub(" ", _DATE_IN_LINE.sub(" ", segment)).strip(" ,:;()[]")
        if rest and not any(ch.isdigit() for ch in rest) and byline_names(rest):
            found.append(rest)
    return found


_DATE_LINE_SEGMENTS = re.compile(r"\s*[|–—]\s*|\s+-\s+")


_TODAY = re.compile(r"^\s*hôm nay\b", re.IGNORECASE)


def _is_header_widget(lines: list[str], kinds: list[str], i: int, title_at: int | None) -> bool:
    """A date in the page's header ("Thứ sáu 20/03/2026 10:41" over the hotline and the section label) is
    today's date on the site, not the article's: a date line above the headline with furniture between.
    A labelled one ("Ngày đăng: ...") is the article's wherever it stands."""
    if _TODAY.search(lines[i]):
        return True  # "Hôm nay: Thứ sáu, 20/03/2026" names itself
    if title_at is None or i > title_at or _labelled_date(lines[i]):
        return False
    if any(kind not in ("blank", "date") for kind in kinds[i + 1:title_at]):
        return True
    # "Thứ Sáu, 20/9/2019" right above the headline, and the article's own time below it ("14/5/2019 8:43"):
    # the day the page was read, printed as the site's clock.
    return bool(_WEEKDAY_FIRST.match(lines[i])) and "date" in kinds[title_at + 1:title_at + 1 + _STAMP_BELOW_TITLE]


_WEEKDAY_FIRST = re.compile(_WEEKDAY, re.IGNORECASE)
_STAMP_BELOW_TITLE = 3


def _inside_body(kinds: list[str], i: int, body_from: int, end: int) -> bool:
    return "text" in kinds[body_from:i] and "text" in kinds[i + 1:end]


# A table's row as the page gives it: "| Tiên Lữ | Hưng Đạo, Nhật Tân | Hoàng Hoa Thám |".
_BOXED_ROW = re.compile(r"\|(?:[^|\n]*\|){2,}")


def _keep_tables(lines: list[str], kinds: list[str]) -> None:
    """Two or more rows in a run are a table, article matter, however short their cells: a menu is one line of
    section names ("| Trang chủ | Tin tức |"), which stays a menu."""
    if not any(line[:1] == "|" for line in lines):
        return  # most pages have no boxed line at all
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if line and _BOXED_ROW.fullmatch(line.strip()):
            run.append(i)
            continue
        if len(run) >= 2:
            for j in run:
                if kinds[j] == "menu" and not _is_nav(_furniture_key(lines[j])):
                    kinds[j] = "text"
        run = []


# A line that only separates items ("-", "•", "|"), or the same mark ending an item's line ("... tại Khánh Hòa -").
_SEPARATOR_CHARS = "-–—•·*|"
_SEPARATOR_LINE = re.compile(f"[{re.escape(_SEPARATOR_CHARS)}]+")
_SEPARATOR_AFTER = (" -", " –", " —", " |", " •")
_TICKER_MIN_ITEMS = 3


def _drop_headline_tickers(lines: list[str], kinds: list[str]) -> None:
    """Headlines of other stories printed one under another between separators ("-", "Tập đoàn GEO ...", "-",
    "Gỡ khó cho 4 dự án ...", "-", ...), as a page's ticker or side column does: three or more in a run are not
    the article, whatever they name."""
    if not any(line[:1] in _SEPARATOR_CHARS and _SEPARATOR_LINE.fullmatch(line) for line in lines if line):
        return  # no line that only separates: no ticker (most pages)
    run: list[int] = []
    separated = False  # the last line read (blanks aside) separates items
    for i, line in enumerate(lines):
        if kinds[i] == "blank":
            continue
        if _SEPARATOR_LINE.fullmatch(line):
            separated = True
            continue
        in_table = line.startswith("|")  # a table's rows end with their bar: no separator
        if separated and kinds[i] == "text" and not in_table and _is_headline_shaped(line.rstrip(" -–—|•")):
            run.append(i)
        else:
            _mark_ticker(run, kinds)
            run = []
        separated = not in_table and line.endswith(_SEPARATOR_AFTER)
    _mark_ticker(run, kinds)


def _mark_ticker(run: list[int], kinds: list[str]) -> None:
    if len(run) >= _TICKER_MIN_ITEMS:
        for i in run:
            kinds[i] = "related"


def _drop_related_lists(lines: list[str], kinds: list[str], body_from: int, end: int) -> None:
    """A "Tin liên quan" heading inside the article: its list of headlines is not the article."""
    for i in range(body_from, end):
        if kinds[i] != "footer" or _furniture_key(lines[i]) not in _RELATED_HEADINGS:
            continue
        j, dropped = i + 1, 0
        while j < end and dropped < _RELATED_MAX_ITEMS and kinds[j] in ("text", "blank"):
            if kinds[j] == "text":
                if len(lines[j]) > 160 or lines[j].endswith((".", "…", ":")):
                    break
                kinds[j] = "related"
                dropped += 1
            elif dropped:
                break  # a blank line after the list ends it
            j += 1


def _tail_bylines(lines: list[str], kinds: list[str], body_from: int, end: int) -> set[int]:
    """Byline lines at the end of the article, below the last paragraph."""
    found: set[int] = set()
    i = end - 1
    while i >= body_from and len(found) < 3:
        kind = kinds[i]
        if kind in ("blank", "junk", "button", "footer", "url", "date", "credit", "related") or (
            kind == "menu" and _is_nav(_furniture_key(lines[i]))
        ):
            i -= 1
            continue
        if kind == "menu" and byline_names(lines[i]) is None:
            i -= 1  # buttons or a menu under the byline; an upper-case name ("MINH DUY") is a menu line too
            continue
        if not found and _is_widget_label(lines[i]) and "text" in kinds[body_from:i]:
            kinds[i] = "button"
            i -= 1
            continue
        if kind not in ("text", "menu") or byline_names(lines[i]) is None:
            break
        if "text" not in kinds[body_from:i]:
            break  # nothing above it: the article itself, not a byline under it
        if _is_lone_credit(lines[i]):
            kinds[i] = "credit"
        else:
            found.add(i)
        i -= 1
    return found


def _is_widget_label(line: str) -> bool:
    """A short lower-case label under the article ("các thông tin tiện ích"): no paragraph opens in lower case."""
    return line[:1].islower() and len(line.split()) <= _LABEL_MAX_WORDS and not line.endswith(_SENTENCE_FINAL_CHARS)


def _is_lone_credit(line: str) -> bool:
    """"Ảnh: Hữu Tài", "Nguồn: Báo Đồng Nai": a credit line, not the article's byline."""
    labels = _BYLINE_LABEL.findall(line)
    return len(labels) == 1 and _BYLINE_LABEL.match(line) is not None and _fold(labels[0]) in _CREDIT_LABELS


def _labelled_bylines(lines: list[str], kinds: list[str], body_from: int, end: int) -> set[int]:
    """Lines such as "Bài và ảnh: Minh Thu" wherever they stand; a lone "Ảnh: X" is a photo credit."""
    found = set()
    for i in range(body_from, end):
        if kinds[i] != "text" or i in found:
            continue
        if not _BYLINE_LABEL.match(lines[i]) or byline_names(lines[i]) is None:
            continue
        if _is_lone_credit(lines[i]):
            kinds[i] = "credit"
        else:
            found.add(i)
    return found


def _bylines_beside_date(lines: list[str], kinds: list[str], body_from: int, end: int) -> set[int]:
    """Some outlets print the author's name on the line next to the date line, above the lead."""
    found = set()
    for i in range(body_from, min(end, body_from + 8)):
        if kinds[i] != "date":
            continue
        for j in (_next_filled(kinds, i, -1, body_from), _next_filled(kinds, i, 1, end)):
            if j is not None and kinds[j] in ("text", "menu") and byline_names(lines[j]):
                found.add(j)
    return found


def _next_filled(kinds: list[str], i: int, step: int, limit: int) -> int | None:
    """The nearest line from i in direction step that is not blank, within [.., limit)."""
    j = i + step
    while (j >= limit if step < 0 else j < limit) and kinds[j] == "blank":
        j += step
    return j if (j >= limit if step < 0 else j < limit) else None


def _strip_lead_tag(body: list[str]) -> tuple[list[str], str | None]:
    for k, para in enumerate(body[:3]):
        m = _LEAD_TAG.match(para) or _LEAD_DOMAIN_TAG.match(para) or _LEAD_MARKER.match(para)
        if m and len(para) > m.end() + 20:
            return body[:k] + [para[m.end():]] + body[k + 1:], next(g for g in m.groups() if g).strip()
    return body, None


def _repair_line(line: str) -> str:
    return _repair_spacing(_without_photo_credit(line))


def _without_photo_credit(line: str) -> str:
    """Drop a photo credit: "... phát biểu. Ảnh: Minh Thu", "<headline> - Ảnh 1." (image alt text)."""
    tail_from = max(0, len(line) - _CREDIT_MAX_CHARS)
    tail = line[tail_from:]
    credit = _PHOTO_CREDIT.search(line, tail_from) if "Ảnh" in tail or _NUMBERED_PHOTO.search(tail) else None
    if not credit:
        return line
    if credit.start() == 0:
        return ""  # a line that is only a photo credit
    if credit.group("bare") and not line[: credit.start()].rstrip().endswith((".", "!", "?", "…")):
        return line  # "Ảnh" and a name without a colon credits a photo only after a finished caption
    said = credit.group(0)
    marked = (":" in said or "(" in said or "[" in said or "minh" in said or "tư liệu" in said
              or credit.group("bare"))
    if credit.start() >= _CAPTION_CREDIT_MIN_PREFIX and (marked or credit.group("number")):
        return line[: credit.start()].rstrip(" -–—")
    return line


def _repair_spacing(text: str) -> str:
    text = _split_run_together_words(text)
    return _LOST_SPACE_AFTER_COMMA.sub(_space_after_comma, text) if _letter_after_a_comma(text) else text


def _letter_after_a_comma(text: str) -> bool:
    """Whether _LOST_SPACE_AFTER_COMMA matches: a letter right after a "," or ";" (rare: most are followed by a
    space). Searched once for each mark: a pattern that opens with one plain character is skipped to far faster
    than one that opens with a class."""
    return _LETTER_AFTER_COMMA.search(text) is not None or _LETTER_AFTER_SEMICOLON.search(text) is not None


_LETTER_AFTER_COMMA = re.compile(rf",(?=[{LETTERS}])")
_LETTER_AFTER_SEMICOLON = re.compile(rf";(?=[{LETTERS}])")


def _split_run_together_words(text: str) -> str:
    """"PhạmThị" → "Phạm Thị"; only Vietnamese syllables, so "iPhone", "VinFast", "ThS" stay."""
    cuts = []
    for m in _UPPER_AFTER_LOWER.finditer(text):
        at = m.start()
        start = at - 1
        while start > 0 and text[start - 1].isalpha() and not text[start].isupper():
            start -= 1
        end = at + 1
        while end < len(text) and text[end].islower():
            end += 1
        left, right = text[start:at], text[at:end]
        if len(left) >= 2 and len(right) >= 2 and not (left.isascii() and right.isascii()):
            cuts.append(at)
    if not cuts:
        return text
    pieces, last = [], 0
    for at in cuts:
        pieces += [text[last:at], " "]
        last = at
    return "".join(pieces) + text[last:]


def _space_after_comma(m: re.Match[str]) -> str:
    """"tỉnh,huyện" → "tỉnh, huyện"; numbers ("1,33") have no letter before the comma."""
    before = m.string[m.start() - 1] if m.start() else ""
    return m.group(0) + " " if before.isalpha() else m.group(0)


def _without_promos(
    body: list[str], title: str | None, folded: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Drop teasers for other stories printed inside the article, returned apart.

    "| Tỉnh X tăng cường kiểm tra cải cách hành chính |": a headline boxed in bars on its own line is a
    link to another article (a caption in a box ends as a sentence, or follows its "![]()" image). A
    headline-shaped line inside the body that shares (almost) no two-word phrase with the rest of the
    article ("Ngọn núi nổi tiếng ... đẹp như phim") promotes another story: its places and bodies are not
    the article's. Subheads and captions share a tenth of their word pairs or more. `folded` holds the lines
    casefolded, if the caller has them.
    """
    if len(body) < 3:
        return body, []
    dropped: set[int] = set()
    for i, line in enumerate(body):
        if line.startswith("|") and _BOXED.match(line):
            inside = line.strip("| ").rstrip()
            after_image = i > 0 and body[i - 1].startswith("![")
            if not after_image and not inside.endswith(_SENTENCE_FINAL_CHARS):
                dropped.add(i)
    # The last line may be a paragraph cut short; most articles have no headline-shaped line in between.
    candidates = [i for i in range(1, len(body) - 1) if i not in dropped and _is_promo_shaped(body[i])]
    if candidates:
        if folded is None:
            folded = [line.casefold() for line in body]
        dropped |= _promos(candidates, folded, dropped, _word_pairs(title) if title else set())
    return [ln for i, ln in enumerate(body) if i not in dropped], [body[i] for i in sorted(dropped)]


def _promos(
    candidates: list[int], folded: list[str], dropped: set[int], title_pairs: set[tuple[str, str]]
) -> set[int]:
    """The candidates that share fewer than a tenth of their word pairs with the title or another line that is not
    dropped. The other lines are read one by one until every candidate has shared enough or none is left: a subhead
    usually shares its pairs with the first paragraphs, and the rest of the article is never split into words."""
    pairs: dict[int, set[tuple[str, str]]] = {}

    def pairs_of(i: int) -> set[tuple[str, str]]:
        if i not in pairs:
            pairs[i] = _pairs_of(_WORD.findall(folded[i]))
        return pairs[i]

    unshared: dict[int, set[tuple[str, str]]] = {}  # a candidate's pairs found nowhere else yet
    for i in candidates:
        if (len(pairs_of(i)) - len(pairs_of(i) - title_pairs)) * _PROMO_SHARED_SHARE < len(pairs_of(i)):
            unshared[i] = pairs_of(i) - title_pairs
    for j in range(len(folded)):
        if not unshared:
            break
        if j in dropped:
            continue
        for i in [i for i in unshared if i != j and not unshared[i].isdisjoint(pairs_of(j))]:
            unshared[i] -= pairs_of(j)
            if (len(pairs_of(i)) - len(unshared[i])) * _PROMO_SHARED_SHARE >= len(pairs_of(i)):
                del unshared[i]
    return set(unshared)


_BOXED = re.compile(r"^\|\s*[^|]{12,}\|$")
_PROMO_MIN_WORDS = 8
_PROMO_SHARED_SHARE = 10  # fewer than 1 in 10 of its word pairs found elsewhere in the article


def _is_promo_shaped(line: str) -> bool:
    if line.endswith(_SENTENCE_FINAL_CHARS) or "|" in line or ":" in line or len(line) > _PROMO_MAX_CHARS:
        return False
    return line.count(" ") + 1 >= _PROMO_MIN_WORDS


_PROMO_MAX_CHARS = 250


def _word_pairs(text: str) -> set[tuple[str, str]]:
    return _pairs_of(_WORD.findall(text.casefold()))


def _pairs_of(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def _kept_from_repeats(body: list[str], folded: list[str], title: str | None) -> list[int]:
    """Which lines stay once captions printed twice (keeping the better copy) and paragraphs repeated verbatim are
    dropped; `folded` holds the lines casefolded."""
    tokens: dict[int, list[str]] = {}

    def tokens_of(i: int) -> list[str]:
        if i not in tokens:
            tokens[i] = _WORD.findall(folded[i])
        return tokens[i]

    vocabulary = _WordCounts("\n".join(folded))
    kept: list[int] = []
    title_key = _repeat_key(title) if title else ""
    seen = {title_key} if title else set()
    for i, line in enumerate(body):
        if (kept and _could_be_copies(body[kept[-1]], line) and _near_same(tokens_of(kept[-1]), tokens_of(i))
                and not _states_other_facts(body[kept[-1]], line)):
            if _better_copy(line, body[kept[-1]], tokens_of(i), tokens_of(kept[-1]), vocabulary):
                kept[-1] = i
            continue
        key = folded[i].rstrip(_REPEAT_KEY_END)  # _repeat_key(line)
        if key in seen and (line.count(" ") >= 5 or key == title_key):
            continue
        seen.add(key)
        kept.append(i)
    return kept


def _repeat_key(line: str) -> str:
    return line.casefold().rstrip(_REPEAT_KEY_END)


_REPEAT_KEY_END = " .…!?;:"


def _could_be_copies(a: str, b: str) -> bool:
    """Cheap test before comparing words: similar length, and the same first or last word."""
    if max(len(a), len(b)) > _CAPTION_MAX_CHARS or min(len(a), len(b)) * 10 < 7 * max(len(a), len(b)):
        return False
    return a.split(" ", 1)[0] == b.split(" ", 1)[0] or a.rsplit(" ", 1)[-1][:4] == b.rsplit(" ", 1)[-1][:4]


_CAPTION_MAX_CHARS = 600


_DIGIT_RUN = re.compile(r"\d+")
_CAPITALISED_WORD = re.compile(rf"(?<![{LETTERS}])[{UPPER}][{LETTERS}]*")


def _states_other_facts(a: str, b: str) -> bool:
    """Two like lines that are no copies of one caption: other numbers, or other names on both sides, more than a
    word on one, that are no misspelling of each other. "Huyện Tiên Phước có 14 đơn vị ..." and "Huyện Bắc Trà My
    có 13 đơn vị ..." are two facts; "Đồng chí Lò Minh Hưng phát biểu" and "... Hùng phát biểu." one caption, once
    mistyped (a caption's copy may get one word of a name wrong: "Phạm Thị Thanh Hằng" for "... Trà")."""
    if sorted(_DIGIT_RUN.findall(a)) != sorted(_DIGIT_RUN.findall(b)):
        return True
    names_a, names_b = set(_CAPITALISED_WORD.findall(a)), set(_CAPITALISED_WORD.findall(b))
    only_a, only_b = names_a - names_b, names_b - names_a
    if not (only_a and only_b) or max(len(only_a), len(only_b)) < 2:
        return False
    return {fold(w) for w in only_a} != {fold(w) for w in only_b}


def _near_same(a: list[str], b: list[str]) -> bool:
    if len(a) < 3 or len(b) < 3:
        return a == b
    if min(len(a), len(b)) * 10 < 7 * max(len(a), len(b)):
        return False
    counts_a, counts_b = Counter(a), Counter(b)
    common = sum(min(n, counts_b[word]) for word, n in counts_a.items() if word in counts_b)  # Counter's & summed
    return common * 10 >= 8 * (len(a) + len(b)) / 2


_WORD_CHARACTERS = frozenset(LETTERS + "0123456789")


class _WordCounts:
    """How many times each word occurs in a text, as `Counter(_WORD.findall(text))` says, counted for the words
    asked only: comparing a caption with its copy asks about a few words, not the thousand of the article."""

    def __init__(self, text: str):
        self._text = text
        self._counts: dict[str, int] = {}

    def __getitem__(self, word: str) -> int:
        if word not in self._counts:
            self._counts[word] = self._count(word)
        return self._counts[word]

    def more_than(self, word: str, n: int) -> bool:
        """`self[word] > n`, counted only up to n + 1 (a common word is not counted through the whole text)."""
        if word in self._counts:
            return self._counts[word] > n
        return self._count(word, stop_after=n + 1) > n

    def _count(self, word: str, stop_after: int | None = None) -> int:
        text, count = self._text, 0
        at = text.find(word)
        while at != -1 and count != stop_after:
            end = at + len(word)
            if (at == 0 or text[at - 1] not in _WORD_CHARACTERS) and (end == len(text) or text[end] not in _WORD_CHARACTERS):
                count += 1  # a whole word, not a piece of a longer one
            at = text.find(word, at + 1)
        return count


def _better_copy(new_line: str, old_line: str, new: list[str], old: list[str], vocabulary: _WordCounts) -> bool:
    """Prefer the copy whose differing words the rest of the article confirms, then the complete one."""
    a, b = Counter(new), Counter(old)

    def support(own: Counter, other: Counter) -> float:
        diff = [t for t in own if t not in other]
        if not diff:
            return 0.0
        # Found more often than in the two copies together (a word of one copy only: its count in that copy).
        return sum(vocabulary.more_than(t, own[t]) for t in diff) / len(diff)

    new_support, old_support = support(a, b), support(b, a)
    if new_support != old_support:
        return new_support > old_support
    new_ends, old_ends = new_line.endswith(_SENTENCE_FINAL_CHARS), old_line.endswith(_SENTENCE_FINAL_CHARS)
    if new_ends != old_ends:
        return new_ends
    return len(new_line) >= len(old_line)


# --- names ---------------------------------------------------------------------------------------


def _names_in(value: str, *, allow_agencies: bool) -> list[str] | None:
    """Personal names in a byline value; None when a part is neither a name nor an outlet or affiliation."""
    value = _BYLINE_DROP.sub(" ", value).strip(" .-–—")
    if not value:
        return None
    names: list[str] = []
    for part in _BYLINE_SPLIT.split(value):
        part = _HONORIFIC.sub("", part.strip(" .")).strip(" .")
        if not part:
            continue
        if len(part.split()) > _AFFILIATION_MAX_WORDS:
            return None  # a sentence ("Ban Chỉ đạo ... đã họp"), not an outlet or workplace beside a name
        name = _as_name(part)
        if name:
            names.append(name)
        elif allow_agencies and (
            _AGENCY.match(part) or _furniture_key(part) in _REPORTER_PLACEHOLDERS
            or _AFFILIATION.match(part) or _INITIALS.match(part) or _HOST_LIKE.search(part)
        ):
            continue
        else:
            return None
    return names


def _as_name(part: str) -> str | None:
    words = part.split()
    if not 2 <= len(words) <= 5:
        return None
    letters = [ch for ch in part if ch.isalpha()]
    in_capitals = all(ch.isupper() for ch in letters)
    if in_capitals:
        words = [w if _INITIAL.match(w) else w.capitalize() for w in words]  # "MINH THU" → "Minh Thu"
    # A given name may be cut to its initial ("C. Trúc", "N.T. Hà"); the last word is always written out.
    initials = 0
    while initials < len(words) - 1 and _INITIAL.match(words[initials]):
        initials += 1
    if initials > 2 or not all(_NAME_TOKEN.match(w) for w in words[initials:]):
        return None
    if any(w in _NOT_NAME_TOKENS for w in words):
        return None
    name = " ".join(words)
    # A province alone is a place line; printed in capitals as a byline ("HẢI DƯƠNG") it is a pen name.
    return None if province_of(name) and not in_capitals else name


def _fold(s: str | None) -> str:
    """Case- and diacritic-insensitive form for comparisons."""
    return fold(s) if s else ""
