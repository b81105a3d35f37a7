"""The fast paths of people.py give what the plain ones give, at every place of the project's texts."""
import re
from collections import Counter
from pathlib import Path

import pytest

from services.extract.engine import people
from services.extract.engine.doc import Document
from services.extract.engine.organizations import LOW, SURNAMES, UP, split_run, upper_case_bodies

ROOT = Path(__file__).resolve().parents[3]
_FOLDERS = [ROOT / "seeds", ROOT / "tests/fixtures/genre", ROOT / "tests/fixtures/genre2", ROOT.parent / "shared/corpus/articles"]
_WRITTEN = [
    "Ông A, nguyên Chủ tịch UBND tỉnh, và nguyên Bộ trưởng Bộ Nội vụ; nguyênn Chủ tịch; Nguyên Chủ tịch.",
    "nguyên  Phó Bí thư Tỉnh ủy, nguyên\tnguyên Giám đốc Sở; không nguyên vẹn; nguyên",
    "Đoàn công tác do ông Lê Văn A làm  Trưởng đoàn; là trưởng đoàn; làTrưởng đoàn; dẫn đầu; là\nTrưởng đoàn.",
    "Trưởng đoàn là trưởng đoàn, làm trưởng đoàn dẫn đầu dẫn đầu",
    "",
]


def _texts() -> list[str]:
    paths = sorted(p for folder in _FOLDERS for p in folder.glob("*.txt"))
    return [Document.from_text(p.read_text(encoding="utf-8")).normal for p in paths] + _WRITTEN


_TEXTS = _texts()


def test_the_texts_are_there():
    assert len(_TEXTS) > 50


def test_the_role_scan_in_two_parts_starts_where_the_whole_one_does():
    found = 0
    for text in _TEXTS:
        whole = [m.start() for m in people._ROLE_SCAN.finditer(text)]
        assert people._role_scan_starts(text) == whole
        found += len(whole)
    assert found > 100


def test_former_posts_written_lower_case_are_found_by_their_first_word():
    text = _WRITTEN[0]
    assert people._role_scan_starts(text) == [m.start() for m in people._ROLE_SCAN.finditer(text)]
    assert text.index("nguyên Chủ") in people._role_scan_starts(text)
    assert text.index("Chủ") not in people._role_scan_starts(text)  # inside the former post's match


def test_the_leads_found_from_their_words_are_the_scans():
    found = 0
    for text in _TEXTS:
        whole = [m.span() for m in people._LEADS.finditer(text)]
        assert [m.span() for m in people._leads(text)] == whole
        found += len(whole)
    assert found >= 5


@pytest.mark.parametrize("text", _WRITTEN)
def test_the_leads_of_written_sentences(text):
    assert [m.span() for m in people._leads(text)] == [m.span() for m in people._LEADS.finditer(text)]


def test_a_lower_case_head_is_searched_only_where_its_last_word_ends_the_text_before_a_body():
    searched = skipped = 0
    for text in _TEXTS:
        for b in upper_case_bodies(text):
            window = max(0, b - 32)
            if text[window:b].rstrip().endswith(people._LOWER_HEAD_LAST_WORDS):
                searched += 1
            else:
                assert people._LOWER_HEAD_BEFORE.search(text, window, b) is None
                skipped += 1
    assert searched > 10 and skipped > 100


def test_a_run_or_segment_without_a_surname_before_its_last_syllable_holds_no_name():
    segments = 0
    for text in _TEXTS:
        for run in people._NAME_RUN.finditer(text):
            words = people._CAP_TOKEN.findall(run.group(0))
            for n in range(2, len(words) + 1):
                for i in range(0, len(words) - n + 1):
                    tokens = words[i:i + n]
                    if SURNAMES.isdisjoint(tokens[:-1]):
                        segments += 1
                        assert split_run(tokens, after_level=False).name is None
                        assert split_run(tokens, after_level=True).name is None
    assert segments > 100


def test_a_byline_is_searched_only_before_a_colon_or_a_bracket():
    tried = 0
    for text in _TEXTS + ["Tin: Nguyễn Văn An", "Ảnh ( Lê Văn Hòa", "Theo TTXVN:\n Lê Văn Hòa", "Bài và ảnh:  X"]:
        for run in people._NAME_RUN.finditer(text):
            for reach in (30, 40):
                start = max(0, run.start() - reach)
                plain = people._BYLINE_BEFORE.search(text, start, run.start()) is not None
                assert people._byline_before(text, start, run.start()) == plain
                tried += plain
    assert tried >= 4


def _unique_roles_plainly(roles: list[str]) -> list[str]:
    keyed: list[tuple[str, str]] = []
    for role in roles:
        key = people._role_key(role)
        if not key or any(k == key for k, _ in keyed):
            continue
        keyed.append((key, role))
    return [role for key, role in keyed
            if not any(k != key and k.split()[0] == key.split()[0] and set(key.split()) < set(k.split()) for k, _ in keyed)]


@pytest.mark.parametrize("roles", [
    [], ["Bí thư Tỉnh ủy"], ["Phó Bí thư Tỉnh ủy", "Phó Bí thư Thường trực Tỉnh ủy", "Phó Bí thư Tỉnh ủy"],
    ["Chủ tịch UBND tỉnh", "Bí thư Tỉnh ủy", "chủ tịch UBND tỉnh", "Chủ tịch HĐND tỉnh", "Ủy viên Ban Thường vụ Tỉnh ủy",
     "Ủy viên Ban Thường vụ", "Trưởng đoàn", "Trưởng đoàn công tác", ""],
])
def test_unique_roles_keep_what_the_plain_comparison_keeps(roles):
    assert people._unique_roles(roles) == _unique_roles_plainly(roles)


def test_the_unique_roles_of_the_seeds_people_are_the_plain_comparisons():
    compared = 0
    for text in _TEXTS:
        for person in people.find_persons(Document.from_text(text)):
            assert people._unique_roles(person.roles) == _unique_roles_plainly(person.roles)
            compared += len(person.roles) > 1
    assert compared > 10


def test_a_split_is_read_once_per_spelling_and_is_split_runs():
    tokens = ("Quảng", "Ninh", "Nguyễn", "Văn", "Đọc")
    assert people._split_run(tokens, False) == split_run(list(tokens), after_level=False)
    assert people._split_run(tokens, True) == split_run(list(tokens), after_level=True)


def _best_spelling_plainly(person) -> str:
    counts = Counter(n.tokens for n in person.mentions)
    return " ".join(max(counts, key=lambda t: (counts[t], t == people._collapse_repeat(t), -people._first(person, t))))


@pytest.mark.parametrize("spellings", [
    [("Lê", "Văn", "Hòa")], [("Lê", "Văn", "Hòa")] * 3, [("Lê", "Văn", "Hòa"), ("Lê", "Văn", "Hoà")],
    [("Lê", "Đình", "Đình", "Sơn"), ("Lê", "Đình", "Sơn")], [("Lê", "Văn", "Hoà"), ("Lê", "Văn", "Hòa"), ("Lê", "Văn", "Hòa")],
])
def test_the_best_spelling_of_a_person_written_one_way_or_more(spellings):
    mentions = [people.NameMention(10 * i, 10 * i + 9, tokens, 10 * i) for i, tokens in enumerate(spellings)]
    person = people._Person(spellings[0], mentions)
    assert people._best_spelling(person) == _best_spelling_plainly(person)


_HONORIFIC_TEXTS = [
    "Ông Phan Huy Ngọc phát biểu. Ông Ngọc cho biết; bà  Ngọc, đồng chí Ngọc, Đồng\tchí Ngọc và không Ngọc.",
    "ông Đồng chí Ngọc", "bà Bà Ngọc", "Ông Bà Ngọc", "ông Ông Ngọc Anh", "ông Ngọc Anh; ông Anh; ông Ngọcanh",
    "đồng chí\nNgọc; đồng\nchí Ngọc; (ông Ngọc); 1ông Ngọc", "Ông Ngọc", "ông Ngọc", "Ngọc",
]


def _given_names_plainly(text: str, givens: list[str]) -> list[tuple[int, int]]:
    return [m.span() for m in people._GIVEN_NAME_AFTER_HONORIFIC.finditer(text) if m.group("given") in givens]


@pytest.mark.parametrize("text", _HONORIFIC_TEXTS)
@pytest.mark.parametrize("givens", [["Ngọc"], ["Ngọc", "Đồng", "Bà", "Ông"], ["Anh", "Ngọc"], []])
def test_given_names_found_from_where_they_are_written(text, givens):
    assert [m.span() for m in people._given_name_matches(text, givens)] == _given_names_plainly(text, givens)


def test_given_names_of_the_project_texts_are_the_scans():
    compared = 0
    for text in _TEXTS:
        every = sorted({m.group("given") for m in people._GIVEN_NAME_AFTER_HONORIFIC.finditer(text)})
        for givens in (every, every[::2], [n.tokens[-1] for n in people._name_mentions(text, text)]):
            found = [m.span() for m in people._given_name_matches(text, givens)]
            assert found == _given_names_plainly(text, givens)
            compared += len(found)
    assert compared > 20


def test_names_runs_taken_possessively_are_the_plain_patterns_runs():
    plain_token = rf"(?:[{UP}][{LOW}]+|A(?=[^\S\n]+[{UP}]))"
    plain_run = re.compile(rf"[{UP}](?<!{people._LETTER}[{UP}])[{LOW}]+(?:[^\S\n]{{0,2}}{plain_token})+(?!{people._LETTER})")
    every_character = "".join(map(chr, range(0x10000)))
    assert not set(re.findall(f"[{UP}]", every_character)) & set(re.findall(f"[{LOW}]", every_character))
    runs = 0
    for text in _TEXTS + ["Nguyễn Văn An2 và PhạmThị Lan, Giàng A Tính, Lò Văn  A Páo, Lê   Văn, X Y, Ạn Ấn"]:
        assert [m.span() for m in people._NAME_RUN.finditer(text)] == [m.span() for m in plain_run.finditer(text)]
        assert people._CAP_TOKEN.findall(text) == re.findall(plain_token, text)
        runs += 1
    assert runs > 50


_BEFORE_TEXTS = _TEXTS[:8] + [
    "Thủ tướng giao quyền Chủ tịch cho ông Lê Văn Hòa, đối với các  bà Lê Thị Lan; Giám đốc Sở, đồng\tchí Lê Văn An.",
    "Ông là thạc sĩ, từng làm Bí thư; sau đó giữ chức vụ Giám đốc, trước đó có thời gian giữ vị trí Phó Chủ tịch.\n",
    "do ông A làm trưởng đoàn; Đoàn do bà B dẫn đầu; kiểm tra do  ông C; (do D); dodo E; ado F",
]


@pytest.mark.parametrize("pattern, words", [
    (people._GIVEN_TO, people._HONORIFIC_LAST_WORDS), (people._COMMA_HONORIFIC_BEFORE, people._HONORIFIC_LAST_WORDS),
    (people._EARLIER_POST_BEFORE, people._EARLIER_POST_LAST_WORDS),
])
def test_a_pattern_ending_a_window_is_searched_only_where_the_window_ends_with_its_last_words(pattern, words):
    found = 0
    for text in _BEFORE_TEXTS:
        for pos in range(len(text) + 1):
            for reach in (16, 40):
                if pattern.search(text, max(0, pos - reach), pos):
                    assert people._ends_with(text, pos - reach, pos, words)
                    found += 1
    assert found >= 3


def test_by_opens_with_its_literal_and_finds_what_the_look_behind_first_finds():
    plain = re.compile(rf"(?<![\w])do{people.SP}")
    found = 0
    for text in _TEXTS + _BEFORE_TEXTS:
        assert [m.span() for m in people._BY.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in people._BY.finditer(text, 5, len(text) - 5)] == \
            [m.span() for m in plain.finditer(text, 5, len(text) - 5)]
        found += len(plain.findall(text))
    assert found > 20


_HIGHLAND_WRITTEN = [
    "Ông Y Biêr Niê, Y tế, Sở Y Tế Đắk Lắk, H'Yim Kđoh và H’Hen Niê; HĐND tỉnh, Hà Nội.",
    "Anh Y  Ngông Niê Kdăm; bà Nay H'Blơ; XY Thành Công; Hưng Yên Văn Lâm.",
]


@pytest.mark.parametrize("women", [True, False])
def test_highland_names_read_at_the_men_openings_alone_where_no_woman_can_be(women, monkeypatch):
    texts = [t if women else t.replace("H'", "H.").replace("H’", "H.") for t in _TEXTS + _HIGHLAND_WRITTEN]
    fast = [people._highland_names(text, text) for text in texts]
    monkeypatch.setattr(people, "_MEN_OPENING", people._HIGHLAND_OPENING)  # the plain form: every opening
    plain = [people._highland_names(text, text) for text in texts]
    assert fast == plain
    assert sum(map(len, plain)) > 0
