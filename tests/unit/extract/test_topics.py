"""Reform topics an article substantively discusses, with the sentences that show it."""
from services.extract.engine.doc import Document
from services.extract.engine.topics import _leading_words, find_topics


def _topics(text: str) -> list[str]:
    return [t.id for t in find_topics(Document.from_text(text))]


ONE_STOP_ARTICLE = "\n".join([
    "Huyện Đức Thọ nâng cao chất lượng cải cách hành chính",
    "Năm qua, huyện Đức Thọ tập trung đẩy mạnh cải cách hành chính, lấy người dân làm trung tâm phục vụ.",
    "Bộ phận một cửa của huyện đã tiếp nhận hơn 6.000 hồ sơ, trong đó 98% được giải quyết đúng hạn.",
    "Huyện rà soát, cắt giảm thời gian giải quyết thủ tục hành chính và khuyến khích người dân nộp hồ sơ "
    "qua dịch vụ công trực tuyến.",
    "Kinh tế của huyện giữ ổn định, thu ngân sách năm 2023 đạt 210 tỷ đồng, tỷ lệ hộ nghèo giảm còn 2,1%.",
])


def test_a_topic_discussed_in_several_sentences_is_found_with_those_sentences():
    topics = {t.id: t for t in find_topics(Document.from_text(ONE_STOP_ARTICLE))}
    assert set(topics) == {"cai_cach_hanh_chinh", "kinh_te_xa_hoi"}
    sentences = [e.sentence for e in topics["cai_cach_hanh_chinh"].evidence]
    assert any(s.startswith("Bộ phận một cửa") for s in sentences)
    assert all(s in ONE_STOP_ARTICLE for s in sentences)


def test_a_single_bare_list_item_does_not_make_a_topic():
    text = (
        "Tỉnh ủy xác định tiếp tục sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hiệu lực, "
        "hiệu quả. Các nhiệm vụ trọng tâm gồm: rà soát chức năng; quyết liệt cải cách hành chính; "
        "tinh giản biên chế gắn với cơ cấu lại đội ngũ cán bộ, công chức, viên chức theo vị trí việc làm."
    )
    found = _topics(text)
    assert "cai_cach_hanh_chinh" not in found
    assert "sap_xep_bo_may" in found and "tinh_gian_bien_che" in found


def test_an_example_clause_counts_only_half():
    text = (
        "Nhân dân tích cực tham gia nhiều nhiệm vụ khó, điển hình như sắp xếp các đơn vị hành chính "
        "cấp huyện, cấp xã và giải phóng mặt bằng các công trình trọng điểm."
    )
    assert "sap_nhap_don_vi_hanh_chinh" not in _topics(text)


def test_merging_communes_discussed_outright_is_found():
    text = (
        "Thực hiện sắp xếp đơn vị hành chính cấp xã giai đoạn 2023 - 2025, huyện sáp nhập 4 xã "
        "thành 2 xã mới. Sau sáp nhập, các thôn chưa đủ tiêu chuẩn cũng được sáp nhập để giảm đầu mối."
    )
    assert "sap_nhap_don_vi_hanh_chinh" in _topics(text)


def test_passing_mentions_of_development_are_not_socio_economic_results():
    text = (
        "Đoàn đánh giá cao mô hình cơ quan tham mưu, giúp việc chung của khối Mặt trận và các đoàn thể. "
        "Mô hình góp phần thực hiện nhiệm vụ phát triển kinh tế - xã hội của địa phương. "
        "Tỉnh cần tiếp tục đồng thuận cao với chủ trương phát triển KT-XH."
    )
    found = _topics(text)
    assert "kinh_te_xa_hoi" not in found
    assert "hop_nhat_co_quan" in found


def test_one_person_in_two_posts_is_recognised_in_either_tone_spelling():
    old_style = (
        "Về nhất thể hoá chức danh, huyện thực hiện mô hình bí thư cấp ủy đồng thời là chủ tịch UBND xã."
    )
    new_style = old_style.replace("hoá", "hóa")
    assert "nhat_the_hoa_chuc_danh" in _topics(old_style)
    assert "nhat_the_hoa_chuc_danh" in _topics(new_style)


def test_menus_in_capitals_are_not_read_as_text():
    text = (
        "DỊCH VỤ CÔNG TRỰC TUYẾN\nCHÍNH QUYỀN ĐIỆN TỬ TỈNH\n"
        "Huyện tổ chức hội nghị tổng kết công tác thi đua."
    )
    assert _topics(text) == []


def test_partnership_and_party_building():
    text = (
        "Tỉnh huy động nguồn lực theo hình thức đối tác công tư (PPP) để đầu tư hạ tầng giao thông. "
        "Cùng với đó, tỉnh đổi mới phương thức lãnh đạo của Đảng, nâng cao năng lực lãnh đạo "
        "và sức chiến đấu của tổ chức cơ sở đảng."
    )
    assert _topics(text) == ["doi_tac_cong_tu", "doi_moi_lanh_dao_dang"]


def _topic_ids(text: str) -> set[str]:
    return {t.id for t in find_topics(Document.from_text(text))}


def test_leaving_under_the_payroll_decree_is_cutting_payroll():
    text = (
        "Đến nay huyện có 37 cán bộ, công chức tự nguyện nghỉ việc theo Nghị định 178/2024/NĐ-CP. "
        "Các trường hợp dôi dư sẽ được giải quyết chế độ trước ngày 30/6."
    )
    assert "tinh_gian_bien_che" in _topic_ids(text)


def test_provinces_merging_into_one_is_not_merging_agencies():
    text = (
        "Quốc hội quyết định hợp nhất tỉnh Hà Nam, tỉnh Nam Định và tỉnh Ninh Bình thành tỉnh Ninh Bình. "
        "Thành phố Hải Phòng và tỉnh Hải Dương hợp nhất thành thành phố Hải Phòng."
    )
    topics = _topic_ids(text)
    assert "sap_nhap_don_vi_hanh_chinh" in topics
    assert "hop_nhat_co_quan" not in topics


def test_party_cell_meetings_and_members_are_party_building():
    text = (
        "Mỗi chi bộ phải đổi mới nội dung sinh hoạt, nâng cao chất lượng đảng viên. "
        "Tổ chức đảng ở thôn phải trong sạch, vững mạnh, là hạt nhân lãnh đạo ở cơ sở."
    )
    assert "doi_moi_lanh_dao_dang" in _topic_ids(text)


def test_a_new_commune_formed_from_old_ones_in_the_resolutions_wording_is_a_merger_of_units():
    text = (
        "Phường Tân Lập (mới) được thành lập trên cơ sở nhập toàn bộ diện tích tự nhiên, quy mô dân số "
        "của phường Tân Lập, xã Hòa Thắng và xã Hòa Phú thuộc thành phố Buôn Ma Thuột (cũ)."
    )
    assert "sap_nhap_don_vi_hanh_chinh" in _topics(text)


def test_piloting_a_merged_office_in_one_sentence_is_a_merger_of_agencies():
    text = "Huyện Krông Năng thí điểm hợp nhất Văn phòng Huyện ủy và Văn phòng HĐND và UBND huyện từ đầu năm nay."
    assert "hop_nhat_co_quan" in _topics(text)


def test_merging_schools_and_health_centres_is_not_a_merger_of_agencies():
    text = "\n".join([
        "Thị xã Buôn Hồ sáp nhập các trạm y tế vào trung tâm y tế và hợp nhất 6 trường tiểu học có quy mô nhỏ.",
        "Sau khi sáp nhập, các trường được đầu tư thêm phòng học và thiết bị dạy học.",
    ])
    assert "hop_nhat_co_quan" not in _topics(text)


def test_a_full_sentence_on_placing_and_replacing_cadres_is_cadre_work():
    text = (
        "Giám đốc Sở đề nghị các xã bố trí cán bộ đúng chuyên môn, ưu tiên người có năng lực và kịp thời "
        "thay thế người không đáp ứng yêu cầu nhiệm vụ."
    )
    assert "cong_tac_can_bo" in _topics(text)


def test_electing_or_naming_a_leader_is_cadre_work():
    assert "cong_tac_can_bo" in _topics(
        "Sáng 12/5, HĐND tỉnh đã bầu bổ sung 2 Phó Chủ tịch UBND tỉnh. Ông Lê Văn Hòa được bầu giữ chức Chủ tịch "
        "UBND tỉnh với 100% đại biểu tán thành."
    )
    assert "cong_tac_can_bo" in _topics("Thủ tướng giao quyền Chủ tịch UBND tỉnh cho ông Lê Văn Hòa từ ngày 1/8.")


def test_a_quantified_staff_cut_in_a_full_clause_is_a_payroll_cut():
    assert "tinh_gian_bien_che" in _topics(
        "Việc hợp nhất các sở phải gắn với mục tiêu giảm ít nhất 20% công chức, viên chức theo lộ trình."
    )


def test_buildings_left_over_are_no_staff_cut_and_merging_places_no_merging_of_agencies():
    topics = _topics(
        "Ban Chỉ đạo đề xuất sử dụng hợp lý trụ sở dôi dư sau hợp nhất. Phường Hưng Lợi sáp nhập với phường An "
        "Khánh, lấy tên phường Tân An. TP Cần Thơ, tỉnh Sóc Trăng và tỉnh Hậu Giang sẽ hợp nhất thành một tỉnh."
    )
    assert "tinh_gian_bien_che" not in topics and "hop_nhat_co_quan" not in topics
    assert "sap_nhap_don_vi_hanh_chinh" not in _topics("Sau sắp xếp, tỉnh Sơn La giảm 4 sở và có thêm 1 sở mới.")


def test_a_pattern_cue_is_tried_where_its_leading_words_are_only_when_the_phrase_says_so():
    assert _leading_words("(?:sáp nhập|hợp nhất)(?: \\w+){0,2} xã", ("sáp nhập", "hợp nhất")) == ("sáp", "hợp")
    assert _leading_words("(?:thôn|xã) tổ dân phố", ("thôn", "xã")) == ("thôn", "xã")
    assert _leading_words("bầu(?: bổ sung| làm)+ chủ tịch", ("bầu",)) == ("bầu",)
    assert _leading_words("giảm? x", ("giảm",)) is None  # the last letter may be missing
    assert _leading_words("giảm x|tăng y", ("giảm x",)) is None  # a match may open with "tăng"
    assert _leading_words("(?:a|b)? x", ("a", "b")) is None
    assert _leading_words("\\d+ xã", ("\\d+ xã",)) is None
