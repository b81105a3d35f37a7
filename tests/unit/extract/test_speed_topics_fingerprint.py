"""The fast paths of the topic scan and the fingerprint give what their plain forms give, on every seed and corpus text."""
import hashlib
import random
import unicodedata
from pathlib import Path

import pytest

from services.extract.engine import fingerprint, topics
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


def _plain_word_hashes(text: str) -> list[int]:
    """The words' hashes as the fingerprint defines them, byte by byte: a separator is an ASCII byte that is not a
    letter, a digit or "_", or a byte of a character in U+00A0-U+00BF or U+2000-U+206F; a word's hash is the
    polynomial of its bytes plus one, in base fingerprint._BASE, modulo 2**64."""
    data = unicodedata.normalize("NFC", text).lower().encode("utf-8")
    sep = [b < 128 and not (chr(b).isalnum() or chr(b) == "_") for b in data]
    for i in range(len(data)):
        if data[i] == 0xC2 and i + 1 < len(data) and 0xA0 <= data[i + 1] <= 0xBF:
            sep[i] = sep[i + 1] = True
        if data[i] == 0xE2 and i + 2 < len(data) and data[i + 1] in (0x80, 0x81):
            sep[i] = sep[i + 1] = sep[i + 2] = True
    hashes, h, in_word = [], 0, False
    for byte, is_sep in zip(data, sep):
        if not is_sep:
            h, in_word = (h * fingerprint._BASE + byte + 1) % (1 << 64), True
        elif in_word:
            hashes.append(h)
            h, in_word = 0, False
    return hashes + [h] * in_word


def _odd_strings() -> list[str]:
    rnd = random.Random(10)
    alphabet = "aáẢđĐ _9\n,.\u00a0\u00ab\u00bb\u00bf\u00c0\u00c2“”–—…\u2060\u2070\u1ec7\u0300"
    return ["", " ", "a", "“a” – b…", "x\u00a0", "\u00a0", "«»", "a  b", "ả"] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24))) for _ in range(2000)
    ]


def _raw_texts() -> list[str]:
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT.parent / "shared" / "corpus" / "articles").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files]


def test_word_hashes_are_those_of_the_words_read_byte_by_byte():
    for text in _raw_texts() + _odd_strings():
        assert fingerprint.word_hashes(text).tolist() == _plain_word_hashes(text), repr(text[:40])


def test_a_wide_separator_becomes_one_blank_and_the_words_stay():
    data = "a\u00a0b“c”—d…e\u00c2f\u2070g".lower().encode("utf-8")
    # U+2070 opens with the bytes E2 81 as General Punctuation does: a separator as the byte rule has always said
    assert fingerprint._one_byte_separators(data) == "a b c  d e\u00e2f g".encode("utf-8")
    assert fingerprint._separators(b"a, b_9").tolist() == [False, True, True, False, False, False]


def test_band_keys_are_the_digests_of_the_signature_rows():
    for text in _raw_texts()[:3] + ["a b c", "một hai ba bốn năm sáu"]:
        rows = fingerprint.signature(text).astype("<u8").reshape(fingerprint.BANDS, fingerprint.ROWS)
        expected = [f"{i:02d}:{hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()}" for i, row in enumerate(rows)]
        assert fingerprint.band_keys(text) == expected


def _plain_not_agencies_merged(doc, text, start, end, scores):
    places_merge = scores.get("sap_nhap_don_vi_hanh_chinh", 0) >= 2
    agencies = topics._AGENCY.search(text, start, end) is not None
    places_merge = places_merge or topics._PLACES_MERGED.search(text, start, end) or \
        topics._NAMED_PLACE.search(doc.normal, start, end)
    if places_merge and not agencies and not topics._AGENCY_MERGING.search(text, start, end):
        return True
    return not agencies and topics._SERVICE_UNITS_MERGED.search(text, start, end) is not None


def test_the_merge_patterns_searched_from_the_first_verb_answer_as_over_the_sentence():
    texts = _raw_texts() + [
        "Sở A sáp nhập với sở B. Hợp nhất trường C và trạm D. Xsáp nhập sở E, sát nhập tỉnh F.",
        "Phường Hưng Lợi sáp nhập với phường An Khánh. Hợp nhất các tỉnh và sở.",
    ]
    answers = set()
    for raw in texts:
        doc = Document.from_text(raw)
        text = topics._PUNCTUATION.sub(" ", doc.normal.lower())
        for start, end in zip(doc.sentence_starts, doc.sentence_ends):
            for scores in ({}, {"sap_nhap_don_vi_hanh_chinh": 2.0}):
                plain = bool(_plain_not_agencies_merged(doc, text, start, end, scores))
                assert topics._not_agencies_merged(doc, text, start, end, scores) == plain, text[start:end]
                answers.add(plain)
    assert answers == {True, False}


def test_a_named_place_is_tried_at_its_place_words_and_found_as_a_plain_search_finds_it():
    odd = "xTỉnh An, tỉnh bình; THỊ TRẤN A; Thị trấn  B, TP.Huế, TP. Vinh, tp Hà, xã\u00a0Đông, phường"
    found = set()
    for raw in _raw_texts() + [odd] + _odd_strings()[:300]:
        normal = Document.from_text(raw).normal
        for end in range(0, len(normal) + 1, 7):
            for start in (0, max(0, end - 60), max(0, end - 9)):
                plain = topics._NAMED_PLACE.search(normal, start, end) is not None
                assert topics._named_place(normal, start, end) == plain, normal[start:end]
                found.add(plain)
    assert found == {True, False}


def test_each_place_word_opens_a_named_place():
    for word in topics._PLACE_WORDS:
        assert topics._NAMED_PLACE.match(f"{word} An") is not None


def test_the_common_marks_are_punctuation_and_blanked_as_the_regex_blanks_them():
    assert all(topics._PUNCTUATION.fullmatch(mark) for mark in topics._COMMON_PUNCTUATION)
    for text in _raw_texts() + _odd_strings() + ["a,b.c;d-e/f(g)h", "(,.;-/)"]:
        lowered = Document.from_text(text).normal.lower()
        assert topics._blank_punctuation(lowered) == topics._PUNCTUATION.sub(" ", lowered)
