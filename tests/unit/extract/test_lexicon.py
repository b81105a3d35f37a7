"""The lexicon: one source for every word list, so the engine's parts agree on what a word is."""
import pytest

from common import lexicon
from common.text import fold, fold_chars, modern_spelling
from services.extract.engine import extract


@pytest.mark.parametrize("sentence, body, province", [
    # A variant spelling of the province once gave the body without it, while the provinces field knew it.
    ("Ông Nguyễn Văn An, Giám đốc Sở Nội vụ tỉnh Đăk Lắk, cho biết tỉnh đã giảm 12 phòng.",
     "Sở Nội vụ tỉnh Đăk Lắk", "Đắk Lắk"),
    ("Sở Nội vụ TT-Huế đã sắp xếp 3 phòng.", "Sở Nội vụ TT-Huế", "Huế"),
    ("Sở Nội vụ Tp.HCM đã giảm 3 phòng.", "Sở Nội vụ Tp.HCM", "Hồ Chí Minh"),
    # A former province (merged into Hà Nội in 2008) once gave a body but no province.
    ("Năm 2007, UBND tỉnh Hà Tây đã giảm 5 phòng, ban.", "UBND tỉnh Hà Tây", "Hà Nội"),
])
def test_bodies_and_provinces_read_the_same_province_spellings(sentence, body, province):
    extraction = extract(sentence)
    assert body in [o.name for o in extraction.organizations]
    assert province in [p.name for p in extraction.provinces]


def test_every_province_variant_names_a_listed_province():
    canonical = lexicon.name_2025()
    assert all(canon in canonical for _, canon in lexicon.province_variants())
    assert lexicon.central_cities() <= set(canonical)


@pytest.mark.parametrize("written, canonical", [
    ("Khánh Hoà", "Khánh Hòa"), ("ĐẮK LẮK", "Đắk Lắk"), ("Bà Rịa – Vũng Tàu", "Bà Rịa - Vũng Tàu"),
    ("Hà Tây", "Hà Nội"), ("Hồ Chí Minh", "Hồ Chí Minh"), ("Quảng", None),
])
def test_canonical_province(written, canonical):
    assert lexicon.canonical_province(written) == canonical


def test_common_surnames_are_surnames():
    assert lexicon.common_surnames() < lexicon.surnames()
    assert {"Nguyễn", "Ksor"} <= lexicon.surnames() and "Ksor" not in lexicon.common_surnames()


def test_every_title_has_a_kind():
    kinds = {row[1] for row in lexicon.rows("titles.tsv")}
    assert kinds == {"alone", "body"}
    assert "Tổng Bí thư" in lexicon.titles("alone") and "Chủ tịch" in lexicon.titles("body")


KEYS = {"topic_cues.tsv": lambda row: (row[0], row[2]), "outlets.tsv": tuple, "bodies.tsv": tuple}


def test_no_entry_is_listed_twice_in_a_file():
    for name in lexicon.data_files():
        key = KEYS.get(name, lambda row: row[0])
        entries = [key(row) for row in lexicon.rows(name)]
        assert len(entries) == len(set(entries)), (name, [e for e in entries if entries.count(e) > 1])


def test_one_spelling_normalisation_keeps_offsets():
    text = "Thanh Hoá, Uỷ ban, quý, Ðồng Nai"
    normal = modern_spelling(text)
    assert normal == "Thanh Hóa, Ủy ban, quý, Đồng Nai" and len(normal) == len(text)


def test_folding_for_keys_and_for_offsets():
    assert fold("Đắk Lắk – Tp.HCM") == "dak lak tp hcm"
    assert fold_chars("Đắk Lắk") == "dak lak" and len(fold_chars("Ấp Ẩn")) == len("Ấp Ẩn")


def test_title_heads_and_honorifics_come_from_one_list_each():
    assert "chủ tịch" in lexicon.title_heads("model_post") and "tổng bí thư" in lexicon.title_heads("before_body")
    assert lexicon.title_heads("bare_after_name")[0] == "chánh văn phòng"  # longest first
    assert "nhà báo" in lexicon.honorifics("word", "person") and "nhà báo" in lexicon.honorifics("word", "author")
    assert "TSKH" in lexicon.honorifics("abbreviation", "author")


def test_a_degree_is_stripped_whole_from_an_author_name():
    from services.extract.engine.clean import _HONORIFIC

    # Shorter degrees were tried first, so "TSKH." left "KH." before the name.
    assert _HONORIFIC.sub("", "TSKH. Nguyễn Văn An") == "Nguyễn Văn An"
    assert _HONORIFIC.sub("", "Đại uý Lê Văn Bình") == "Lê Văn Bình"  # the old spelling too


def test_an_honorific_in_capitals_after_a_slash_makes_a_person():
    extraction = extract("Đ/C Nguyễn Văn An phát biểu tại hội nghị.")
    assert [(p.name, [e.rule for e in p.evidence]) for p in extraction.persons] == [
        ("Nguyễn Văn An", ["person.honorific"])
    ]


def test_the_engine_version_digests_code_and_word_lists_and_nothing_else(tmp_path):
    from services.extract.engine.pipeline import _engine_version

    engine, common = tmp_path / "engine", tmp_path / "common"
    engine.mkdir()
    (common / "lexicon" / "__pycache__").mkdir(parents=True)  # as Python leaves it where bytecode is written
    (engine / "a.py").write_text("x = 1\n")
    (common / "text.py").write_text("y = 1\n")
    (common / "settings.py").write_text("z = 1\n")  # not the engine's
    (common / "lexicon" / "units.txt").write_text("phòng\n")
    before = _engine_version(engine, common)
    (common / "lexicon" / "__pycache__" / "units.cpython-311.pyc").write_bytes(b"\0")
    (common / "settings.py").write_text("z = 2\n")
    assert _engine_version(engine, common) == before
    (common / "lexicon" / "units.txt").write_text("phòng\nban\n")
    changed = _engine_version(engine, common)
    assert changed != before
    (common / "text.py").write_text("y = 2\n")
    assert _engine_version(engine, common) != changed
