"""The cleaner's and the metrics' fast paths give what their plain forms give."""
from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from services.extract.engine import clean

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
TEXTS = [unicodedata.normalize("NFC", p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def _plain_promos(body: list[str], candidates: list[int], dropped: set[int], title: str | None) -> set[int]:
    """Every line split into its word pairs, and each pair's lines counted (the form _promos reads lazily)."""
    pairs = [clean._word_pairs(line) if i not in dropped else set() for i, line in enumerate(body)]
    lines_with = Counter(pair for line_pairs in pairs for pair in line_pairs)
    title_pairs = clean._word_pairs(title) if title else set()
    promos = set()
    for i in candidates:
        shared = sum(lines_with[pair] > 1 or pair in title_pairs for pair in pairs[i])
        if shared * clean._PROMO_SHARED_SHARE < len(pairs[i]):
            promos.add(i)
    return promos


def _bodies() -> list[tuple[list[str], str | None]]:
    """The seeds' bodies, and each with the other seeds' lines set in it (lines of another story: promos)."""
    bodies = []
    for text in TEXTS:
        cleaned = clean.clean_article(text)
        lines = cleaned.text.split("\n")
        bodies.append((lines[1:] if cleaned.title else lines, cleaned.title))
    mixed = []
    for k, (body, title) in enumerate(bodies):
        others = [line for body_of_other, _ in bodies[k + 1:] + bodies[:k] for line in body_of_other[:3]]
        # Lines of another story, and lines that open with a few words of the article and go on with that story.
        hybrids = [" ".join(body[2].split()[:n] + _OTHER_STORY[0].split()) for n in range(1, 6)]
        mixed.append((body[:4] + others + _OTHER_STORY + hybrids + body[4:], title))
    return bodies + mixed


_OTHER_STORY = [
    "Ngọn núi nổi tiếng ở miền Tây đẹp như phim khiến du khách mê mẩn suốt mùa hè năm nay",
    "Đội tuyển bóng đá giành chiến thắng thuyết phục trong trận chung kết tối qua trên sân nhà",
]


def test_the_seeds_are_read():
    assert len(TEXTS) == 5 and all(len(body) > 10 for body, _ in _bodies())


@pytest.mark.parametrize("title_known", [True, False])
def test_promos_read_lazily_are_the_promos_of_every_line_counted(title_known):
    """Every line of every seed taken as a candidate, with and without a dropped line and the title."""
    for body, title in _bodies():
        title = title if title_known else None
        folded = [line.casefold() for line in body]
        candidates = list(range(len(body)))
        for dropped in (set(), {0}, {len(body) // 2}):
            kept = [i for i in candidates if i not in dropped]
            assert clean._promos(kept, folded, dropped, clean._word_pairs(title) if title else set()) == (
                _plain_promos(body, kept, dropped, title)
            )


def test_lines_taken_as_promos_share_no_pairs_and_others_stay():
    body = ["Tỉnh sắp xếp bộ máy các sở", "Ngọn núi đẹp như phim", "Sắp xếp bộ máy các sở ngành", "Sắp xếp xong"]
    folded = [line.casefold() for line in body]
    assert clean._promos([1, 2], folded, set(), set()) == {1}
    assert clean._promos([1, 2], folded, {0, 3}, set()) == {1, 2}  # only dropped lines shared its pairs
    assert clean._promos([1], folded, set(), clean._word_pairs("Ngọn núi đẹp")) == set()  # 2 of 4 pairs in the title


def test_a_line_without_separator_characters_is_split_by_no_separator():
    lines = [line for text in TEXTS for line in clean._normalised_lines(text)[0]]
    lines += ["Trang chủ > Thời sự", "A | B", "Tin / ảnh", "Tin/ảnh", "a • b · c » d › e", "Kinh tế  -  Xã hội"]
    for line in lines:
        if not clean._MENU_SEPARATOR_CHARS.search(line):
            assert [s for s in clean._MENU_SEPARATORS.split(line) if s] in ([line], [])
        else:
            assert clean._MENU_SEPARATORS.search(line) or "/" in line


def test_casefolding_the_joined_lines_folds_each_line():
    for text in TEXTS:
        lines = clean._normalised_lines(text)[0]
        assert "\n".join(lines).casefold().split("\n") == [line.casefold() for line in lines]


def test_a_letter_after_a_comma_is_told_as_the_regex_finds_it():
    lines = [line for text in TEXTS for line in clean._normalised_lines(text)[0]]
    lines += ["tỉnh,huyện", "1,33", "a;b", "a, b; c", ",a", "a,", "", "a,,b", "x,1", "Ủy ban,Sở", "a,\u00e9", "a,ñ"]
    assert any(clean._letter_after_a_comma(line) for line in lines)
    for line in lines:
        assert clean._letter_after_a_comma(line) == bool(clean._LOST_SPACE_AFTER_COMMA.search(line)), line


def test_word_counts_tell_more_than_as_the_full_count_does():
    text = "\n".join(clean.clean_article(TEXTS[0]).text.split("\n")).casefold() + " xã xã, xãx 2xã"
    words = [*Counter(clean._WORD.findall(text)), "xã", "zzz", "x"]
    for n in range(4):
        counts = clean._WordCounts(text)
        assert [counts.more_than(word, n) for word in words] == [clean._WordCounts(text)[word] > n for word in words]
        assert [counts.more_than(word, n) for word in words] == [counts[word] > n for word in words]  # counted


def test_near_same_counts_the_shared_words_as_counters_do():
    lines = [clean._WORD.findall(line.casefold()) for text in TEXTS for line in clean._normalised_lines(text)[0]]
    pairs = [(a, b) for a, b in zip(lines, lines[1:])] + [(a, a[:-1]) for a in lines] + [(a, a[1:] + ["x"]) for a in lines]
    answers = set()
    for a, b in pairs:
        plain = (a == b) if len(a) < 3 or len(b) < 3 else (
            min(len(a), len(b)) * 10 >= 7 * max(len(a), len(b))
            and sum((Counter(a) & Counter(b)).values()) * 10 >= 8 * (len(a) + len(b)) / 2
        )
        assert clean._near_same(a, b) == plain
        answers.add(plain)
    assert answers == {True, False}


def test_a_line_without_a_digit_holds_no_date():
    lines = [line for text in TEXTS for line in clean._normalised_lines(text)[0]]
    lines += ["Ngày 14 tháng 5 năm 2019", "ngày mười bốn tháng năm năm hai nghìn", "NGÀY ĐĂNG: THỨ HAI", "14/05/2019"]
    assert any(clean._DATE_IN_LINE.search(line) for line in lines)
    for line in lines:
        if not clean._A_DIGIT.search(line):
            assert clean._DATE_IN_LINE.search(line) is None and not clean._is_date_line(line), line


def _plain_clauses(line: str) -> list[tuple[int, int, bool]]:
    import re

    from services.extract.engine.metrics import _CLAUSE_BREAK_PLAIN

    clauses, pos, opens = [], 0, True
    for m in re.finditer(_CLAUSE_BREAK_PLAIN, line):
        if m.start() > pos:
            clauses.append((pos, m.start(), opens))
        opens = m.group(0) != ";"
        pos = m.end()
    if pos < len(line):
        clauses.append((pos, len(line), opens))
    return clauses


_TRICKY_BREAKS = [
    "Tỉnh giảm 3 sở... Huyện giảm 2 phòng", "Tỉnh giảm... huyện giảm", "A.... B", "A...? B", "A... ; B", "A; B. C! D? E",
    "TP. Quảng Ngãi có 3 phường. TX. Đức Phổ có 2 xã. Tp. Huế", "A…  B", "A. (B) C. “D” E. \"F\" G. 1 H",
    "A.  \t B", "A.B", "A. b", ". A", "...", "A.", ";;", "A;", "", " . ", "A!.. B", "1.234,5 người. 2 xã",
]


def test_clauses_found_from_their_marks_are_the_plain_forms_clauses():
    from services.extract.engine.metrics import _clauses

    lines = [line for text in TEXTS for line in clean.clean_article(text).text.split("\n")] + _TRICKY_BREAKS
    for line in lines:
        assert [tuple(c) for c in _clauses(line, 0)] == _plain_clauses(line), line


def test_verbs_grouped_by_first_letter_and_tried_after_their_last_word_match_as_the_plain_search_before_every_place():
    import re

    from services.extract.engine.metrics import _ACTION_BEFORE, _ACTION_BEFORE_PLAIN, _action_before

    plain = re.compile(_ACTION_BEFORE_PLAIN, re.IGNORECASE)
    texts = [clean.clean_article(text).text for text in TEXTS]
    texts += ["Tỉnh đã GIẢM ĐƯỢC khoảng ", "cắt giảm từ ", "giảmkhoảng ", "xgiảm ", "Giảm:  ", "tăng thêm hơn ", "giảm\n"]
    # Every place before a blank or a digit (where a number or the next word starts), and every end of text.
    windows = [text[max(0, end - 50):end] for text in texts for end in range(len(text) + 1)
               if end == len(text) or text[end] == " " or text[end].isdigit()]
    found = 0
    for window in windows:
        expected = plain.search(window)
        for match in (_ACTION_BEFORE.search(window), _action_before(window)):
            assert (match and (match.span(), match.groupdict())) == (expected and (expected.span(), expected.groupdict()))
        cut = len(window) - 5  # a search that ends before the text does ("giảm từ 25 xuống 20": before "từ")
        expected = plain.search(window, 0, cut)
        match = _action_before(window, 0, cut)
        assert (match and (match.span(), match.groupdict())) == (expected and (expected.span(), expected.groupdict()))
        found += expected is not None
    assert found > 100  # the windows hold verbs


def test_the_numbers_of_a_line_are_those_found_clause_by_clause():
    from services.extract.engine.metrics import NUMBER, _clauses, _clauses_with_numbers, _lines

    texts = [clean.clean_article(text).text for text in TEXTS] + [
        "Giảm 5... Tăng 6; giảm 1.234,5 người. 2 xã… 3,5%; 4.5 12.345.678 TP. 3 phường. 0,5! 7? 8",
        "1;2;3 4...5 6.7. 8, 9. A 10.000. B", "giảm 5.\tTỉnh tăng 6.", "x1 2x 3-4 5/6",
    ]
    numbers_seen = 0
    for text in texts:
        for start, line in _lines(text):
            numbers = list(NUMBER.finditer(text, start, start + len(line)))
            by_line = [(c, [m.span() for m in inside]) for c, inside in _clauses_with_numbers(line, start, numbers)]
            by_clause = [(c, [m.span() for m in NUMBER.finditer(text, c.start, c.end)]) for c in _clauses(line, start)]
            while by_clause and not by_clause[-1][1] and len(by_clause) > len(by_line):
                by_clause.pop()  # the clauses after the last number are not read
            assert by_line == by_clause, line
            numbers_seen += len(numbers)
    assert numbers_seen > 50


def test_the_from_tail_is_cut_as_the_plain_substitution_cuts_it():
    from services.extract.engine.metrics import _FROM_TAIL, _without_from_tail

    texts = [clean.clean_article(text).text for text in TEXTS]
    prefixes = [text[max(0, end - 300):end] for text in texts for end in range(len(text)) if text[end].isdigit()]
    prefixes += ["tỷ lệ tăng từ", "số xã giảm từ  ", "GIẢM TỪ ", "từ", " từ", "x từ\n", "tăng từ:", "giảm từ5", "Từ"]
    cut = 0
    for prefix in prefixes:
        assert _without_from_tail(prefix) == _FROM_TAIL.sub("", prefix), prefix
        cut += _without_from_tail(prefix) != prefix
    assert cut >= 4


def test_folding_keeps_blanks_blank_so_the_first_words_folded_are_those_of_the_folded_text():
    from common.text import fold_chars

    units = ["đơn vị hành chính cấp xã", "Người  hoạt động\u00a0không chuyên trách", "ĐVHC\u2003của huyện", "xã", "", " a "]
    units += [line for text in TEXTS for line in clean.clean_article(text).text.split("\n")]
    for unit in units:
        assert fold_chars(unit).split()[:2] == [fold_chars(word) for word in unit.split()[:2]]
    plane = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    assert all(fold_chars(c).isspace() == c.isspace() for c in plane)
