"""Legal and Party documents cited in provincial reform news."""
from services.extract.engine.doc import Document
from services.extract.engine.legal_documents import find_documents, reference_spans


def _found(text: str) -> list[tuple]:
    return [(d.kind, d.number, d.code) for d in find_documents(Document.from_text(text))]


def test_party_symbols_give_kind_number_and_code():
    text = (
        "Huyện ủy Tân Kỳ đã ban hành Kế hoạch số 112-KH/HU để thực hiện Nghị quyết số 37-NQ/TW của "
        "Bộ Chính trị và Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy."
    )
    assert _found(text) == [
        ("ke_hoach", "112", "112-KH/HU"),
        ("nghi_quyet", "37", "37-NQ/TW"),
        ("chi_thi", "07", "07-CT/TU"),
    ]


def test_symbols_are_normalised_but_numbers_kept_as_written():
    # A stray character before the dash and spaces around it are editors' artefacts.
    text = "Ban Thường vụ triển khai Chương trình hành động số 08¬-CTr/TU và thực hiện kết luận 05 - KL/TW."
    assert _found(text) == [("chuong_trinh", "08", "08-CTr/TU"), ("ket_luan", "05", "05-KL/TW")]


def test_state_symbols_of_decrees_decisions_circulars_and_laws():
    text = (
        "Theo Nghị định 62/2020/NĐ-CP, Thông tư 03/2019/TT-BNV và Quyết định số 2150/QĐ-UBND ngày "
        "3/9/2021 của UBND tỉnh, việc xác định vị trí việc làm thực hiện theo Luật số 52/2019/QH14."
    )
    assert _found(text) == [
        ("nghi_dinh", "62", "62/2020/NĐ-CP"),
        ("thong_tu", "03", "03/2019/TT-BNV"),
        ("quyet_dinh", "2150", "2150/QĐ-UBND"),
        ("luat", "52", "52/2019/QH14"),
    ]


def test_numbers_joined_by_comma_or_va_are_separate_documents():
    text = "Sau 5 năm thực hiện Nghị quyết 18, 19 của Trung ương, tỉnh đã sơ kết Kết luận số 40 và 41."
    assert _found(text) == [
        ("nghi_quyet", "18", None),
        ("nghi_quyet", "19", None),
        ("ket_luan", "40", None),
        ("ket_luan", "41", None),
    ]


def test_one_document_cited_twice_is_one_entry_that_keeps_its_code():
    text = (
        "Tỉnh tiếp tục thực hiện Nghị quyết 18 về tinh gọn bộ máy. Nghị quyết số 18-NQ/TW ngày "
        "25/10/2017 đặt mục tiêu giảm đầu mối."
    )
    documents = find_documents(Document.from_text(text))
    assert [(d.kind, d.number, d.code) for d in documents] == [("nghi_quyet", "18", "18-NQ/TW")]
    assert len(documents[0].evidence) == 2


def test_the_issuer_tells_central_and_provincial_documents_apart():
    text = (
        "Thực hiện Nghị quyết số 26-NQ/TW của Trung ương và Nghị quyết số 26-NQ/TU của Tỉnh ủy, "
        "tỉnh đã ..."
    )
    assert _found(text) == [("nghi_quyet", "26", "26-NQ/TW"), ("nghi_quyet", "26", "26-NQ/TU")]


def test_a_named_scheme_without_number_is_listed_and_generic_schemes_are_not():
    text = (
        "Huyện đang hoàn thiện Đề án sáp nhập các bản chưa đủ tiêu chuẩn về quy mô dân số. "
        "Các đề án hợp nhất cơ quan đang được xây dựng; huyện sẽ xây dựng đề án cụ thể cho từng xã."
    )
    documents = find_documents(Document.from_text(text))
    assert [(d.kind, d.number) for d in documents] == [("de_an", None)]
    assert documents[0].title.startswith("sáp nhập các bản")


def test_a_quoted_title_linked_to_its_short_number_is_one_scheme():
    text = (
        'Tỉnh triển khai Đề án "Nâng cao chất lượng đội ngũ cán bộ cấp cơ sở" (gọi tắt là Đề án 06). '
        "Sau 2 năm, Đề án 06 đã bồi dưỡng hàng nghìn cán bộ."
    )
    documents = find_documents(Document.from_text(text))
    assert [(d.kind, d.number, d.code) for d in documents] == [("de_an", "06", None)]
    assert documents[0].title == "Nâng cao chất lượng đội ngũ cán bộ cấp cơ sở"


def test_a_law_named_by_title_has_no_number():
    text = "Việc sắp xếp phải tuân thủ Luật Tổ chức chính quyền địa phương năm 2015 và pháp luật hiện hành."
    documents = find_documents(Document.from_text(text))
    assert [(d.kind, d.number, d.title) for d in documents] == [
        ("luat", None, "Luật Tổ chức chính quyền địa phương")
    ]


def test_a_bare_symbol_says_its_own_kind():
    assert _found("Các cấp ủy thực hiện nghiêm 35-CT/TW về đại hội đảng bộ các cấp.") == [
        ("chi_thi", "35", "35-CT/TW")
    ]


def test_ordinary_words_and_meeting_names_are_not_documents():
    text = (
        "Kỳ họp quyết định 5 vấn đề lớn; Kế hoạch 5 năm được thông qua. Nghị quyết Trung ương 6 và "
        "Hội nghị Trung ương 4 đã chỉ rõ yêu cầu. Quy định 3 nhóm giải pháp; theo quy định của pháp luật."
    )
    assert _found(text) == []


def test_reference_spans_cover_the_numbers_of_citations():
    text = "Thực hiện Nghị quyết số 19-NQ/TW, huyện giảm 12 đơn vị sự nghiệp."
    spans = reference_spans(text)
    nineteen = text.index("19")
    twelve = text.index("12")
    assert any(s <= nineteen < e for s, e in spans)
    assert not any(s <= twelve < e for s, e in spans)


def test_a_quoted_scheme_joins_the_only_numbered_scheme_but_not_one_of_several():
    one = (
        'Tỉnh ủy xây dựng Đề án "Sắp xếp, kiện toàn bộ máy cấp huyện" từ năm 2015. '
        "Kinh nghiệm triển khai Đề án 12 được nhiều địa phương học tập."
    )
    assert _found(one) == [("de_an", "12", None)]
    several = one + " Tỉnh cũng tổng kết Đề án 07 về chuyển đổi số."
    assert sorted(_found(several), key=str) == [
        ("de_an", "07", None),
        ("de_an", "12", None),
        ("de_an", None, None),
    ]


def _kinds_numbers(text: str) -> list[tuple]:
    return [(d.kind, d.number) for d in find_documents(Document.from_text(text))]


def test_an_act_named_by_its_subject_has_no_number():
    text = (
        "Kỳ họp đã thông qua Nghị quyết về việc sáp nhập, đổi tên các bản trên địa bàn tỉnh. "
        "Đại diện Ban Tổ chức công bố Quyết định của Bộ Chính trị về việc thành lập Đảng bộ Ủy ban nhân dân tỉnh."
    )
    assert _kinds_numbers(text) == [("nghi_quyet", None), ("quyet_dinh", None)]


def test_a_lower_case_act_counts_only_as_what_was_passed():
    assert _kinds_numbers("HĐND huyện vừa thông qua nghị quyết về chính sách hỗ trợ cán bộ dôi dư.") == [
        ("nghi_quyet", None)
    ]
    assert _kinds_numbers("Cần triển khai các nghị quyết về phát triển kinh tế biển.") == []


def test_a_circular_named_by_what_it_guides_is_a_document_without_a_number():
    doc = Document.from_text(
        "Bộ Tài chính đang soạn thảo Thông tư hướng dẫn cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập. "
        "Thông tư số 56/2022/TT-BTC hướng dẫn một số nội dung về tự chủ đã hết hiệu lực."
    )
    found = {(d.kind, d.number) for d in find_documents(doc)}
    assert found == {("thong_tu", None), ("thong_tu", "56")}


def test_documents_written_in_lower_case_are_named_by_the_reform_they_carry():
    from services.extract.engine.doc import Document
    from services.extract.engine.legal_documents import find_documents

    def kinds(text: str) -> list[tuple[str, str | None]]:
        return [(d.kind, d.number) for d in find_documents(Document.from_text(text))]

    assert kinds("Tỉnh đang xây dựng đề án sắp xếp, tinh gọn tổ chức bộ máy cơ quan chuyên môn.") == [("de_an", None)]
    assert kinds("Theo dự thảo đề án của UBND tỉnh sắp xếp đơn vị hành chính cấp xã, tỉnh còn 48 xã.") == [("de_an", None)]
    assert kinds("Chủ tịch UBND tỉnh vừa ban hành kế hoạch triển khai mô hình một cửa.") == [("ke_hoach", None)]
    assert kinds("Tỉnh ủy công bố quyết định thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy.") == [("quyet_dinh", None)]
    assert kinds("Tỉnh đã ban hành quyết định thành lập 6 đơn vị sự nghiệp.") == []
    assert kinds("Các đề án sắp xếp đã hoàn thành.") == []


def test_the_name_before_the_number_decides_the_kind_of_a_misprinted_symbol():
    from services.extract.engine.doc import Document
    from services.extract.engine.legal_documents import find_documents

    found = find_documents(Document.from_text("Đúng chủ trương tại Nghị Quyết số 60-KL/TW ngày 12/4/2025."))
    assert [(d.kind, d.number) for d in found] == [("nghi_quyet", "60")]
