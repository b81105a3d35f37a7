"""Organizations in provincial news: each body once, as specifically as the text allows."""
import re
from pathlib import Path

import pytest

from common import lexicon
from common.text import longest_first
from services.extract.engine import organizations, rules
from services.extract.engine.doc import Document
from services.extract.engine.organizations import find_organizations
from services.extract.engine.people import find_persons


def bodies(text: str) -> list[str]:
    doc = Document.from_text(text)
    return [o.name for o in find_organizations(doc, find_persons(doc))]


def test_bodies_inside_titles_take_the_province_the_title_names():
    text = "Đồng chí Vi Văn Tuấn, Ủy viên T.Ư Đảng, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh Lào Cai phát biểu."
    assert bodies(text) == ["Ban Chấp hành Trung ương Đảng", "Tỉnh ủy Lào Cai", "HĐND tỉnh Lào Cai"]


def test_the_article_province_fills_in_a_body_written_without_it():
    text = ("Tỉnh Phú Yên đã giảm 40 phòng. Sáng 3/4, Ban Thường vụ Tỉnh ủy họp. Trung tâm Truyền thông tỉnh "
            "đưa tin về hội nghị.")
    assert bodies(text) == ["Ban Thường vụ Tỉnh ủy Phú Yên", "Trung tâm Truyền thông tỉnh Phú Yên"]


def test_without_a_province_named_bodies_stay_as_written():
    text = ("Ban Thường vụ Tỉnh ủy ban hành chương trình. Đồng chí Tống Văn Hiệp, Phó Bí thư Thường trực Tỉnh ủy "
            "kết luận. Ban cán sự đảng UBND tỉnh xây dựng đề án.")
    assert bodies(text) == ["Ban Thường vụ Tỉnh ủy", "Tỉnh ủy", "Ban cán sự đảng UBND tỉnh"]


def test_the_central_level_alone_is_not_a_body_but_its_committee_is():
    text = ("Nghị quyết Hội nghị T.Ư 6 được T.Ư ghi nhận. Ủy viên Ban Chấp hành Trung ương Đảng, Bí thư Trung "
            "ương Đảng dự hội nghị; Bộ Chính trị và Ban Bí thư đã kết luận.")
    assert bodies(text) == ["Ban Chấp hành Trung ương Đảng", "Ban Bí thư", "Bộ Chính trị"]


def test_a_secretary_of_the_central_committee_sits_in_the_secretariat():
    text = ("Đồng chí Mai Văn Chính, Ủy viên Bộ Chính trị, Bí thư Trung ương Đảng, Trưởng Ban Dân vận Trung ương "
            "dự. Tổng Bí thư Ban Chấp hành Trung ương Đảng đã gửi thư chúc mừng.")
    assert bodies(text) == ["Bộ Chính trị", "Ban Bí thư", "Ban Dân vận Trung ương", "Ban Chấp hành Trung ương Đảng"]


@pytest.mark.parametrize("text", [
    "Các huyện ủy, thị ủy phải bố trí trưởng ban tuyên giáo đồng thời là giám đốc trung tâm chính trị.",
    "Mô hình bí thư cấp ủy đồng thời là chủ tịch UBND cấp xã chưa được mở rộng ở HĐND, UBND các cấp.",
    "Ban Tổ chức hội thi đã trao giải cho các đội.",
    "Việc xây dựng Chính phủ điện tử được đẩy mạnh.",
    "Các đoàn thể CT-XH và cơ quan khối phối hợp chặt chẽ.",
])
def test_generic_labels_and_other_meanings_are_not_bodies(text):
    assert bodies(text) == []


def test_two_spellings_of_a_provincial_board_are_one_body():
    text = ("Tỉnh ủy Sóc Trăng chỉ đạo. Lãnh đạo Ban Dân vận Tỉnh ủy báo cáo. Lãnh đạo Ban Dân vận tỉnh cũng "
            "làm rõ các nội dung.")
    assert bodies(text) == ["Tỉnh ủy Sóc Trăng", "Ban Dân vận Tỉnh ủy Sóc Trăng"]


def test_the_provincial_committee_and_its_executive_are_one_body():
    text = ("Ban Chấp hành Đảng bộ tỉnh Bình Phước họp phiên thứ 9. Thời gian qua, Tỉnh ủy đã chỉ đạo sắp xếp "
            "bộ máy.")
    assert bodies(text) == ["Ban Chấp hành Đảng bộ tỉnh Bình Phước"]


def test_a_body_inside_another_bodys_name_is_not_listed_apart():
    text = "Ban Tổ chức Tỉnh ủy Tuyên Quang phối hợp với Văn phòng UBND tỉnh và Đảng đoàn HĐND tỉnh."
    assert bodies(text) == ["Ban Tổ chức Tỉnh ủy Tuyên Quang", "Văn phòng UBND tỉnh Tuyên Quang",
                            "Đảng đoàn HĐND tỉnh Tuyên Quang"]


def test_a_visit_puts_each_side_in_its_own_province():
    text = (
        "Đoàn công tác tỉnh Hậu Giang do Bí thư Tỉnh ủy Kim Văn Đạt làm trưởng đoàn đến học tập tại Bến Tre.\n"
        "Cùng đi có Phó Chủ tịch UBND tỉnh Lê Văn Chí.\n"
        "Tiếp đoàn tỉnh Hậu Giang có Phó Chủ tịch UBND tỉnh Đoàn Văn Sĩ. Bến Tre giới thiệu kinh nghiệm của "
        "Bến Tre về sắp xếp đơn vị sự nghiệp.\n"
    )
    assert bodies(text) == ["Tỉnh ủy Hậu Giang", "UBND tỉnh Hậu Giang", "UBND tỉnh Bến Tre"]


def test_a_level_shared_by_councils_and_committees():
    text = "Đại diện Thường trực Tỉnh ủy, HĐND, UBND tỉnh Kon Tum dự lễ."
    assert bodies(text) == ["Thường trực Tỉnh ủy Kon Tum", "HĐND tỉnh Kon Tum", "UBND tỉnh Kon Tum"]


def test_city_bodies_of_ho_chi_minh_city_keep_the_city_as_written():
    text = "Ông Lạc Văn Phú, chủ tịch UBND TP.HCM, làm việc với Sở Nội vụ TP và Thành ủy TP.HCM."
    assert bodies(text) == ["UBND TP.HCM", "Sở Nội vụ TP.HCM", "Thành ủy TP.HCM"]
    text = "UBND Thành phố Hồ Chí Minh họp; Sở Tài chính thành phố trình phương án."
    assert bodies(text) == ["UBND Thành phố Hồ Chí Minh", "Sở Tài chính Thành phố Hồ Chí Minh"]


def test_departments_front_and_mass_organizations():
    text = ("Sở Kế hoạch và Đầu tư, Sở Lao động - Thương binh và Xã hội, Bộ Nội vụ, MTTQ và Hội Nông dân "
            "tỉnh Gia Lai cùng tham gia.")
    assert bodies(text) == ["Sở Kế hoạch và Đầu tư Gia Lai", "Sở Lao động - Thương binh và Xã hội Gia Lai",
                            "Bộ Nội vụ", "MTTQ", "Hội Nông dân tỉnh Gia Lai"]


def test_centres_and_local_bodies_keep_their_place():
    text = ("Đoàn thăm Trung tâm Phục vụ hành chính công tỉnh Vĩnh Long và Trung tâm Giao dịch \"một cửa\" "
            "phường Tân Ngãi, làm việc với UBND huyện Long Hồ.")
    assert bodies(text) == ["Trung tâm Phục vụ hành chính công tỉnh Vĩnh Long",
                            "Trung tâm Giao dịch \"một cửa\" phường Tân Ngãi", "UBND huyện Long Hồ"]


def test_evidence_of_a_body_is_its_mention():
    text = "Mở đầu.\nSở Tư pháp tỉnh Nam Định tổng kết năm."
    (body,) = find_organizations(Document.from_text(text), [])
    assert body.name == "Sở Tư pháp tỉnh Nam Định"
    assert text[body.evidence[0].start:body.evidence[0].end] == "Sở Tư pháp tỉnh Nam Định"


def test_a_central_board_written_with_the_central_committee():
    assert bodies("Ban Tổ chức Ban Chấp hành Trung ương vừa ban hành hướng dẫn.") == [
        "Ban Tổ chức Ban Chấp hành Trung ương"]


def test_in_a_centrally_run_city_a_bare_board_belongs_to_the_city_committee():
    text = "Thành ủy Cần Thơ họp. Ban Tổ chức trình đề án; Thành ủy Thành phố Vị Thanh cũng báo cáo."
    assert bodies(text) == ["Thành ủy Cần Thơ", "Ban Tổ chức Thành ủy Cần Thơ", "Thành ủy Vị Thanh"]


def test_a_committee_shared_by_two_of_its_organs():
    assert bodies("Ban Thường vụ, Thường trực Tỉnh ủy Hòa Bình đã cho ý kiến.") == [
        "Ban Thường vụ Tỉnh ủy Hòa Bình", "Thường trực Tỉnh ủy Hòa Bình"]


def test_a_deputy_holds_office_in_the_national_assembly():
    assert bodies("Đại biểu Quốc hội Lò Thị Việt Hà tiếp xúc cử tri.") == ["Quốc hội"]


def test_the_province_is_added_as_the_article_writes_it():
    text = "Tỉnh Thừa Thiên Huế sắp xếp bộ máy. Chủ tịch HĐND tỉnh Lê Trường Lưu chủ trì."
    assert bodies(text) == ["HĐND tỉnh Thừa Thiên Huế"]


def test_a_footer_left_by_the_cleaner_names_no_body():
    text = "Tỉnh giảm 12 đầu mối.\nCơ quan chủ quản: Ủy ban nhân dân tỉnh Lai Châu\nTổng Biên tập: Lường Văn Mạnh"
    doc = Document.from_text(text)
    assert find_persons(doc) == [] and find_organizations(doc, []) == []


def test_a_local_body_takes_the_district_its_sentence_names():
    text = ("Tại huyện Sìn Hồ, ông Lò Văn Hặc, Chủ tịch UBND huyện cho biết đã giảm 30 bản. "
            "Ở huyện Phong Thổ, Huyện ủy đã ban hành nghị quyết.")
    assert bodies(text) == ["UBND huyện Sìn Hồ", "Huyện ủy Phong Thổ"]


def test_a_set_of_criteria_is_not_a_ministry():
    assert bodies("Xã đạt Bộ Tiêu chí quốc gia về nông thôn mới; Bộ Nội vụ và Bộ NN&PTNT hướng dẫn.") == [
        "Bộ Nội vụ", "Bộ NN&PTNT"]


def test_a_steering_committee_with_its_remit_and_level():
    text = ("Chiều 8/4, Ban Chỉ đạo chuyển đổi số tỉnh Bắc Kạn họp phiên thứ hai. Theo Ban Chỉ đạo, 90% hồ sơ đã "
            "được số hóa. Ban Chỉ đạo của Chính phủ về sắp xếp đơn vị hành chính cấp huyện, cấp xã đã có ý kiến.")
    assert bodies(text) == ["Ban Chỉ đạo chuyển đổi số tỉnh Bắc Kạn",
                            "Ban Chỉ đạo của Chính phủ về sắp xếp đơn vị hành chính cấp huyện, cấp xã"]


def test_a_steering_committees_remit_may_name_a_scheme_and_ends_where_its_own_verb_starts():
    text = ("UBND tỉnh thành lập Ban Chỉ đạo xây dựng Đề án sắp xếp đơn vị hành chính cấp huyện, cấp xã tỉnh Nghệ An. "
            "Ban Chỉ đạo thực hiện hợp nhất tự giải thể sau khi hoàn thành nhiệm vụ.")
    assert bodies(text) == ["UBND tỉnh Nghệ An",
                            "Ban Chỉ đạo xây dựng Đề án sắp xếp đơn vị hành chính cấp huyện, cấp xã tỉnh Nghệ An",
                            "Ban Chỉ đạo thực hiện hợp nhất"]


@pytest.mark.parametrize("text", [
    "Theo đánh giá của Ban Chỉ đạo, một số đơn vị còn chậm.",
    "Ban Chỉ đạo phát biểu kết luận và giao nhiệm vụ cho các ngành.",
])
def test_a_steering_committee_named_nowhere_is_not_a_body(text):
    assert bodies(text) == []


def test_the_party_organisations_of_2025_and_merged_provincial_ones():
    text = ("Tỉnh Ninh Bình thành lập Đảng bộ các cơ quan Đảng tỉnh và Đảng bộ UBND tỉnh. Bộ Chính trị quyết định "
            "thành lập Đảng bộ tỉnh Ninh Bình trên cơ sở hợp nhất Đảng bộ tỉnh Hà Nam và Đảng bộ tỉnh Nam Định.")
    assert bodies(text) == ["Đảng bộ các cơ quan Đảng tỉnh Ninh Bình", "Đảng bộ UBND tỉnh Ninh Bình", "Bộ Chính trị",
                            "Đảng bộ tỉnh Ninh Bình", "Đảng bộ tỉnh Hà Nam", "Đảng bộ tỉnh Nam Định"]


@pytest.mark.parametrize("text", [
    "Đại hội Đảng bộ tỉnh Hà Nam lần thứ XX thành công tốt đẹp.",
    "Hội nghị Đảng bộ tỉnh Nam Định giữa nhiệm kỳ đã bế mạc.",
    "Báo Hà Nam - Cơ quan của Đảng bộ tỉnh Hà Nam",
])
def test_a_party_organisation_named_by_its_congress_or_a_masthead_is_not_listed(text):
    assert bodies(text) == []


def test_a_body_inside_a_2025_party_organisation_is_not_listed_apart_but_its_chairman_gives_it():
    text = ("Thành lập Đảng bộ UBND tỉnh Bến Tre. Ông Trần Ngọc Tam, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh "
            "Bến Tre phát biểu.")
    assert bodies(text) == ["Đảng bộ UBND tỉnh Bến Tre", "Tỉnh ủy Bến Tre", "UBND tỉnh Bến Tre"]


def test_in_a_centrally_run_city_thanh_pho_is_the_level_word():
    text = ("Hải Phòng giảm 6 sở. Đồng chí Đỗ Mạnh Hiến, Phó Bí thư Thường trực Thành ủy, Chủ tịch HĐND thành phố "
            "chủ trì. Sở Xây dựng hợp nhất với Sở Giao thông vận tải thành phố Hải Phòng.")
    assert bodies(text) == ["Thành ủy Hải Phòng", "HĐND thành phố Hải Phòng", "Sở Xây dựng Hải Phòng",
                            "Sở Giao thông vận tải thành phố Hải Phòng"]


def test_a_body_written_bare_and_in_full_is_listed_once_in_full():
    text = ("Trung tâm Phục vụ hành chính công Bắc Ninh đón 300 lượt. Sở Nội vụ tỉnh Bắc Ninh và Trung tâm Phục vụ "
            "hành chính công tỉnh đã rà soát; Sở Nội vụ cũng báo cáo.")
    assert bodies(text) == ["Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh", "Sở Nội vụ tỉnh Bắc Ninh"]


def test_a_level_shared_by_offices_named_each_with_its_own_word():
    text = "Tỉnh hợp nhất Văn phòng Đoàn đại biểu Quốc hội, Văn phòng HĐND và Văn phòng UBND tỉnh Lai Châu."
    assert bodies(text) == ["Văn phòng Đoàn đại biểu Quốc hội tỉnh Lai Châu", "Văn phòng HĐND tỉnh Lai Châu",
                            "Văn phòng UBND tỉnh Lai Châu"]


def test_post_office_hospital_college_ministry_department_and_state_company():
    text = ("Bưu điện tỉnh Sơn La trả kết quả tận nhà. Bệnh viện Đa khoa tỉnh và Trường Cao đẳng Sơn La tự chủ chi "
            "thường xuyên. Vụ Chính quyền địa phương (Bộ Nội vụ) thẩm định. Công ty TNHH MTV Lâm nghiệp Mộc Châu "
            "được sắp xếp lại.")
    assert bodies(text) == ["Bưu điện tỉnh Sơn La", "Bệnh viện Đa khoa tỉnh Sơn La", "Trường Cao đẳng Sơn La",
                            "Vụ Chính quyền địa phương", "Bộ Nội vụ", "Công ty TNHH MTV Lâm nghiệp Mộc Châu"]


@pytest.mark.parametrize("text", [
    "Vụ Đông Xuân năm nay được mùa; huyện Vụ Bản đã sáp nhập 5 xã.",
    "Công ty đã nộp ngân sách 20 tỷ đồng.",
    "Học viện Chính trị khu vực I mở lớp bồi dưỡng.",
    "Các Sở Nội vụ và mỗi Trung tâm Y tế huyện phải rà soát.",
])
def test_seasons_bare_companies_truncated_names_and_plurals_are_not_bodies(text):
    assert bodies(text) == []


def test_a_post_of_a_model_is_not_a_body_but_a_holders_is():
    assert bodies("Ở cấp xã, mô hình bí thư đảng ủy đồng thời là chủ tịch UBND xã được nhân rộng.") == []
    assert bodies("Ông Vi Văn Sáu, Chủ tịch UBND xã, cho biết xã đã giảm 2 thôn.") == ["UBND xã"]


def test_a_centre_whose_name_holds_a_comma_list():
    text = "Trung tâm Văn hóa, Thể thao và Truyền thông huyện Bảo Yên được thành lập."
    assert bodies(text) == ["Trung tâm Văn hóa, Thể thao và Truyền thông huyện Bảo Yên"]
    text = "Ở cấp huyện, các trung tâm được hợp nhất thành Trung tâm Văn hóa, Thể thao và Truyền thông."
    assert bodies(text) == []


def test_a_local_body_takes_the_place_named_later_in_the_same_titles():
    text = "Ông Lò Văn Inh, Phó Bí thư Huyện ủy, Chủ tịch UBND huyện Mường La cho biết huyện đã giảm 4 phòng."
    assert bodies(text) == ["Huyện ủy Mường La", "UBND huyện Mường La"]


def test_a_standing_committee_seat_completed_from_its_chain_gives_the_committee():
    text = "Tỉnh Cao Bằng giảm 3 ban. Ông Hoàng Xuân Ánh, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Tỉnh ủy phát biểu."
    assert bodies(text) == ["Ban Dân vận Tỉnh ủy Cao Bằng", "Ban Thường vụ Tỉnh ủy Cao Bằng"]
    text = "Ông Đàm Văn Eng, Ủy viên Ban Thường vụ, Giám đốc Sở Nội vụ Cao Bằng phát biểu."
    assert bodies(text) == ["Sở Nội vụ Cao Bằng"]


def test_a_centre_name_joined_by_dashes_is_read_whole():
    text = "Trung tâm Văn hóa - Thông tin và Thể thao huyện Yên Thế đã tự bảo đảm chi thường xuyên."
    assert bodies(text) == ["Trung tâm Văn hóa - Thông tin và Thể thao huyện Yên Thế"]


def test_a_centre_name_followed_by_another_body_stops_before_it():
    assert bodies("Trung tâm Văn hóa và Sở Nội vụ cùng dự.") == ["Trung tâm Văn hóa", "Sở Nội vụ"]


def test_district_and_commune_bodies_written_without_their_place():
    text = ("Chủ tịch UBND huyện Tân Yên đề nghị Phòng Nội vụ rà soát biên chế. Ở xã Ngọc Thiện, Trạm Y tế xã "
            "được giao thêm nhiệm vụ. Huyện Tân Yên giao việc cho Phòng Nông nghiệp và Phát triển nông thôn.")
    assert bodies(text) == ["UBND huyện Tân Yên", "Phòng Nội vụ huyện Tân Yên", "Trạm Y tế xã Ngọc Thiện",
                            "Phòng Nông nghiệp và Phát triển nông thôn huyện Tân Yên"]


def test_a_division_of_a_department_is_not_a_district_division():
    # the division is a body of its own (inside the department), never "Phòng Nội vụ huyện"
    assert bodies("Phòng Nội vụ Sở Y tế được kiện toàn.") == ["Phòng Nội vụ", "Sở Y tế"]


def test_a_communes_party_organisation_and_its_standing_committee():
    text = ("Xã Tà Xùa có 20 bản. Đảng bộ xã có 30 chi bộ. Ông Mùa A Vảng, Bí thư Đảng ủy xã cho biết các đồng "
            "chí trong Ban Thường vụ Đảng ủy phụ trách từng bản.")
    assert set(bodies(text)) == {"Đảng bộ xã", "Đảng ủy xã", "Ban Thường vụ Đảng ủy xã"}


def test_a_bare_party_committee_with_no_commune_named_is_not_a_body():
    assert bodies("Các đồng chí trong Ban Thường vụ Đảng ủy được phân công phụ trách.") == []
    assert bodies("Đại hội Đảng bộ xã lần thứ nhất thành công. Xã Tà Xùa có 20 bản.") == []


def test_a_generic_model_of_a_shared_office_names_no_body():
    text = "Tỉnh thí điểm hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND ở 3 huyện là An Lão, Tây Sơn và Phù Mỹ."
    assert bodies(text) == []
    assert bodies("Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh tổ chức hội nghị.") == [
        "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh"]


def test_bare_divisions_in_a_list_and_a_dashed_division_not_cut_short():
    assert bodies("Huyện Lạng Giang giao Phòng Nội vụ và Phòng Tư pháp rà soát.") == [
        "Phòng Nội vụ huyện Lạng Giang", "Phòng Tư pháp huyện Lạng Giang"]
    assert "Phòng Tài chính" not in bodies("UBND huyện Lạng Giang giao Phòng Tài chính - Kế hoạch thẩm định.")


def test_departments_listed_under_one_so_or_after_a_count_of_them():
    assert bodies("Sau sắp xếp, tỉnh có Sở Tài chính, Xây dựng, Văn hóa, Thể thao và Du lịch và Nội vụ.") == [
        "Sở Tài chính", "Sở Xây dựng", "Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ",
    ]
    assert bodies("Tỉnh Yên Bái kiện toàn 3 sở gồm: Tài chính, Công Thương, Khoa học và Công nghệ (giảm 7 phòng).") == [
        "Sở Tài chính Yên Bái", "Sở Công Thương Yên Bái", "Sở Khoa học và Công nghệ Yên Bái",
    ]
    # "và" right after one department joins two of its fields, not a second department
    assert bodies("Sáp nhập Sở Văn hóa - Thông tin - Thể thao và Du lịch với Sở Nội vụ.") == [
        "Sở Văn hóa - Thông tin - Thể thao và Du lịch", "Sở Nội vụ",
    ]


def test_management_boards_sub_departments_and_the_ethnic_affairs_board():
    text = ("Tỉnh thành lập Chi cục Trồng trọt và Bảo vệ thực vật trên cơ sở Chi cục Trồng trọt; chuyển Ban Quản lý các "
            "dự án đầu tư xây dựng khu công nghiệp về Ban Quản lý các khu công nghiệp tỉnh; Ban Tôn giáo về Ban Dân tộc.")
    assert bodies(text) == [
        "Chi cục Trồng trọt và Bảo vệ thực vật", "Chi cục Trồng trọt",
        "Ban Quản lý các dự án đầu tư xây dựng khu công nghiệp", "Ban Quản lý các khu công nghiệp tỉnh",
        "Ban Tôn giáo", "Ban Dân tộc",
    ]


def test_bodies_named_as_a_seat_share_the_place_the_list_ends_with():
    text = ("Xã mới đặt trụ sở tại trụ sở Huyện ủy, Hội đồng nhân dân (HĐND) và UBND huyện Tân Lạc; xã kia tại trụ sở "
            "Đảng ủy, HĐND và UBND xã Phong Phú hiện nay.")
    assert bodies(text) == [
        "Huyện ủy Tân Lạc", "HĐND huyện Tân Lạc", "UBND huyện Tân Lạc",
        "Đảng ủy xã Phong Phú", "HĐND xã Phong Phú", "UBND xã Phong Phú",
    ]
    assert bodies("Ủy ban nhân dân (UBND) tỉnh Hòa Bình xây dựng đề án.") == ["UBND tỉnh Hòa Bình"]


def test_a_body_cut_mid_word_at_the_excerpts_end_is_dropped():
    assert bodies("Trong đó, 7 cơ quan thành lập mới: Sở Nội vụ, Sở Tài ch") == ["Sở Nội vụ"]


def test_a_steering_committee_with_its_remit_in_capitals_and_its_owner():
    assert bodies("Ngày 25/5, Ban Chỉ đạo Cải cách hành chính của Chính phủ công bố chỉ số.") == [
        "Ban Chỉ đạo Cải cách hành chính của Chính phủ"
    ]


def test_any_body_of_a_kind_and_the_issuer_inside_a_symbol_are_no_bodies():
    assert bodies("Người dân làm thủ tục tại bất kỳ Trung tâm Phục vụ hành chính công nào.") == []
    assert bodies("Theo Nghị quyết số 02/2018/NQ-HĐND tỉnh, 9 trường hợp được hỗ trợ.") == []


def test_a_seat_and_a_building_are_no_bodies():
    assert bodies("Trung tâm chính trị - hành chính đặt tại trụ sở UBND quận Ninh Kiều. Trung tâm Chính trị huyện "
                  "Hải Hà mở lớp.") == ["UBND quận Ninh Kiều", "Trung tâm Chính trị huyện Hải Hà"]
    assert bodies("Trung tâm làm việc tại tầng 1, tòa nhà Bưu điện tỉnh Bến Tre.") == []


def test_divisions_inside_a_department_schools_and_faculties():
    assert bodies("Sở Y tế tỉnh Lào Cai hợp nhất Phòng Tổ chức cán bộ và Phòng Kế hoạch - Tài chính.") == [
        "Sở Y tế tỉnh Lào Cai", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính",
    ]
    assert bodies("Trường Đại học Sư phạm Hà Nội sáp nhập Khoa Ngữ văn và Khoa Lịch sử.") == [
        "Trường Đại học Sư phạm Hà Nội", "Khoa Ngữ văn", "Khoa Lịch sử",
    ]
    assert bodies("Trường THPT Chuyên Lào Cai và Trường Mầm non Hoa Sen khai giảng.") == [
        "Trường THPT Chuyên Lào Cai", "Trường Mầm non Hoa Sen",
    ]
    assert bodies("Phòng khám đa khoa mở cửa. Khoa học và công nghệ phát triển.") == []


def test_the_scan_by_opening_letter_finds_what_the_whole_alternation_finds():
    """At each capital only the kinds that can open with it are tried: the matches are those of _BODY_SCAN."""
    seeds = Path(__file__).resolve().parents[3] / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    body_rules = [rules.get(rule_id) for rule_id, _ in organizations._BODY_RULES]
    texts += [example for r in body_rules for example in r.examples + r.counterexamples]
    found = 0
    for text in texts:
        text = Document.from_text(text).normal
        whole = [(m.span(), m.group(0)) for m in organizations._BODY_SCAN.finditer(text)]
        assert [(m.span(), m.group(0)) for m in organizations._upper_case_body_matches(text)] == whole
        found += len(whole)
    assert found > 100


def test_a_body_as_written_and_its_level_word():
    """The per-body readings kept by string: blanks single, no closing dot, the full name before "(UBND)" dropped."""
    assert organizations._written_core("Ủy ban nhân dân (UBND)\n  tỉnh.") == "UBND tỉnh"
    assert organizations._written_core("Sở Nội vụ") == "Sở Nội vụ"
    assert organizations._level_ending("UBND tỉnh") == (True, False, False, False)
    assert organizations._level_ending("UBND thành phố") == (False, True, False, False)
    assert organizations._level_ending("Huyện ủy") == (False, False, True, False)
    assert organizations._level_ending("Sở Nội vụ") == (False, False, False, False)


@pytest.mark.parametrize("kind", ["local_state", "national", "mass_organisation", "party_board", "field", "centre"])
def test_an_alternation_grouped_by_first_word_matches_as_the_plain_one(kind):
    """_alt groups the phrases by first word; at every place of the seeds the match is the plain alternation's."""
    phrases = lexicon.body_names(kind)
    grouped = re.compile(organizations._alt(*phrases) + r"(?![\w])")
    plain = re.compile("(?:" + "|".join(organizations.phrase(x) for x in longest_first(phrases)) + r")(?![\w])")
    assert grouped.pattern != plain.pattern
    seeds = Path(__file__).resolve().parents[3] / "seeds"
    texts = [Document.from_text(p.read_text(encoding="utf-8")).normal for p in sorted(seeds.glob("*.txt"))]
    texts += [" ".join(phrases), " ".join(phrases).lower(), " ".join(p.split()[0] for p in phrases)]
    for text in texts:
        for i in range(len(text)):
            m, n = grouped.match(text, i), plain.match(text, i)
            assert (m and m.span()) == (n and n.span()), text[i:i + 40]


def test_an_alternation_stays_plain_where_two_first_words_can_meet():
    assert organizations._alt("Ban Dân tộc", "Bang X", "Ban") == "(?:" + "|".join(
        organizations.phrase(x) for x in ("Ban Dân tộc", "Bang X", "Ban")) + ")"
    assert organizations._alt("Y tế", "y học").count("|") == 1
    assert organizations._alt("Ban Dân tộc", "Ban Tôn giáo", "Ban").count("[Bb]an") == 1


def test_the_bodies_a_district_merged_in_the_pilot_and_the_border_guard_of_a_province():
    text = ("Huyện hợp nhất Ban Tổ chức Huyện ủy Đức Thọ với Phòng Nội vụ huyện Đức Thọ thành Cơ quan Tổ chức - Nội vụ "
            "huyện Đức Thọ. Phó Chủ tịch UBND tỉnh thăm Bộ đội Biên phòng tỉnh Quảng Bình.")
    found = bodies(text)
    assert "Cơ quan Tổ chức - Nội vụ huyện Đức Thọ" in found
    assert "Bộ đội Biên phòng tỉnh Quảng Bình" in found
