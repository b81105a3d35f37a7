"""The document the components share: words tagged from the lexicon, spans each component records, one
overlap policy."""
from services.extract.engine.doc import Document, SpanIndex, non_overlapping
from services.extract.engine.organizations import find_organizations
from services.extract.engine.people import find_persons


def test_words_are_tagged_from_the_lexicon():
    doc = Document.from_text("Ông Nguyễn Văn An giảm khoảng 12 phòng tại Quảng Ninh.")
    tags = {t.text: t.tags for t in doc.tokens}
    assert {"surname", "common_surname"} <= tags["Nguyễn"]
    assert "middle_name" in tags["Văn"]
    assert tags["giảm"] == {"verb_of_change"} and tags["khoảng"] == {"qualifier"} and tags["phòng"] == {"unit"}
    assert "province" in tags["Ninh."]  # punctuation around a word does not hide it
    assert tags["tại"] == frozenset()


def test_tokens_read_the_one_spelling_of_the_document():
    doc = Document.from_text("Tỉnh Thanh Hoá")
    assert [t.text for t in doc.tokens] == ["Tỉnh", "Thanh", "Hóa"]
    assert doc.text[doc.tokens[2].start:doc.tokens[2].end] == "Hoá"  # offsets hold in the text as written


def test_words_before_a_position():
    doc = Document.from_text("UBND thành phố Tây Ninh và ông Nguyễn Hòa Bình")
    assert [t.text for t in doc.words_before(doc.text.index("Tây"))] == ["thành", "phố"]
    assert [t.text for t in doc.words_before(doc.text.index("Hòa"), 1)] == ["Nguyễn"]
    assert doc.words_before(0) == [] and doc.words_before(doc.text.index("hành")) == []


def test_one_overlap_policy_priority_then_earliest_then_longest():
    spans = [(0, 5, "a"), (3, 9, "b"), (10, 12, "c"), (10, 15, "d"), (2, 4, "e")]
    kept = non_overlapping(spans, start=lambda s: s[0], end=lambda s: s[1])
    assert [s[2] for s in kept] == ["a", "d"]
    first = {"e": 0}
    kept = non_overlapping(spans, start=lambda s: s[0], end=lambda s: s[1], priority=lambda s: first.get(s[2], 1))
    assert [s[2] for s in kept] == ["e", "d"]  # "e" goes first; "a" and "b" overlap it; "c" is shorter than "d"


def test_components_record_their_findings_for_the_next_ones():
    doc = Document.from_text("Ông Nguyễn Văn An, Chủ tịch UBND huyện Tiên Yên, phát biểu tại Sở Nội vụ tỉnh Quảng Ninh.")
    persons = find_persons(doc)
    person_spans = doc.spans_of("persons")
    assert [(s.rule, s.finding) for s in person_spans] == [("person.title_after", 0)]
    assert doc.text[person_spans[0].start:person_spans[0].end].startswith("Nguyễn Văn An, Chủ tịch UBND huyện")
    find_organizations(doc, persons)
    assert {s.rule for s in doc.spans_of("organizations")} == {"body.council_or_committee", "body.department"}
    find_persons(doc)  # a component run again replaces what it recorded
    assert len(doc.spans_of("persons")) == 1


def test_span_index_finds_the_first_span_containing_an_offset():
    index = SpanIndex([(0, 10, "a"), (2, 4, "b"), (12, 20, "c")])
    assert index.containing(3)[2] == "a" and index.containing(11) is None and 15 in index and 20 not in index


def test_a_stretch_of_blanks_between_two_ends_is_no_sentence():
    """Non-breaking spaces and tabs count as blanks, as str.strip() has them; a semicolon ends its clause."""
    doc = Document.from_text("Câu một.\n\u00a0\t\nCâu hai; câu ba\n\u2003\nCâu bốn")
    assert [s for _, _, s in doc.sentences()] == ["Câu một.", "Câu hai", "câu ba", "Câu bốn"]
