"""People in provincial news: each real person once, with the titles the article gives them."""
from pathlib import Path

import pytest

from services.extract.engine import people as people_module
from services.extract.engine.doc import Document
from services.extract.engine.people import find_persons


def people(text: str) -> dict[str, list[str]]:
    return {p.name: p.roles for p in find_persons(Document.from_text(text))}


def test_titles_after_a_comrade_are_the_persons_titles():
    text = ("Sáng 4/6, đồng chí Trịnh Văn Quyết, Ủy viên T.Ư Đảng, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh Bắc Kạn "
            "chủ trì hội nghị sơ kết việc sắp xếp bộ máy.")
    assert people(text) == {"Trịnh Văn Quyết": ["Ủy viên T.Ư Đảng", "Bí thư Tỉnh ủy", "Chủ tịch HĐND tỉnh"]}


def test_a_list_of_comrades_splits_at_semicolons():
    text = ("Dự hội nghị có các đồng chí: Lương Thị Mơ, Phó Bí thư Thường trực Tỉnh ủy, Trưởng Đoàn đại biểu "
            "Quốc hội tỉnh; Hứa Quang Vinh, UVTVTU, Trưởng Ban Tổ chức Tỉnh ủy đồng chủ trì.")
    assert people(text) == {
        "Lương Thị Mơ": ["Phó Bí thư Thường trực Tỉnh ủy", "Trưởng Đoàn đại biểu Quốc hội tỉnh"],
        "Hứa Quang Vinh": ["UVTVTU", "Trưởng Ban Tổ chức Tỉnh ủy"],
    }


def test_titles_before_a_name_drop_the_province():
    text = ("Tiếp đoàn có Bí thư Tỉnh ủy - Chủ tịch HĐND tỉnh Cao Thị Bích; Phó Chủ tịch UBND tỉnh Lạng Sơn "
            "Tạ Đức Hòa và Giám đốc Sở Nội vụ Kiều Văn Lâm.")
    assert people(text) == {
        "Cao Thị Bích": ["Bí thư Tỉnh ủy", "Chủ tịch HĐND tỉnh"],
        "Tạ Đức Hòa": ["Phó Chủ tịch UBND tỉnh"],
        "Kiều Văn Lâm": ["Giám đốc Sở Nội vụ"],
    }


def test_a_district_name_between_title_and_name_stays_in_the_title():
    text = "Phó Chủ tịch UBND huyện Quỳnh Lưu Vũ Thị Hạnh và Bí thư Huyện ủy Mai Sơn Lò Văn Tám cùng dự."
    assert people(text) == {
        "Vũ Thị Hạnh": ["Phó Chủ tịch UBND huyện Quỳnh Lưu"],
        "Lò Văn Tám": ["Bí thư Huyện ủy Mai Sơn"],
    }


def test_the_head_of_a_delegation_gets_the_delegations_kind():
    text = ("Chiều 2/3, Thường trực Tỉnh ủy làm việc với Đoàn khảo sát Ban Nội chính Trung ương do đồng chí "
            "Đào Minh Khuê, Phó Trưởng Ban Nội chính Trung ương làm trưởng đoàn.")
    assert people(text) == {"Đào Minh Khuê": ["Phó Trưởng Ban Nội chính Trung ương", "Trưởng đoàn khảo sát"]}


def test_leading_a_ranking_is_not_leading_a_delegation():
    text = "Theo ông Quách Văn Tư, Giám đốc Sở Nội vụ, tỉnh dẫn đầu cả nước về chỉ số cải cách hành chính."
    assert people(text) == {"Quách Văn Tư": ["Giám đốc Sở Nội vụ"]}


def test_a_caption_printed_twice_with_a_typo_is_one_person_in_the_running_texts_spelling():
    text = (
        "Đồng chí Triệu Thị Ngọc Lan, Bí thư Tỉnh ủy phát biểu tại buổi làm việc.\n"
        "Đồng chí TriệuThị Ngọc Lam, Bí thư Tỉnh ủy phát biểu tại buổi làm việc.\n"
        "Đồng chí TriệuThị Ngọc Lan, Bí thư Tỉnh ủy phát biểu tại buổi làm việc.\n"
        "Kết luận buổi làm việc, đồng chí Triệu Thị Ngọc Lan đề nghị các sở tiếp tục rà soát.\n"
    )
    assert people(text) == {"Triệu Thị Ngọc Lan": ["Bí thư Tỉnh ủy"]}


def test_a_doubled_syllable_is_a_typo_of_the_name_written_elsewhere():
    text = ("Bí thư Tỉnh ủy Hoàng Văn Văn Thắng làm trưởng đoàn. Thay mặt đoàn, Bí thư Tỉnh ủy Hoàng Văn Thắng "
            "cảm ơn tỉnh bạn.")
    assert list(people(text)) == ["Hoàng Văn Thắng"]


def test_a_later_mention_by_title_alone_is_not_a_new_person():
    text = ("Đồng chí Mạc Văn Khoa, Bí thư Tỉnh ủy chủ trì. Đồng chí Bí thư Tỉnh ủy phân tích cơ chế giám sát "
            "người đứng đầu.")
    assert people(text) == {"Mạc Văn Khoa": ["Bí thư Tỉnh ủy"]}


def test_a_historical_name_in_a_documents_title_is_a_person_but_the_city_and_the_union_are_not():
    text = ("Đoàn viên Đoàn TNCS Hồ Chí Minh của TP Hồ Chí Minh triển khai Chỉ thị về đẩy mạnh học tập và làm "
            "theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.")
    assert people(text) == {"Hồ Chí Minh": []}


def test_a_bare_chairman_before_a_name_is_not_a_title():
    assert people("Các đại biểu dâng hương tưởng niệm Chủ tịch Hồ Chí Minh.") == {"Hồ Chí Minh": []}


@pytest.mark.parametrize("text", [
    "Hội nghị diễn ra tại Trường THPT Lê Quý Đôn trên đường Trần Hưng Đạo.",
    "Đoàn đã đến thăm Lâm Đồng, Hà Tĩnh và Thái Nguyên trong tháng 5.",
    "Hà Tĩnh Sắp Xếp Bộ Máy Tinh Gọn Gắn Với Tinh Giản Biên Chế",
    "Các xã đã hoàn thành sáp nhập thôn, bản.\n\nTin, ảnh: Phan Minh Tú",
    "Tỉnh giảm 14 đầu mối.\n\nNguyễn Thùy Dương\n",
])
def test_places_streets_schools_headlines_and_bylines_are_not_persons(text):
    assert people(text) == {}


def test_two_syllable_names_need_a_title_or_an_honorific():
    text = "Chợ Mai Sơn đông vui. Ông Tô Hiến, Chủ tịch UBND xã cho biết xã đã giảm 3 thôn."
    assert people(text) == {"Tô Hiến": ["Chủ tịch UBND xã"]}


def test_lower_case_titles_after_a_name_as_national_papers_write_them():
    text = "Ông Lục Văn Hải - phó bí thư Thành ủy, chủ tịch UBND TP.HCM - chủ trì buổi làm việc."
    assert people(text) == {"Lục Văn Hải": ["phó bí thư Thành ủy", "chủ tịch UBND TP"]}


def test_titles_of_a_model_written_lower_case_attach_to_nobody():
    text = "Mô hình bí thư chi bộ đồng thời là trưởng thôn được mở rộng; chủ tịch UBND cấp xã được bố trí hợp lý."
    assert people(text) == {}


def test_evidence_points_at_the_mention_in_the_cleaned_text():
    text = "Mở đầu.\nPhó Chủ tịch UBND tỉnh Ninh Văn Quý nêu rõ yêu cầu."
    (person,) = find_persons(Document.from_text(text))
    ev = person.evidence[0]
    assert text[ev.start:ev.end] == "Phó Chủ tịch UBND tỉnh Ninh Văn Quý"
    assert ev.sentence == "Phó Chủ tịch UBND tỉnh Ninh Văn Quý nêu rõ yêu cầu."


def test_a_name_like_item_in_a_list_of_districts_is_a_place():
    text = "Đoàn làm việc với các huyện: Tân Biên, Gò Dầu, Dương Minh Châu và thị xã Hòa Thành."
    assert people(text) == {}


def test_a_lower_case_title_before_a_body_written_upper_case():
    text = "Hội nghị do trưởng Ban Tổ chức Thành ủy Âu Văn Lực chủ trì."
    assert people(text) == {"Âu Văn Lực": ["trưởng Ban Tổ chức Thành ủy"]}


def test_a_place_in_the_photo_between_name_and_title():
    text = "Đồng chí Hầu Văn Chiến (thứ hai từ trái sang), Giám đốc Sở Nội vụ trao quyết định."
    assert people(text) == {"Hầu Văn Chiến": ["Giám đốc Sở Nội vụ"]}


def test_a_bare_title_right_after_a_name_is_kept():
    text = "Ông Mẫn Đức Toàn, Phó Giám đốc, cho biết sở đã giảm 2 phòng. Chủ tịch Hồ Chí Minh từng dạy về cán bộ."
    assert people(text) == {"Mẫn Đức Toàn": ["Phó Giám đốc"], "Hồ Chí Minh": []}


def test_a_list_of_names_continues_its_honorific():
    text = "Dự lễ có các đồng chí Trần Lưu, Lương Cường và Phan Thị Lệ."
    assert people(text) == {"Trần Lưu": [], "Lương Cường": [], "Phan Thị Lệ": []}


def test_titles_joined_by_concurrently():
    text = "Đồng chí Giáp Văn Thuận, Bí thư Huyện ủy Lục Nam đồng thời là Chủ tịch UBND huyện phát biểu."
    assert people(text) == {"Giáp Văn Thuận": ["Bí thư Huyện ủy Lục Nam", "Chủ tịch UBND huyện"]}


def test_a_hmong_name_with_a_one_letter_middle_name():
    text = "Phát biểu chỉ đạo, Phó Chủ tịch UBND tỉnh Vàng A Dình đề nghị các huyện hoàn thiện hồ sơ."
    assert people(text) == {"Vàng A Dình": ["Phó Chủ tịch UBND tỉnh"]}


def test_a_head_that_stands_alone_still_takes_a_body_after_it():
    text = "Ông Lục Văn Hòa, Trưởng phòng Nội vụ huyện Bảo Lâm cho biết. Bà Ninh Thị Hạnh, Trưởng phòng, bổ sung."
    assert people(text) == {"Lục Văn Hòa": ["Trưởng phòng Nội vụ huyện Bảo Lâm"], "Ninh Thị Hạnh": ["Trưởng phòng"]}


def test_a_post_given_by_an_appointment():
    text = ("Ông Đậu Văn Khoa được bổ nhiệm giữ chức Phó Giám đốc Sở Nội vụ; bà Tăng Thị Mến được bầu làm "
            "Phó Chủ tịch HĐND huyện Kỳ Anh. Ông Lã Văn Tùng làm việc với Ban Tổ chức Tỉnh ủy.")
    assert people(text) == {"Đậu Văn Khoa": ["Phó Giám đốc Sở Nội vụ"],
                            "Tăng Thị Mến": ["Phó Chủ tịch HĐND huyện Kỳ Anh"], "Lã Văn Tùng": []}


def test_a_bare_steering_committee_title_takes_the_remit_the_article_names():
    text = ("Sáng 3/5, Ban Chỉ đạo cải cách hành chính tỉnh họp phiên cuối năm. Đồng chí Hà Sỹ Diện, Phó Chủ tịch "
            "UBND tỉnh, Trưởng Ban Chỉ đạo, chủ trì.")
    assert people(text) == {"Hà Sỹ Diện": ["Phó Chủ tịch UBND tỉnh", "Trưởng Ban Chỉ đạo cải cách hành chính tỉnh"]}


def test_a_bare_steering_committee_title_stays_bare_when_two_are_named():
    text = ("Tỉnh lập Ban Chỉ đạo xây dựng nông thôn mới và Ban Chỉ đạo chuyển đổi số. Ông Nguyễn Hữu Đông, "
            "Trưởng Ban Chỉ đạo, phát biểu.")
    assert people(text) == {"Nguyễn Hữu Đông": ["Trưởng Ban Chỉ đạo"]}


def test_a_second_title_after_the_name_of_a_leader_named_by_the_first():
    text = ("Thực hiện chỉ đạo của Thủ tướng Phạm Minh Chính, Trưởng Ban Chỉ đạo quốc gia về chuyển đổi số, các bộ "
            "đã rà soát thủ tục.")
    assert people(text) == {"Phạm Minh Chính": ["Thủ tướng", "Trưởng Ban Chỉ đạo quốc gia về chuyển đổi số"]}


def test_a_post_given_by_election_continues_the_chain_of_titles():
    text = ("Đồng chí Bùi Văn Quang giữ chức Phó Bí thư Tỉnh ủy, được bầu làm Chủ tịch UBND tỉnh. Bà Lò Thị Luyến, "
            "Phó Chủ tịch HĐND huyện, được bổ nhiệm giữ chức Giám đốc Sở Nội vụ.")
    assert people(text) == {"Bùi Văn Quang": ["Phó Bí thư Tỉnh ủy", "Chủ tịch UBND tỉnh"],
                            "Lò Thị Luyến": ["Phó Chủ tịch HĐND huyện", "Giám đốc Sở Nội vụ"]}


def test_an_assignment_that_is_no_title_ends_the_chain():
    text = "Ông Đỗ Văn Chiến, Bí thư Tỉnh ủy, được giao phụ trách công tác chuẩn bị đại hội."
    assert people(text) == {"Đỗ Văn Chiến": ["Bí thư Tỉnh ủy"]}


def test_a_standing_committee_seat_takes_the_committee_of_its_chain():
    text = ("Ông Hoàng Xuân Ánh, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Tỉnh ủy; bà Hứa Thị Lan, Ủy viên Ban "
            "Thường vụ, Phó Chủ tịch UBND tỉnh; ông Nông Văn Khuyến, Ủy viên Ban Thường vụ.")
    assert people(text) == {
        "Hoàng Xuân Ánh": ["Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Dân vận Tỉnh ủy"],
        "Hứa Thị Lan": ["Ủy viên Ban Thường vụ Tỉnh ủy", "Phó Chủ tịch UBND tỉnh"],
        "Nông Văn Khuyến": ["Ủy viên Ban Thường vụ"],
    }


def test_names_in_a_list_of_wards_or_communes_are_places():
    text = ("Phường mới được thành lập từ một phần các phường Tân Định, Võ Thị Sáu; các xã Minh Khai, Nguyễn Huệ và "
            "Lê Lợi cũng được sáp nhập. Dự lễ có đồng chí Nguyễn Huệ Linh, Phó Chủ tịch UBND huyện.")
    assert people(text) == {"Nguyễn Huệ Linh": ["Phó Chủ tịch UBND huyện"]}


def test_ede_and_jrai_names_open_with_y_or_h():
    text = ("Đồng chí Y Vinh Tơr, Phó Trưởng Ban Dân vận Trung ương, làm việc với tỉnh. Bà H’Yim Kđoh, Phó Chủ tịch "
            "HĐND tỉnh cùng dự. Ông Y Ngông Niê Kdăm phát biểu. Chị H'Ble Êban kể chuyện.")
    assert people(text) == {"Y Vinh Tơr": ["Phó Trưởng Ban Dân vận Trung ương"], "H’Yim Kđoh": ["Phó Chủ tịch HĐND tỉnh"],
                            "Y Ngông Niê Kdăm": [], "H'Ble Êban": []}


@pytest.mark.parametrize("text", [
    "Trung tâm Y Tế Dự Phòng tỉnh triển khai tiêm chủng.",
    "Bản Y Tý và xã Y Tý đã sáp nhập thôn.",
    "Ngành Y Tế Quảng Ninh dẫn đầu cả nước.",
])
def test_medicine_and_places_are_not_highland_names(text):
    assert people(text) == {}


def test_jrai_family_names_written_in_two_words():
    text = "Ông Rah Lan Hiếu, Phó Chủ tịch UBND tỉnh, và ông Puih Hlin cùng dự."
    assert people(text) == {"Rah Lan Hiếu": ["Phó Chủ tịch UBND tỉnh"], "Puih Hlin": []}


@pytest.mark.parametrize("text, expected", [
    ("Hội nghị do Phó Chủ tịch UBND tỉnh Trần Minh Đồng chủ trì.", {"Trần Minh Đồng": ["Phó Chủ tịch UBND tỉnh"]}),
    ("Ông Vũ Văn Đồng, Chủ tịch UBND huyện Yên Thế cho biết như vậy.",
     {"Vũ Văn Đồng": ["Chủ tịch UBND huyện Yên Thế"]}),
    ("Ông Đinh Văn Được, Bí thư Huyện ủy phát biểu tại buổi làm việc.", {"Đinh Văn Được": ["Bí thư Huyện ủy"]}),
    ("Đồng chí Lý Văn Chánh, Chánh Văn phòng UBND tỉnh báo cáo.", {"Lý Văn Chánh": ["Chánh Văn phòng UBND tỉnh"]}),
])
def test_a_given_name_that_is_also_a_common_word_stays_in_the_name(text, expected):
    assert people(text) == expected


def test_a_common_word_after_a_name_that_starts_a_phrase_is_not_part_of_it():
    text = "Ông Lê Văn Tám Đồng chí Bí thư nói. Bà Ngô Thị Hoa Chánh án TAND tỉnh dự."
    assert set(people(text)) == {"Lê Văn Tám", "Ngô Thị Hoa"}


def test_an_appointment_line_gives_the_old_post_and_the_new_one():
    text = ("Ông Lò Văn Cường – Chủ tịch UBND huyện Mai Sơn làm Giám đốc Sở Nội vụ. Bà Hà Thị Hoa - Giám đốc Sở Y tế "
            "làm Giám đốc Sở Dân tộc và Tôn giáo.")
    assert people(text) == {
        "Lò Văn Cường": ["Chủ tịch UBND huyện Mai Sơn", "Giám đốc Sở Nội vụ"],
        "Hà Thị Hoa": ["Giám đốc Sở Y tế", "Giám đốc Sở Dân tộc và Tôn giáo"],
    }


def test_a_body_held_by_a_person_completes_the_bare_title():
    text = "Sở Tài chính do ông Lê Văn Hòa làm Giám đốc, Sở Xây dựng do ông Trần Văn Bình làm Giám đốc."
    assert people(text) == {"Lê Văn Hòa": ["Giám đốc Sở Tài chính"], "Trần Văn Bình": ["Giám đốc Sở Xây dựng"]}


def test_elected_by_a_body_with_a_military_rank_and_a_term_between_posts():
    text = ("Thượng tá Lê Văn Hòa, Phó Bí thư Tỉnh ủy, Giám đốc Công an tỉnh, được HĐND bầu giữ chức Chủ tịch UBND "
            "tỉnh Cao Bằng. Thủ tướng chỉ định ông Trần Văn Bình, Phó Bí thư Tỉnh ủy (mới) nhiệm kỳ 2020-2025 "
            "giữ chức vụ Chủ tịch HĐND tỉnh.")
    assert people(text) == {
        "Lê Văn Hòa": ["Phó Bí thư Tỉnh ủy", "Giám đốc Công an tỉnh", "Chủ tịch UBND tỉnh"],
        "Trần Văn Bình": ["Phó Bí thư Tỉnh ủy", "Chủ tịch HĐND tỉnh"],
    }


def test_earlier_posts_acting_posts_and_a_given_name_that_refers_back():
    text = ("Ông Hà Văn Khánh được giao quyền Chủ tịch UBND tỉnh. Ông Lê Văn Hòa phát biểu. Ông Hòa từng làm Bí thư "
            "Huyện ủy Mai Sơn, sau đó làm Giám đốc Sở Nội vụ.")
    assert people(text) == {
        "Hà Văn Khánh": ["Quyền Chủ tịch UBND tỉnh"],
        "Lê Văn Hòa": ["Bí thư Huyện ủy Mai Sơn", "Giám đốc Sở Nội vụ"],
    }


def test_a_title_a_comma_and_an_honorific_before_the_name():
    assert people("Giám đốc Sở Nội vụ, ông Lê Văn Hòa, cho biết tỉnh giảm 12 phòng.") == {
        "Lê Văn Hòa": ["Giám đốc Sở Nội vụ"]
    }
    # in a list of "name - title" items the title belongs to the name before it, not the next one
    assert people("Ông Lê Văn Hòa - Bí thư Tỉnh ủy, ông Trần Văn Bình - Chủ tịch UBND tỉnh trao quyết định.") == {
        "Lê Văn Hòa": ["Bí thư Tỉnh ủy"], "Trần Văn Bình": ["Chủ tịch UBND tỉnh"],
    }


def test_a_minister_by_rank_heading_a_body_holds_one_post():
    assert people("Đồng chí Lê Văn Hòa, Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ phát biểu.") == {
        "Lê Văn Hòa": ["Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ"]
    }


def test_a_hmong_surname_starts_a_name():
    assert people("Ngày 20/1, bà Tráng Thị Hoa - Phó Chủ tịch UBND tỉnh, chủ trì cuộc họp.") == {
        "Tráng Thị Hoa": ["Phó Chủ tịch UBND tỉnh"]
    }


def test_a_post_given_to_the_persons_named_after_cho_or_doi_voi():
    assert people("Thủ tướng giao quyền Chủ tịch tỉnh Cao Bằng cho ông Lê Văn Hòa, Phó Chủ tịch thường trực tỉnh.") == {
        "Lê Văn Hòa": ["Quyền Chủ tịch tỉnh", "Phó Chủ tịch thường trực"]
    }
    text = ("HĐND tỉnh đã bầu bổ sung Phó Chủ tịch UBND tỉnh đối với các ông Lê Văn Hòa - Giám đốc Sở Y tế và ông "
            "Trần Văn Bình - Bí thư Huyện ủy Mai Sơn.")
    assert people(text) == {
        "Lê Văn Hòa": ["Phó Chủ tịch UBND tỉnh", "Giám đốc Sở Y tế"],
        "Trần Văn Bình": ["Phó Chủ tịch UBND tỉnh", "Bí thư Huyện ủy Mai Sơn"],
    }


def test_earlier_posts_in_a_biography_go_to_the_person_the_sentence_is_about():
    text = ("Ông Lê Văn Hòa sinh năm 1970, quê xã Tân Lập. Ông là thạc sĩ, từng có thời gian làm Bí thư Huyện ủy Mai "
            "Sơn, sau đó làm Giám đốc Sở Nội vụ. Bà Hà Thị Mai sinh năm 1972, sau đó giữ vị trí Bí thư Huyện ủy Yên Châu.")
    assert people(text) == {
        "Lê Văn Hòa": ["Bí thư Huyện ủy Mai Sơn", "Giám đốc Sở Nội vụ"],
        "Hà Thị Mai": ["Bí thư Huyện ủy Yên Châu"],
    }


@pytest.mark.parametrize("text", [
    "Ông Y Biêr Niê và bà H'Yim Kđoh dự họp; HY Biêr Niê; Sở Y Tế Dự Phòng.", "Y Tý Y Ngông Niê", "H’Hen Niê", "",
])
def test_highland_names_are_tried_where_a_y_or_an_h_opens_a_word(text):
    whole = [m.span() for m in people_module._HIGHLAND_NAME.finditer(text)]
    assert [m.span() for m in people_module.finditer_from(people_module._HIGHLAND_NAME, people_module._HIGHLAND_OPENING, text)] == whole


def test_a_name_runs_syllables_read_from_it_are_those_found_in_the_text():
    """_name_mentions pairs the syllables found in a run's own string with their places found in the text."""
    seeds = Path(__file__).resolve().parents[3] / "seeds"
    runs = 0
    for path in sorted(seeds.glob("*.txt")):
        text = Document.from_text(path.read_text(encoding="utf-8")).normal
        for run in people_module._NAME_RUN.finditer(text):
            in_text = [t.group(0) for t in people_module._CAP_TOKEN.finditer(text, run.start(), run.end())]
            assert people_module._CAP_TOKEN.findall(run.group(0)) == in_text
            runs += 1
    assert runs > 100


def test_the_post_a_person_takes_in_the_steering_committee_the_sentence_sets_up():
    text = ("Tỉnh thành lập Ban Chỉ đạo xây dựng Đề án sắp xếp đơn vị hành chính do đồng chí Thái Thanh Quý - Bí thư "
            "Tỉnh ủy làm Trưởng ban; đồng chí Nguyễn Đức Trung - Chủ tịch UBND tỉnh làm Phó Trưởng ban Thường trực; "
            "đồng chí Hoàng Nghĩa Hiếu làm Phó Trưởng ban. Đồng chí Lê Văn Hòa làm việc với Ban Chỉ đạo.")
    assert people(text) == {
        "Thái Thanh Quý": ["Bí thư Tỉnh ủy", "Trưởng Ban Chỉ đạo"],
        "Nguyễn Đức Trung": ["Chủ tịch UBND tỉnh", "Phó Trưởng Ban Chỉ đạo Thường trực"],
        "Hoàng Nghĩa Hiếu": ["Phó Trưởng Ban Chỉ đạo"],
        "Lê Văn Hòa": [],
    }
