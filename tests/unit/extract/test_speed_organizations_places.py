"""The fast paths of organizations.py and places.py find what the plain scans they stand for find, on every article
the project has and on texts written to reach their corners."""
import re
from pathlib import Path

import pytest

from common.text import normalise
from services.extract.engine import organizations, places, rules
from services.extract.engine.doc import Document

ROOT = Path(__file__).resolve().parents[3]
ARTICLES = [
    p.read_text(encoding="utf-8")
    for folder in (ROOT / "seeds", ROOT.parent / "shared" / "seeds", ROOT / "tests/fixtures/genre",
                   ROOT / "tests/fixtures/genre2")
    for p in sorted(folder.glob("*.txt"))
]


def test_the_articles_are_there():
    assert len(ARTICLES) >= 20


COUNTS = [
    "Tỉnh có 37 xã, phường, thị trấn được chọn triển khai bao gồm: Cái Nước, Đầm Dơi.",
    "3 huyện là Tuy Phước, Phù Cát và Hoài Nhơn; hai xã gồm: An Nhơn, Tây Sơn. 1.5 xã là A; x3 xã là B",
    "mười phường gồm Hải Châu, Thanh Khê", "ba xã là", "", "xã", " xã gồm A", "12\n\n  thị xã gồm: Sơn Tây, Ba Vì.",
    "ba\u00a0huyện gồm: A, B", "٣ xã gồm: A, B", "1,3 xã gồm: A", "tháng 10 năm 2025 xã gồm: A", "năm xã là Tân An, Hòa Bình",
    "bốn  đặc khu gồm Phú Quốc, Côn Đảo", "hai thị trấn là Tân Lập và Tân Phú", "chín phườngg gồm A",
]


@pytest.mark.parametrize("text", ARTICLES + COUNTS)
def test_counts_of_places_are_found_from_their_unit_words_as_by_a_scan_of_every_place(text):
    assert [m.span() for m in places._counted_then_named(text)] == [
        m.span() for m in places._COUNTED_THEN_NAMED.finditer(text)
    ]


DEPARTMENTS = [
    "Tỉnh sắp xếp 3 sở gồm: Tài chính, Công Thương, Y tế.", "16 sở, ban, ngành tỉnh gồm: Công Thương, Tư pháp.",
    "các sở gồm Nội vụ, Y tế", "Các sở là Nội vụ", "3\nsở gồm: Y tế", "x3 sở gồm: Y tế", "03 \t sở gồm: Tư pháp",
    "sở gồm: Y tế", "các  sở bao gồm: Y tế", "٣ sở gồm: Y tế", "bác sở gồm: Y tế", "12 sởn gồm: Y tế", "",
]


@pytest.mark.parametrize("text", ARTICLES + DEPARTMENTS)
def test_counted_departments_are_found_from_the_word_sở_as_by_a_scan_of_every_place(text):
    fast = organizations.finditer_at(
        organizations._COUNTED_DEPARTMENTS, organizations._counts_before_departments(text), text
    )
    assert [m.span() for m in fast] == [m.span() for m in organizations._COUNTED_DEPARTMENTS.finditer(text)]


def _province_words_before_as_written(doc: Document, pos: int) -> bool:
    """The plain reading of the word before a province's name, through Document.words_before."""
    words = doc.words_before(pos)
    word_before = words[-1] if words else None
    if word_before and word_before.text == "phố" and len(words) > 1 and words[-2].text.lower() == "thành":
        return False
    return bool(word_before and (word_before.tags & organizations._NAME_TAGS
                                 or word_before.text.lower() in organizations._NOT_PROVINCE_BEFORE))


WORDS_BEFORE = [
    "Nguyễn Hòa Bình phát biểu", "xã Hòa Bình", "thành phố Tây Ninh", "đường phố Hà Nội", "Xã  Hòa Bình",
    "(xã) Hòa Bình", "ông Văn\tHà Nội", "tỉnh     Hà Nội", "Phường\nHà Nội", "anhhùngxã Hà Nội", "khuxã Hà Nội",
    "BUÔNMAXÃ Hà Nội", "\tthôn Hà Nội", "Hà Nội", " Hà Nội", "x Hà Nội", "ấp Hà Nội", "Tổ Hà Nội", "Thị  \t Hà Nội",
]


@pytest.mark.parametrize("text", ARTICLES + WORDS_BEFORE)
def test_the_word_before_a_province_is_read_as_words_before_reads_it(text):
    doc = Document.from_text(normalise(text))
    positions = [m.start() for m in organizations.PROVINCE_RE.finditer(doc.normal)] + list(range(len(doc.normal)))[:200]
    for pos in positions:
        assert organizations._name_or_place_word_before(doc, doc.normal, pos) == _province_words_before_as_written(doc, pos)


BEFORE_BODIES = [
    "Báo Lào Cai - Cơ quan của Đảng bộ tỉnh Lào Cai", "Cơ quan chủ quản: UBND tỉnh", "tại tòa nhà Bưu điện tỉnh",
    "Tòa  nhà UBND tỉnh", "theo Nghị quyết 02/2018/NQ-HĐND tỉnh", "số 15/QĐ-UBND ngày", "các Sở Nội vụ", "- cơ quan UBND",
]
GATES = [  # (pattern, how far before the body it is searched, the words one of which it cannot match without)
    (organizations._OUTLET_OWNER_BEFORE, 30, ("quan",)), (organizations._IN_SYMBOL_BEFORE, 6, ("-", "/")),
    (organizations._BUILDING_BEFORE, 10, ("nhà",)),
]


def test_a_pattern_before_a_body_is_searched_only_where_its_word_is_written():
    found = 0
    for text in map(normalise, ARTICLES[:8] + BEFORE_BODIES):
        for pattern, reach, words in GATES:
            for pos in range(len(text) + 1):
                if pattern.search(text, max(0, pos - reach), pos):
                    found += 1
                    assert any(text.find(word, max(0, pos - reach), pos) >= 0 for word in words)
    assert found >= len(BEFORE_BODIES)


def test_the_checks_before_a_body_still_tell_furniture_symbols_and_buildings():
    def candidate(text: str, body: str):
        text = normalise(text)
        m = organizations.BODY_RE.match(text, text.index(body))
        return organizations._candidate_body(text, m, party_named=True)

    assert candidate("Sáng nay, UBND tỉnh họp.", "UBND") is not None
    assert candidate("Báo Lào Cai - Cơ quan của UBND tỉnh Lào Cai", "UBND") is None
    assert candidate("Nghị quyết 02/2018/NQ-HĐND tỉnh Lào Cai", "HĐND") is None
    assert candidate("Tại tòa nhà UBND tỉnh Lào Cai có cuộc họp.", "UBND") is None


@pytest.mark.parametrize("text", ARTICLES + [r.examples[0] for r in rules.all_rules() if r.id.startswith("body.") and r.examples])
def test_the_kind_of_a_body_is_the_group_it_matched_in_as_read_again_kind_by_kind(text):
    text = normalise(text)
    for m in organizations._upper_case_body_matches(text):
        assert (id(m.re), m.lastindex) in organizations._KIND_GROUPS
        assert organizations._kind_of(text, m) == organizations._kind_at.__wrapped__(text, m.start(), m.end())


DELEGATIONS = [
    "Sáng 3/4, Tỉnh ủy Quảng Ninh làm việc với đoàn công tác tỉnh Lào Cai, có Sở Nội vụ tham dự. Cùng đi có "
    "lãnh đạo Sở Y tế tỉnh Yên Bái và UBND tỉnh.",
    "Tiếp đoàn công tác tỉnh Hà Giang do Sở Nội vụ tỉnh Hà Giang dẫn đầu, UBND tỉnh Lào Cai cho biết.",
]


@pytest.mark.parametrize("text", ARTICLES[:10] + DELEGATIONS)
def test_a_province_context_answers_each_place_as_a_new_one_would(text):
    doc = Document.from_text(normalise(text))
    context = organizations.ProvinceContext(doc.normal, doc)
    positions = sorted({m.start() for m in organizations.BODY_RE.finditer(doc.normal)} | set(doc.sentence_starts))
    for pos in positions + positions[::-1]:  # asked twice: the second time from what it read the first
        assert context.in_context(pos) == organizations.ProvinceContext(doc.normal, doc).in_context(pos)


def test_the_tests_of_a_body_asked_once_per_form_answer_as_their_patterns():
    o = organizations
    cores = {body.core for text in ARTICLES for _, body in o.upper_case_bodies(normalise(text)).values() if body}
    cores |= {"Ban Chỉ đạo", "Ban Chỉ đạo tỉnh", "Thường trực HĐND tỉnh", "Ban Tổ chức", "Đảng bộ xã", "Sở Y tế",
              "Trung tâm Y tế huyện", "Trung tâm Y tế tỉnh", "Huyện ủy", "UBND thị xã", "Ban Dân tộc"}
    tests = [
        (o._is_steering, o._STEERING_HEAD.match), (o._is_bare_steering, o._BARE_STEERING.fullmatch),
        (o._is_standing, o._STANDING.match), (o._is_bare_board, o._BARE_BOARD.fullmatch),
        (o._is_party_of_level, o._PARTY_OF_LEVEL.fullmatch), (o._is_provincial_agency, o._PROVINCIAL_AGENCY.match),
        (o._is_department, o._DEPARTMENT.match), (o._ends_local_level, o.ENDS_LOCAL_LEVEL.search),
        (o._is_centre_without_level, lambda c: o._CENTRE.match(c) and not o._ENDS_LEVEL_WORD.search(c) or None),
    ]
    assert len(cores) > 50
    for core in cores:
        for once, pattern_test in tests:
            assert once(core) == (pattern_test(core) is not None), (core, once)
        end = o._LOCAL_LEVEL_END.search(core)
        assert o._local_level_of(core) == (o._LEVEL_OF_COMMITTEE.get(end.group(0).lower(), end.group(0).lower()) if end else "")
    assert any(map(o._is_department, cores)) and any(map(o._local_level_of, cores)) and any(map(o._is_bare_board, cores))


RUNS = ["Quảng Ninh Nguyễn Văn Đọc", "Quỳnh Lưu Vũ Thị Hạnh", "Nguyễn Văn An Hà Nội", "Bà Rịa Vũng Tàu Lê Văn Tám",
        "Thừa Thiên Huế Trần Văn Hoá", "Hoà Bình Lê Thị Hoà", "Đắk Lắk Y Biêr Niê", "Hồ Chí Minh", "Sài Gòn Nguyễn An",
        "THANH HOÁ Lê Văn", "Kon-Tum Lê Văn Ba", "Lê Văn Ba Kon-Tum", "Tây Ninh", "A", ""]


@pytest.mark.parametrize("after_level", [False, True])
def test_a_run_is_split_as_when_every_word_was_tried_as_a_province(after_level, monkeypatch):
    runs = [run.split() for run in RUNS]
    word = rf"[{organizations.UP}][{organizations.LOW}]+"
    for text in ARTICLES:
        runs += [m.group(0).split() for m in re.finditer(rf"{word}(?: {word})+", normalise(text))]
    assert len(runs) > 500
    fast = [organizations.split_run(tokens, after_level) for tokens in runs]
    monkeypatch.setattr(organizations, "_may_open_province", lambda word: True)  # every run tried, as written before
    assert fast == [organizations.split_run(tokens, after_level) for tokens in runs]


def test_a_run_of_capitalised_words_before_a_province_is_searched_only_after_a_word_with_a_capital():
    found = 0
    for text in ARTICLES[:10] + ["Ông NGUYỄN THỊ Hà Giang", "(Thanh \nHuế", "x  \nHuế", "TP Huế", " \nHuế", "ǅa Huế"]:
        for pos in range(len(text) + 1):
            before = text[max(0, pos - 40):pos]
            if places._CAPITALISED_BEFORE.search(before):
                found += 1
                assert places._may_end_capitalised(before), before
    assert found > 100


def test_a_plural_before_a_body_is_searched_only_after_a_word_ending_as_one():
    found = 0
    extra = ["các Sở", "Những  Sở", "mỗi\tTrung", "từng \nSở", "bất kỳ Sở", "Bất cứ UBND", "các\nSở", "xcác Sở", "các"]
    for text in map(normalise, ARTICLES[:10] + extra):
        for pos in range(len(text) + 1):
            if organizations._PLURAL_BEFORE.search(text, max(0, pos - 8), pos):
                found += 1
                assert organizations._may_follow_plural(text, pos), text[max(0, pos - 8):pos]
    assert found >= 6
