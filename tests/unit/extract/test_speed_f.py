"""The fast paths of the topic scan and the fingerprint give what their plain forms give, on every seed and corpus text."""
from pathlib import Path

import pytest

from services.extract.engine import topics
from services.extract.engine.doc import Document

ROOT = Path(__file__).resolve().parents[3]
ODD = (
    "Huyện A  sáp  nhập  3 xã, kể  cả\nxã B; ví dụ như sở C. Xsáp nhập sở D, hợp nhất hợp nhất sở E. "
    "Thôn tổ dân phố, xãthôn tổ dân phố; bầu giữ chức vụ làm 2 chủ tịch. Nhất là giảm 12 3 người."
)


def _texts() -> list[str]:
    """The seeds, the shared corpus and an odd text (double blanks, words inside words), as find_topics reads them."""
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT.parent / "shared" / "corpus" / "articles").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in files] + [ODD]
    return [topics._PUNCTUATION.sub(" ", Document.from_text(text).normal.lower()) for text in texts]


TEXTS = _texts()


def test_the_texts_are_there():
    assert len(TEXTS) > 40


def _plain_pattern_cue_matches(text: str) -> list[tuple[int, int, int]]:
    found = []
    for gates, _, pattern, cue_id in topics._PATTERN_CUES:
        if any(gate in text for gate, _ in gates):
            found += [(cue_id, *m.span()) for m in pattern.finditer(text) if not (m.start() and text[m.start() - 1].isalnum())]
    return found


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_pattern_cues_found_at_their_words_places_are_those_a_search_of_the_text_finds(text):
    assert topics._pattern_cue_matches(text) == _plain_pattern_cue_matches(text)


def test_the_odd_text_has_pattern_cues_the_gates_and_places_decide():
    found = {cue for cue, _, _ in topics._pattern_cue_matches(TEXTS[-1])}
    assert len(found) >= 3


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_an_aside_is_searched_only_where_one_opens_and_found_as_a_plain_search_finds_it(text):
    openings = topics._aside_openings(text)
    assert openings == [m.start() for m in topics._ASIDE_OPENING.finditer(text)]
    for end in range(1, len(text)):
        if text[end - 1] == " ":
            start = max(0, end - 40)
            plain = topics._ASIDE.search(text, start, end) is not None
            assert topics._is_aside(text, start, end, openings) == plain, text[start:end]


def test_the_odd_text_has_asides():
    text = TEXTS[-1]
    assert topics._is_aside(text, 0, text.index("xã b") + 5, topics._aside_openings(text))


@pytest.mark.parametrize("sentence", ["", "a", "một hai ba bốn năm sáu", "một hai ba bốn năm sáu bảy", " a\nb  c\td e f ",
                                      "một hai ba bốn năm sáu bảy tám chín mười"])
def test_a_short_sentence_is_one_of_fewer_than_seven_words(sentence):
    assert topics._is_short(sentence) == (len(sentence.split()) < 7)


def test_every_seed_sentence_is_short_as_its_word_count_says():
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        doc = Document.from_text(path.read_text(encoding="utf-8"))
        for _, _, sentence in doc.sentences():
            assert topics._is_short(sentence) == (len(sentence.split()) < 7)
