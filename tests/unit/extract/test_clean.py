"""Cleaning scraped provincial news: furniture out, headline and body in, bylines and dates handed on."""

import unicodedata

import pytest

from services.extract.engine.clean import _normalised_lines, _without_promos, byline_names, clean_article

PORTAL_PAGE = """TRANG CHỦ
DỊCH VỤ CÔNG
Hotline: 0912 000 111 | SƠ ĐỒ SITE | ENGLISH
TIN TỨC
Huyện Mường Lát giảm 14 đầu mối sau sắp xếp

Thứ Ba, 14/05/2019, 08:10 [GMT+7]
.
Sáng 13/5, Huyện ủy Mường Lát đánh giá kết quả sắp xếp bộ máy. Đồng chí Hà Văn Ban, Bí thư Huyện ủy chủ trì.
Video clip:
Toàn huyện giảm 14 đầu mối và 22 lãnh đạo cấp phòng; các xã đã hoàn thành sáp nhập thôn, bản.

Lan Phương
.
.
412
Các tin khác
Thanh Hóa tổng kết công tác cải cách hành chính
Nghệ An hoàn thành sáp nhập thôn, xóm
Lượt truy cập: 10234
Cơ quan chủ quản: Ủy ban nhân dân tỉnh
Email: banbientap@thanhhoa.gov.vn
"""


def test_menus_dates_counters_and_footer_leave_the_text():
    cleaned = clean_article(PORTAL_PAGE)
    assert cleaned.text.split("\n") == [
        "Huyện Mường Lát giảm 14 đầu mối sau sắp xếp",
        "Sáng 13/5, Huyện ủy Mường Lát đánh giá kết quả sắp xếp bộ máy. "
        "Đồng chí Hà Văn Ban, Bí thư Huyện ủy chủ trì.",
        "Toàn huyện giảm 14 đầu mối và 22 lãnh đạo cấp phòng; các xã đã hoàn thành sáp nhập thôn, bản.",
    ]


def test_headline_bylines_dates_and_furniture_are_handed_to_metadata():
    cleaned = clean_article(PORTAL_PAGE)
    assert cleaned.title == "Huyện Mường Lát giảm 14 đầu mối sau sắp xếp"
    assert cleaned.datelines == ("Thứ Ba, 14/05/2019, 08:10 [GMT+7]",)
    assert cleaned.bylines == ("Lan Phương",)
    assert "Email: banbientap@thanhhoa.gov.vn" in cleaned.furniture
    # Headlines of other articles in the related-links block are not this article's text.
    assert "Nghệ An" not in cleaned.text


def test_caption_printed_twice_keeps_the_copy_the_article_confirms():
    raw = (
        "Đoàn công tác tỉnh Sơn La thăm mô hình một cửa\n"
        "Chiều 3/6, đồng chí Lò Minh Hùng dẫn đầu đoàn công tác tới thăm Trung tâm hành chính công. "
        "Đồng chí Lò Minh Hùng đánh giá cao mô hình.\n"
        "Đồng chí Lò Minh Hưng phát biểu tại buổi làm việc\n"
        "Đồng chí Lò Minh Hùng phát biểu tại buổi làm việc.\n"
        "Các đại biểu thăm bộ phận tiếp nhận hồ sơ\n"
        "Các đại biểu thăm bộ phận tiếp nhận hồ sơ.\n"
    )
    lines = clean_article(raw).text.split("\n")
    assert "Đồng chí Lò Minh Hùng phát biểu tại buổi làm việc." in lines
    assert not any("Hưng" in line for line in lines)
    assert lines.count("Các đại biểu thăm bộ phận tiếp nhận hồ sơ.") == 1
    assert "Các đại biểu thăm bộ phận tiếp nhận hồ sơ" not in lines


@pytest.mark.parametrize(
    "lines",
    [
        (  # the same sentence for each district: other names, other numbers
            "Huyện Tiên Phước có 14 đơn vị hành chính, sắp xếp còn 5 đơn vị, đặt tên theo số thứ tự từ 1 đến 5.",
            "Huyện Bắc Trà My có 13 đơn vị hành chính, sắp xếp còn 5 đơn vị, đặt tên theo số thứ tự từ 1 đến 5.",
        ),
        (  # a list's items: other numbers
            "- 16 phương án nhập nguyên trạng 02 ĐVHC cấp xã thành 01 ĐVHC cấp xã mới;",
            "- 29 phương án nhập nguyên trạng từ 03 ĐVHC cấp xã trở lên thành 01 ĐVHC cấp xã mới.",
        ),
        (  # the same numbers, other places
            "Huyện Tiên Phước có 10 đơn vị hành chính, sắp xếp còn 5 đơn vị.",
            "Huyện Bắc Trà My có 10 đơn vị hành chính, sắp xếp còn 5 đơn vị.",
        ),
    ],
)
def test_like_sentences_that_state_other_facts_are_no_caption_printed_twice(lines):
    raw = "Quảng Nam sắp xếp đơn vị hành chính cấp xã\nTheo đề án, các huyện sắp xếp như sau.\n" + "\n".join(lines) + "\n"
    text = clean_article(raw).text.split("\n")
    assert all(line in text for line in lines)


def test_ascii_slug_lines_repeating_the_title_are_dropped():
    raw = (
        "Lào Cai học tập kinh nghiệm chuyển đổi số ở Bắc Ninh\n"
        "lao cai hoc tap kinh nghiem chuyen doi so o bac ninh\n"
        "Đoàn công tác tỉnh Lào Cai đã làm việc với Sở Thông tin và Truyền thông về chính quyền số.\n"
        "Lao Cai hoc tap kinh nghiem chuyen doi so o Bac Ninh\n"
    )
    assert clean_article(raw).text.split("\n") == [
        "Lào Cai học tập kinh nghiệm chuyển đổi số ở Bắc Ninh",
        "Đoàn công tác tỉnh Lào Cai đã làm việc với Sở Thông tin và Truyền thông về chính quyền số.",
    ]


@pytest.mark.parametrize(
    ("written", "repaired"),
    [
        ("Đồng chí NguyễnVăn Hải phát biểu", "Đồng chí Nguyễn Văn Hải phát biểu"),
        ("bà TrầnThị Mai và ông LêĐức Anh", "bà Trần Thị Mai và ông Lê Đức Anh"),
        ("theo đồng chíHoàng Minh", "theo đồng chí Hoàng Minh"),
        # Brand and code spellings run together on purpose.
        (
            "ứng dụng trên iPhone và eMagazine của VnExpress",
            "ứng dụng trên iPhone và eMagazine của VnExpress",
        ),
        (
            "tại TP.HCM theo Nghị quyết 18-NQ/TW, ThS. Vũ Hà",
            "tại TP.HCM theo Nghị quyết 18-NQ/TW, ThS. Vũ Hà",
        ),
    ],
)
def test_lost_spaces_between_words_are_restored(written, repaired):
    raw = f"Tiêu đề bài viết về cải cách\n{written}.\n"
    assert clean_article(raw).text.split("\n")[1] == repaired + "."


def test_decomposed_unicode_input_is_cleaned_like_composed():
    raw = "Tiêu đề: Hòa Bình sắp xếp thôn, xóm\nSáng 2/3, tỉnh Hòa Bình sắp xếp 200 xóm.\nThanh Hoà\n"
    decomposed = unicodedata.normalize("NFD", raw)
    assert clean_article(decomposed) == clean_article(raw)
    assert clean_article(decomposed).bylines == ("Thanh Hoà",)


def test_outlet_tag_and_photo_credits_leave_the_body():
    raw = (
        "Hà Giang công bố chỉ số cải cách hành chính năm 2020\n"
        "(Baohagiang.vn) - Sáng 20/1, UBND tỉnh Hà Giang công bố chỉ số cải cách hành chính các sở, ngành.\n"
        "Phó Chủ tịch UBND tỉnh trao giấy khen cho các đơn vị. Ảnh: Thu Phương\n"
        "Quang cảnh hội nghị. (Ảnh minh họa)\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.source_tag == "Baohagiang.vn"
    assert cleaned.text.split("\n")[1:] == [
        "Sáng 20/1, UBND tỉnh Hà Giang công bố chỉ số cải cách hành chính các sở, ngành.",
        "Phó Chủ tịch UBND tỉnh trao giấy khen cho các đơn vị.",
        "Quang cảnh hội nghị.",
    ]


def test_breadcrumb_and_outlet_suffix_do_not_become_the_title():
    raw = (
        "Trang chủ > Thời sự > Xây dựng Đảng\n"
        "Kon Tum tinh gọn các ban Đảng - Báo Kon Tum điện tử\n"
        "Cập nhật lúc 09:15, 02/03/2025\n"
        "Tỉnh ủy Kon Tum vừa công bố quyết định hợp nhất các ban Đảng theo chủ trương của Trung ương.\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.title == "Kon Tum tinh gọn các ban Đảng"
    assert cleaned.datelines == ("Cập nhật lúc 09:15, 02/03/2025",)


def test_headline_printed_in_capitals_is_kept_as_title():
    raw = (
        "TIN TỨC | SỰ KIỆN\n"
        "SẮP XẾP BỘ MÁY CẤP HUYỆN Ở CAO BẰNG\n"
        "CAO BẰNG - Ngày 4/5, Ban Thường vụ Tỉnh ủy Cao Bằng đã ban hành kế hoạch sắp xếp lại các phòng "
        "chuyên môn thuộc UBND cấp huyện nhằm giảm đầu mối, giảm cấp trưởng, cấp phó.\n"
    )
    assert clean_article(raw).title == "SẮP XẾP BỘ MÁY CẤP HUYỆN Ở CAO BẰNG"


def test_a_given_title_is_used_and_not_repeated():
    raw = "Long An giảm 300 biên chế\nNăm 2023, tỉnh Long An đã cắt 300 biên chế hưởng lương từ ngân sách.\n"
    cleaned = clean_article(raw, title_hint="Long An giảm 300 biên chế | Báo Long An")
    assert cleaned.title == "Long An giảm 300 biên chế"
    assert cleaned.text.count("Long An giảm 300 biên chế") == 1


def test_article_without_a_headline_has_no_title():
    paragraph = "Sáng 3/4, Sở Nội vụ tỉnh Lâm Đồng cho biết toàn tỉnh đã giảm biên chế. " * 5
    cleaned = clean_article(paragraph)
    assert cleaned.title is None
    assert cleaned.text == paragraph.strip()


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Tin, ảnh: Hoàng Yến", ["Hoàng Yến"]),
        ("Bài: Quốc Khánh - Ảnh: Thanh Xuân", ["Quốc Khánh", "Thanh Xuân"]),
        ("Mai Lan - Đức Huy", ["Mai Lan", "Đức Huy"]),
        ("THÚY HẰNG", ["Thúy Hằng"]),
        ("Bảo Ngọc (Trung tâm Văn hóa - Thông tin huyện)", ["Bảo Ngọc"]),
        ("ThS. Trần Văn Lộc - Trường Chính trị tỉnh", ["Trần Văn Lộc"]),
        ("Nhóm PV", []),
        ("Bài: Hải Yến - Đồ họa: Minh Tuấn", ["Hải Yến"]),
        ("Biên tập: Thu Trang", []),
        ("Theo TTXVN", []),
        ("(Theo Vietnamplus.vn)", []),
        ("Theo đó, tỉnh sẽ sắp xếp lại", None),
        ("Quang cảnh hội nghị.", None),
        ("Hà Tĩnh - Quảng Bình", None),
        ("Các tin khác", None),
    ],
)
def test_byline_names(line, names):
    assert byline_names(line) == names


def test_related_headlines_inside_the_article_are_dropped_but_the_body_goes_on():
    raw = (
        "Phú Yên sắp xếp các đơn vị sự nghiệp y tế\n"
        "Ngày 12/6, Sở Y tế tỉnh Phú Yên công bố quyết định sáp nhập các trung tâm y tế tuyến huyện.\n"
        "Tin liên quan\n"
        "Bình Định hợp nhất trung tâm y tế và bệnh viện huyện\n"
        "Gia Lai giảm 12 đơn vị sự nghiệp\n"
        "\n"
        "Sau sắp xếp, mỗi huyện chỉ còn một trung tâm y tế thực hiện cả khám chữa bệnh và dự phòng.\n"
        "Xem thêm: Khánh Hòa tinh gọn bộ máy ngành y tế\n"
    )
    text = clean_article(raw).text
    assert "Bình Định" not in text and "Gia Lai" not in text and "Khánh Hòa" not in text
    assert text.endswith("thực hiện cả khám chữa bệnh và dự phòng.")


def test_lone_photo_credit_lines_are_not_bylines():
    raw = (
        "Hậu Giang trao quyết định bổ nhiệm cán bộ\n"
        "Chiều 5/8, Ban Thường vụ Tỉnh ủy Hậu Giang trao quyết định điều động, bổ nhiệm 6 cán bộ.\n"
        "Các cán bộ nhận quyết định.\n"
        "Ảnh: Hữu Tài\n"
        "Thùy Dung\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.bylines == ("Thùy Dung",)
    assert "Hữu Tài" not in cleaned.text


@pytest.mark.parametrize(
    ("dateline", "byline"),
    [
        ("Thứ Năm, 16/09/2021 10:30 | Quỳnh Anh", "Quỳnh Anh"),
        ("16/09/2021 10:30 | Tác giả: Quỳnh Anh", "Tác giả: Quỳnh Anh"),
    ],
)
def test_byline_sharing_the_date_line(dateline, byline):
    raw = f"Vĩnh Long sáp nhập 2 sở\n{dateline}\nTỉnh Vĩnh Long công bố nghị quyết sáp nhập hai sở.\n"
    cleaned = clean_article(raw)
    assert cleaned.datelines == (dateline,)
    assert cleaned.bylines == (byline,)


def test_sentences_do_not_end_at_abbreviated_degrees_and_city_prefixes():
    from services.extract.engine.doc import Document

    doc = Document.from_text("PGS.TS. Lê Văn An trình bày tại TP. Vinh. Hội thảo kết thúc.")
    assert [s for _, _, s in doc.sentences()] == [
        "PGS.TS. Lê Văn An trình bày tại TP. Vinh.",
        "Hội thảo kết thúc.",
    ]


def test_image_alt_text_and_toneless_captions_are_dropped():
    raw = (
        "Tuyên Quang rà soát vị trí việc làm\n"
        "Sở Nội vụ tỉnh Tuyên Quang hoàn thành rà soát đề án vị trí việc làm của 20 sở, ngành.\n"
        "Tuyên Quang rà soát vị trí việc làm - Ảnh 1.\n"
        "Ra soat vi tri viec lam tai cac so, nganh cua tinh\n"
        "Ảnh minh họa.\n"
        "Việc rà soát giúp xác định đúng biên chế cần có.\n"
    )
    assert clean_article(raw).text.split("\n") == [
        "Tuyên Quang rà soát vị trí việc làm",
        "Sở Nội vụ tỉnh Tuyên Quang hoàn thành rà soát đề án vị trí việc làm của 20 sở, ngành.",
        "Việc rà soát giúp xác định đúng biên chế cần có.",
    ]


def test_date_among_header_items_is_a_date_line():
    raw = (
        "12/08/2023 | 07:15 GMT+7 | Điện thoại: 0203 000 000 | Email: toasoan@baotinh.vn\n"
        "Sơ kết công tác tổ chức xây dựng Đảng\n"
        "Ban Tổ chức Tỉnh ủy sơ kết công tác 6 tháng đầu năm.\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.title == "Sơ kết công tác tổ chức xây dựng Đảng"
    assert cleaned.datelines == (
        "12/08/2023 | 07:15 GMT+7 | Điện thoại: 0203 000 000 | Email: toasoan@baotinh.vn",
    )


def test_a_lead_is_never_taken_for_the_headline():
    capitals = "TIN TỨC\nSÁP NHẬP HAI SỞ Ở LONG AN\nSáng 2/3, tỉnh Long An công bố nghị quyết sáp nhập.\n"
    assert clean_article(capitals).title == "SÁP NHẬP HAI SỞ Ở LONG AN"
    assert clean_article("Sáng 2/3, tỉnh Long An công bố nghị quyết sáp nhập.\nHai sở mới ra mắt.\n").title is None


def test_menu_with_unknown_sections_laid_out_with_wide_gaps_is_not_the_headline():
    raw = (
        "Trang nhất   Địa phương   Nông thôn mới   Người tốt việc tốt   Văn hóa - Thể thao\n"
        "\n"
        "Huyện Kỳ Sơn hoàn thành sáp nhập 12 bản nhỏ\n"
        "\n"
        "Sáng 2/4, UBND huyện Kỳ Sơn công bố nghị quyết sáp nhập các bản có quy mô dân số nhỏ.\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.title == "Huyện Kỳ Sơn hoàn thành sáp nhập 12 bản nhỏ"
    assert "Người tốt" not in cleaned.text


def test_site_name_above_menus_and_date_is_furniture_and_the_headline_is_found_below():
    raw = (
        "Tiếng Chuông\n"
        "Thời sự | Xã hội | Pháp luật\n"
        "\n"
        "Chính trị\n"
        "\n"
        "Thị xã Hoàng Mai giảm 4 phòng chuyên môn sau sắp xếp\n"
        "\n"
        "05/05/2022 08:00 GMT+7\n"
        "\n"
        "Sáng 4/5, Thị ủy Hoàng Mai họp bàn việc sắp xếp các phòng chuyên môn thuộc UBND thị xã.\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.title == "Thị xã Hoàng Mai giảm 4 phòng chuyên môn sau sắp xếp"
    assert "Tiếng Chuông" in cleaned.furniture


def test_byline_above_a_row_of_buttons_and_the_outlet_footer_is_found():
    raw = (
        "Xã Tân Lập sáp nhập 3 ấp\n"
        "Sáng 3/3, HĐND xã Tân Lập thông qua đề án sáp nhập ấp.\n"
        "Sau sáp nhập, xã còn 6 ấp.\n"
        "\n"
        "HỒNG NHUNG\n"
        "\n"
        "Gửi bình luận   In trang   Về đầu trang\n"
        "\n"
        "Báo Tây Ninh - Cơ quan của Đảng bộ Đảng Cộng sản Việt Nam tỉnh Tây Ninh\n"
        "Lượt xem: 1.024\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.bylines == ("HỒNG NHUNG",)
    assert "Cơ quan của" not in cleaned.text


def test_bracketed_agency_credit_is_a_byline_without_names():
    assert byline_names("(TTXVN/Vietnam+)") == []
    assert byline_names("THU HÀ (Theo Báo Hà Tĩnh)") == ["Thu Hà"]


def test_a_breadcrumb_from_the_home_page_is_not_the_headline_however_long_its_last_section():
    raw = (
        "TRANG CHỦ > TIN TỨC > CHỈ ĐẠO, ĐIỀU HÀNH CỦA LÃNH ĐẠO TỈNH VỀ CẢI CÁCH\n\n"
        "Huyện Krông Pắc công bố thủ tục hành chính mới thuộc thẩm quyền cấp xã\n\n"
        "Ngày 3/4, UBND huyện Krông Pắc đã công bố danh mục 112 thủ tục hành chính mới áp dụng tại cấp xã "
        "để người dân tra cứu và thực hiện thuận tiện hơn trên cổng dịch vụ công của tỉnh.\n"
    )
    assert clean_article(raw).title == "Huyện Krông Pắc công bố thủ tục hành chính mới thuộc thẩm quyền cấp xã"


def test_a_table_row_flattened_to_bars_stays_in_the_text_while_a_menu_does_not():
    raw = (
        "Trang chủ | Tin tức | Chính trị\n\n"
        "Huyện Cư M'gar giảm 15 trạm y tế sau sắp xếp lại mạng lưới cơ sở\n\n"
        "Theo báo cáo của UBND huyện, kết quả sắp xếp mạng lưới y tế cơ sở của huyện trong giai đoạn vừa qua "
        "được tổng hợp ở bảng dưới đây.\n"
        "Trạm y tế | 46 | 31 | 15\n"
    )
    text = clean_article(raw).text
    assert "Trạm y tế | 46 | 31 | 15" in text
    assert "Trang chủ" not in text


# --- real page furniture (issue 11) ---


def test_a_crawler_line_with_the_flattened_header_is_laid_out_again():
    raw = (" date 2024-09 Xã hội Huyện Yên Khê còn 12 xã sau sắp xếp (PLO) - Chiều 9/9, HĐND huyện Yên Khê "
           "họp chuyên đề về việc sắp xếp các xã trên địa bàn.\n\nTheo phương án, huyện giảm 6 xã.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Huyện Yên Khê còn 12 xã sau sắp xếp"
    assert cleaned.text.split("\n")[1].startswith("Chiều 9/9, HĐND huyện Yên Khê họp")
    assert cleaned.source_tag == "PLO"
    assert "date 2024-09" in cleaned.furniture and "Xã hội" in cleaned.furniture
    assert not cleaned.datelines  # the crawler's month is not the publication date


def test_a_crawler_line_gives_the_headline_and_its_timestamp_apart():
    raw = (" date 2024-03 Thị xã Đông Hòa lấy ý kiến cử tri về đề án 15/03/2024 09:20\n\nNgày 15-3, "
           "thị xã lấy ý kiến cử tri.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Thị xã Đông Hòa lấy ý kiến cử tri về đề án"
    assert cleaned.datelines == ("15/03/2024 09:20",)


def test_a_crawler_line_over_a_lead_leaves_no_title():
    cleaned = clean_article(" date 2023-11 TPO - Tỉnh Lạc Sơn vừa hoàn thành đề án sắp xếp các xã, "
                            "trình HĐND tỉnh.\n")
    assert cleaned.title is None and cleaned.source_tag == "TPO"
    assert cleaned.text.startswith("Tỉnh Lạc Sơn vừa hoàn thành")


def test_header_date_widget_and_section_label_are_furniture():
    raw = ("Thứ hai 14/07/2031 08:15\nHotline: 024.000.11.222\nNghiên cứu - Trao đổi\n\n"
           "Tỉnh Hòa Phong chuẩn bị trụ sở cho bộ máy mới sau hợp nhất\n\n"
           "Ban Chỉ đạo hợp nhất tỉnh vừa họp phiên thứ nhất, bàn phương án bố trí trụ sở dôi dư "
           "sau sắp xếp.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Tỉnh Hòa Phong chuẩn bị trụ sở cho bộ máy mới sau hợp nhất"
    assert cleaned.datelines == ()
    assert "Thứ hai 14/07/2031 08:15" in cleaned.furniture


def test_a_date_line_just_above_the_headline_is_still_the_articles():
    raw = ("Thứ Ba, 02/04/2019\n\nHuyện Tân Lạc sáp nhập 8 xóm\n\nSáng 1/4, huyện Tân Lạc công bố "
           "nghị quyết.\n")
    assert clean_article(raw).datelines == ("Thứ Ba, 02/04/2019",)


def test_a_portal_slogan_banner_and_skip_link_are_not_the_headline():
    raw = ("Skip to main content\nNhiệt liệt chào mừng Đại hội đại biểu Đảng bộ tỉnh lần thứ XVII, "
           "nhiệm kỳ 2020 - 2025\n\n"
           "Quyết định về việc sắp xếp các thôn, bản của huyện Mường Tè\n\n"
           "UBND tỉnh vừa ban hành Quyết định số 1020/QĐ-UBND về việc sáp nhập các thôn, bản của huyện.\n")
    assert clean_article(raw).title == "Quyết định về việc sắp xếp các thôn, bản của huyện Mường Tè"


@pytest.mark.parametrize(
    "raw",
    [
        # A photo caption with its credit opens the excerpt; the subhead below it is not the headline.
        "Trụ sở HĐND - UBND tỉnh sau sắp xếp sẽ đặt tại thành phố Đông Hà (Ảnh: Minh Hòa).\n\n"
        "Vì sao chọn tên tỉnh mới sau hợp nhất?\n\nTheo Đề án, tỉnh mới lấy tên là tỉnh Quảng Trị.\n",
        # A caption hard-wrapped over two lines, ending as a sentence ends.
        "Phó Thủ tướng thăm Trung tâm Phục vụ hành chính công tại \nthành phố Tuy Hòa.\n\n"
        "Qua kiểm tra thực tế, Phó Thủ tướng ghi nhận nỗ lực của tỉnh trong cải cách hành chính.\n",
    ],
)
def test_an_excerpt_starting_at_a_caption_has_no_title(raw):
    cleaned = clean_article(raw)
    assert cleaned.title is None
    assert "Tuy Hòa." in cleaned.text or "Minh Hòa" not in cleaned.text


def test_a_printed_source_link_leaves_the_body():
    raw = ("Hà Tây bầu bổ sung Phó Chủ tịch UBND tỉnh\nSáng 2-12, HĐND tỉnh bầu bổ sung Phó Chủ "
           "tịch UBND tỉnh.\n"
           "Nguồn SGGP: http://sggp.org.vn/ha-tay-bau-bo-sung-12345.html\n")
    cleaned = clean_article(raw)
    assert "sggp.org.vn" not in cleaned.text
    assert "Nguồn SGGP: http://sggp.org.vn/ha-tay-bau-bo-sung-12345.html" in cleaned.furniture


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("C. Trúc", ["C. Trúc"]),
        ("N.T. Hà", ["N.T. Hà"]),
        ("THÁI BÌNH", ["Thái Bình"]),  # a pen name printed in capitals, though a province's name too
        ("Thái Bình", None),
        ("Viết Hùng", ["Viết Hùng"]),
    ],
)
def test_byline_names_with_initials_capitals_and_sentences(line, names):
    assert byline_names(line) == names


def test_a_single_sentence_is_not_its_own_byline():
    cleaned = clean_article("Ban Chấp hành Đảng bộ tỉnh đã họp.")
    assert cleaned.bylines == () and cleaned.text == "Ban Chấp hành Đảng bộ tỉnh đã họp."


def test_a_teaser_for_another_story_inside_the_body_leaves_the_text():
    raw = ("Tỉnh Hòa Sơn chọn tên tỉnh mới sau hợp nhất\n\n"
           "Theo Đề án hợp nhất tỉnh Hòa Sơn và tỉnh Bắc Hà, tỉnh mới lấy tên là tỉnh Hòa Sơn.\n\n"
           "Vì sao chọn tên Hòa Sơn sau khi hợp nhất 2 tỉnh?\n\n"
           "Bãi biển hoang sơ ở Phú Quốc có làn nước xanh ngắt, cách trung tâm thành phố chừng 30 "
           "phút đi xe\n\n"
           "Việc chọn tên tỉnh Hòa Sơn bảo đảm nguyên tắc dễ nhận diện, ngắn gọn, dễ đọc.\n\n"
           "Trung tâm chính trị - hành chính đặt tại tỉnh Hòa Sơn hiện nay.\n")
    cleaned = clean_article(raw)
    assert "Phú Quốc" not in cleaned.text and "Vì sao chọn tên Hòa Sơn" in cleaned.text
    assert any("Phú Quốc" in line for line in cleaned.furniture)


def test_a_headline_boxed_in_bars_is_a_link_but_a_boxed_caption_under_its_image_is_read():
    raw = ("Tỉnh Đông Sơn triển khai một cửa không phụ thuộc địa giới\n"
           "| Đông Sơn tăng cường kiểm tra cải cách hành chính |\n"
           "Chủ tịch UBND tỉnh Đông Sơn vừa ban hành kế hoạch triển khai mô hình một cửa trên toàn tỉnh.\n"
           "![]() |\n| Ông Lê Văn An, Chủ tịch UBND tỉnh, kiểm tra bộ phận một cửa xã Tân Hòa. |\n"
           "Người dân có thể nộp hồ sơ tại bất kỳ trung tâm nào trong tỉnh.\n")
    cleaned = clean_article(raw)
    assert "tăng cường kiểm tra" not in cleaned.text
    assert "kiểm tra bộ phận một cửa xã Tân Hòa" in cleaned.text


@pytest.mark.parametrize(
    "widget",
    ["Theo dõi Báo Hòa Sơn trên Google News", "Theo dõi chúng tôi trên Zalo", "Hà Nội 24°C",
     "TP.HCM 31 °C Mây rải rác", "Nhiệt độ: 28 - 33 độ C"],
)
def test_follow_us_and_weather_widgets_are_furniture(widget):
    raw = (f"{widget}\nHuyện Mường Khê giảm 3 phòng chuyên môn\n{widget}\n"
           "Sáng 3/3, huyện Mường Khê công bố quyết định sắp xếp các phòng chuyên môn.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Huyện Mường Khê giảm 3 phòng chuyên môn"
    assert widget not in cleaned.text


def test_a_line_inviting_the_readers_is_furniture_and_names_the_site():
    from services.extract.engine import extract

    invite = "* Mời quý độc giả theo dõi các chương trình đã phát sóng của Đài Truyền hình Việt Nam trên TV Online!"
    raw = ("Huyện Mường Khê giảm 3 phòng chuyên môn\n"
           "Sáng 3/3, huyện Mường Khê công bố quyết định sắp xếp các phòng chuyên môn.\n" + invite + "\n")
    assert invite not in clean_article(raw).text
    assert extract(raw).source == "vtv.vn"


def test_an_images_placeholder_words_are_no_text_and_hide_no_headline():
    raw = ("image banner\nKết quả chỉ số hài lòng về dịch vụ hành chính công tỉnh Hòa Sơn năm 2016\n"
           "Chỉ số hài lòng của người dân đạt 80%.\nleftcenterrightdel\nTỉnh sẽ cải thiện chỉ số này.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Kết quả chỉ số hài lòng về dịch vụ hành chính công tỉnh Hòa Sơn năm 2016"
    assert "image banner" not in cleaned.text and "leftcenterrightdel" not in cleaned.text
    assert "Tỉnh sẽ cải thiện chỉ số này." in cleaned.text


def test_a_ticker_of_other_headlines_between_separators_is_not_the_article():
    raw = (
        "-\nTập đoàn Hòa Phát khởi công dự án điện gió ở Hải Phòng\n-\nGỡ khó cho 4 dự án giao thông trọng điểm\n-\n"
        "Bộ Tài chính khảo sát tình hình thực hiện các dự án tại Khánh Hòa -\n"
        "Sản xuất công nghiệp là động lực tăng trưởng của Thái Nguyên năm 2025\n![]() |\n"
        "Trung tâm Hành chính công là mô hình đột phá về cải cách hành chính của tỉnh Thanh Hóa. |\n"
        "Ngày 22/5/2017, UBND tỉnh Thanh Hóa ban hành quyết định thành lập Trung tâm Hành chính công tỉnh.\n"
    )
    cleaned = clean_article(raw)
    assert cleaned.title is None  # the excerpt starts below its headline, at a boxed caption
    assert "Hải Phòng" not in cleaned.text and "Thái Nguyên" not in cleaned.text
    assert "Gỡ khó cho 4 dự án giao thông trọng điểm" in cleaned.furniture
    assert "Ngày 22/5/2017, UBND tỉnh Thanh Hóa ban hành" in cleaned.text


def test_two_short_lines_between_separators_and_a_table_s_rows_are_no_ticker():
    raw = (
        "Hưng Yên đặt tên xã, phường mới sau sắp xếp\nTỉnh công bố tên các xã mới.\n-\nGiảm 100 xã\n-\nKhông đánh số thứ tự\n"
        "| Tên huyện | Tên xã hiện tại | Tên xã sau sắp xếp |\n| Tiên Lữ | Hưng Đạo, Nhật Tân | Hoàng Hoa Thám |\n"
        "| Kim Động | Toàn Thắng, Chính Nghĩa | Kim Động |\n| Ân Thi | Bãi Sậy, Bắc Sơn | Ân Thi |\n"
    )
    text = clean_article(raw).text
    assert "Giảm 100 xã" in text and "| Kim Động | Toàn Thắng, Chính Nghĩa | Kim Động |" in text


def test_a_visitor_counter_above_the_headline_is_no_headline():
    raw = ("Truy cập hiện tại\n\nĐang có 199 khách và không thành viên đang online\n\n"
           "Sáp nhập các ấp, khóm chưa đảm bảo tiêu chuẩn thuộc 5 huyện, thị xã\n\n"
           "UBND tỉnh vừa thống nhất chủ trương sáp nhập các ấp, khóm chưa đảm bảo tiêu chuẩn quy mô số hộ.\n")
    cleaned = clean_article(raw)
    assert cleaned.title == "Sáp nhập các ấp, khóm chưa đảm bảo tiêu chuẩn thuộc 5 huyện, thị xã"
    assert "khách" not in cleaned.text


def test_a_byline_with_the_tags_label_glued_to_it():
    raw = ("Huyện Mường Khê giảm 3 phòng chuyên môn\n"
           "Sáng 3/3, huyện Mường Khê công bố quyết định sắp xếp các phòng chuyên môn.\n\n"
           "Nguyễn KhánhTAG:\n\nÝ kiến của bạn\n\nHọ tên:\nEmail:\n")
    cleaned = clean_article(raw)
    assert cleaned.bylines == ("Nguyễn Khánh",)
    assert "TAG" not in cleaned.text


def test_the_sites_clock_above_the_headline_is_not_the_date_under_it():
    from services.extract.engine import extract

    raw = ("Thứ Sáu, 20/9/2019\nTỉnh Lai Châu đổi mới, sắp xếp tổ chức bộ máy hệ thống chính trị tinh gọn\n"
           "14/5/2019 8:43' Gửi bài này In bài này\n"
           "Thực hiện việc sắp xếp tinh giản bộ máy biên chế, Sở Nội vụ sáp nhập hai phòng chuyên môn.\n")
    assert str(extract(raw).published) == "2019-05-14"
    # with no time of its own under the headline, the date above it is the article's
    assert str(extract(raw.replace("14/5/2019 8:43' Gửi bài này In bài này\n", "")).published) == "2019-09-20"


def test_an_invitation_to_related_stories_ends_the_article():
    raw = ("Ba tỉnh thành lập Ban chỉ đạo hợp nhất\n"
           "Ngày 24-5, Ban Thường vụ Tỉnh ủy ba tỉnh đã ban hành quyết định thành lập Ban chỉ đạo thực hiện hợp nhất. "
           "Ban chỉ đạo có nhiệm vụ chỉ đạo các đảng ủy xây dựng phương án sắp xếp tổ chức bộ máy của tỉnh mới.\n"
           "Tin, ảnh: VŨ ĐÌNH ĐÔNG\n* Mời bạn đọc vào chuyên mục Xã hội xem các tin, bài liên quan.\n"
           "Chiều 13-5, đại diện Sở Nội vụ cho biết đã giải quyết chế độ cho 44 trường hợp nghỉ việc.\n")
    cleaned = clean_article(raw)
    assert "44 trường hợp" not in cleaned.text
    assert "Ban chỉ đạo có nhiệm vụ" in cleaned.text


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (  # a section label over the headline, the byline and time under it
            "Xây dựng Đảng - Chính quyền\n\n3 địa phương ở Hòa Sơn đã dừng mô hình Trưởng Ban Tuyên giáo kiêm Giám đốc\n\n"
            "HOÀNG BIÊN 28/01/2024 10:59\n\nBan Thường vụ Tỉnh ủy đã ban hành kết luận về mô hình này.\n",
            "3 địa phương ở Hòa Sơn đã dừng mô hình Trưởng Ban Tuyên giáo kiêm Giám đốc",
        ),
        (  # a headline ending in a full stop, over the time
            "Sáp nhập Trung tâm bồi dưỡng chính trị huyện vào Ban Tuyên giáo Huyện ủy. \n\n"
            "Cập nhật ngày: 10/12/2019 - 19:11\n\nSáng 10.12, Huyện ủy tổ chức lễ công bố quyết định sáp nhập.\n",
            "Sáp nhập Trung tâm bồi dưỡng chính trị huyện vào Ban Tuyên giáo Huyện ủy.",
        ),
        (  # a kicker ending in a colon opens the headline
            "Huyện Nhơn Trạch:\n\nThực hiện kiêm nhiệm nhiều chức danh lãnh đạo\n\n"
            "Cập nhật lúc 22:01, Thứ Tư, 17/06/2020 (GMT+7)\n\nHuyện đã thực hiện mô hình Bí thư đồng thời là Chủ tịch.\n",
            "Huyện Nhơn Trạch: Thực hiện kiêm nhiệm nhiều chức danh lãnh đạo",
        ),
        (  # a section's name over the date is no headline: the line below them is
            "Cải cách hành chính\n20/03/2025 10:00\nTỉnh Hòa Sơn giảm 5 sở sau khi sắp xếp bộ máy\n"
            "Sáng 20/3, tỉnh Hòa Sơn công bố quyết định hợp nhất các sở.\n",
            "Tỉnh Hòa Sơn giảm 5 sở sau khi sắp xếp bộ máy",
        ),
        (  # two sentences on the first line: a caption, the excerpt starts below the headline
            "Trung tâm hành chính của tỉnh mới sẽ đặt tại Đồng Hới hiện nay. Đây là hình ảnh về thành phố\n"
            "Tỉnh mới có 78 đơn vị hành chính cấp xã sau sắp xếp.\n",
            None,
        ),
    ],
)
def test_the_headline_is_the_line_the_articles_time_is_printed_under(raw, title):
    assert clean_article(raw).title == title


def test_an_outlets_mark_alone_on_its_line_heads_the_lead_below_it():
    from services.extract.engine import extract

    raw = ("(VTC News) -\n\nỦy ban Thường vụ Quốc hội đã ban hành Nghị quyết về việc sắp xếp các đơn vị hành chính "
           "cấp xã của tỉnh Sơn La năm 2025.\n\nSau khi sắp xếp, tỉnh Sơn La có 75 đơn vị hành chính cấp xã.\n")
    found = extract(raw)
    assert (found.title, found.source) == (None, "vtcnews.vn")
    assert "VTC News" not in found.clean_text


@pytest.mark.parametrize(
    ("tail", "bylines"),
    [
        ("KÔNG HẢI - TOÁN NGUYỄN\n\nShare Facebook Share Google Share Twitter\n\nBình luận\n\nGửi bình luận\n",
         ("KÔNG HẢI - TOÁN NGUYỄN",)),
        ("Kim Oanh  \n \n.\n\ncác thông tin tiện ích\n", ("Kim Oanh",)),
    ],
)
def test_a_byline_under_share_buttons_or_a_lower_case_widget_label(tail, bylines):
    raw = ("Huyện Mường Khê giảm 3 phòng chuyên môn\n"
           "Sáng 3/3, huyện Mường Khê công bố quyết định sắp xếp các phòng chuyên môn.\n\n" + tail)
    cleaned = clean_article(raw)
    assert cleaned.bylines == bylines
    assert "Share" not in cleaned.text and "tiện ích" not in cleaned.text


def test_a_paragraph_opening_with_theo_doi_is_the_article():
    raw = ("Huyện Mường Khê giảm 3 phòng chuyên môn\n"
           "Theo dõi sát tình hình sau sắp xếp, UBND huyện yêu cầu các xã báo cáo hằng tuần.\n")
    assert "Theo dõi sát tình hình" in clean_article(raw).text


def test_a_capitalised_headline_above_a_short_lead_is_the_title():
    raw = "TỈNH HÒA SƠN GIẢM 5 SỞ SAU SẮP XẾP\n\nTỉnh Hòa Sơn vừa công bố quyết định hợp nhất các sở.\n"
    assert clean_article(raw).title == "TỈNH HÒA SƠN GIẢM 5 SỞ SAU SẮP XẾP"


@pytest.mark.parametrize(
    "first_line",
    ["quyết thủ tục hành chính tại Trung tâm Phục vụ hành chính công tỉnh",
     "Theo đó, huyện Tân Lạc còn 10 xã và 1 thị trấn sau sắp xếp"],
)
def test_an_excerpt_opening_mid_sentence_or_with_a_connective_has_no_title(first_line):
    raw = (f"{first_line}\n\nHuyện đã bố trí trụ sở làm việc cho các xã mới\n\n"
           "Các xã mới hoạt động từ ngày 1/7.\n")
    assert clean_article(raw).title is None


def test_a_labelled_date_above_the_menu_is_still_the_articles():
    raw = ("Ngày đăng: 12/03/2024 08:00\nTrang chủ > Tin tức\n\nHuyện Tân Lạc sáp nhập 8 xóm thành 4 xóm\n\n"
           "Sáng 11/3, huyện Tân Lạc công bố nghị quyết sáp nhập các xóm.\n")
    assert clean_article(raw).datelines == ("Ngày đăng: 12/03/2024 08:00",)


def test_a_headline_with_a_trailing_space_stays_apart_from_its_lead():
    raw = "Huyện Tân Lạc sáp nhập 8 xóm thành 4 xóm \nSáng 11/3, huyện Tân Lạc công bố nghị quyết sáp nhập.\n"
    assert clean_article(raw).title == "Huyện Tân Lạc sáp nhập 8 xóm thành 4 xóm"


@pytest.mark.parametrize(
    ("caption", "kept"),
    [
        ("Trụ sở xã mới sau sắp xếp. Ảnh Cổng TTĐT Hòa Sơn", "Trụ sở xã mới sau sắp xếp."),
        ("Huyện Tân Lạc sáp nhập 8 xóm- Ảnh 1.", None),  # alt text repeating the headline
        ("Huyện Tân Lạc sáp nhập 8 xóm - ảnh 1", None),
        ("Ảnh minh họa. Nguồn: Internet", None),
        ("Bão gây ảnh hưởng lớn. Ảnh hưởng kéo dài nhiều ngày.",
         "Bão gây ảnh hưởng lớn. Ảnh hưởng kéo dài nhiều ngày."),
    ],
)
def test_photo_credits_and_alt_text_leave_the_body(caption, kept):
    raw = (f"Huyện Tân Lạc sáp nhập 8 xóm\n\nSáng 11/3, huyện Tân Lạc công bố nghị quyết sáp nhập "
           "các xóm.\n\n"
           f"{caption}\n\nCác xóm mới hoạt động từ ngày 1/4.\n")
    lines = clean_article(raw).text.split("\n")
    assert len(lines) == (4 if kept else 3)
    if kept:
        assert lines[2] == kept


def test_todays_date_and_font_size_widgets_are_furniture():
    raw = ("Huyện Tân Lạc sáp nhập 8 xóm thành 4 xóm\nHôm nay: Thứ sáu, 20/03/2026\nCỡ chữ: A A A\n"
           "Sáng 11/3, huyện Tân Lạc công bố nghị quyết sáp nhập các xóm.\n")
    cleaned = clean_article(raw)
    assert cleaned.datelines == () and "Cỡ chữ: A A A" in cleaned.furniture
    assert cleaned.text.split("\n")[1].startswith("Sáng 11/3")


def test_word_counts_count_whole_words_as_the_word_list_does():
    from collections import Counter

    from services.extract.engine.clean import _WORD, _WordCounts

    text = "xã xã, xãx 2xã xã2 tỉnh tỉnhxã aaa aa a-a 12 123 12 ủy ban ủy".casefold()
    counts = _WordCounts(text)
    for word in [*Counter(_WORD.findall(text)), "aa", "x", "zzz"]:
        assert counts[word] == Counter(_WORD.findall(text))[word], word


@pytest.mark.parametrize("line", [
    "Thứ Ba, 14/05/2019, 08:10 [GMT+7]", "114/05/2019", "1/5/2019 và 2019-05-14", "12019-05-14", "ngày 14 tháng 5 năm 2019",
    "NGÀY 14 THÁNG 5 NĂM 2019", "Ngày 3 tháng 12 năm 1999, 20-1-2020, 19-1-2020", "số 0912 000 111", "", "n", "1",
])
def test_the_date_scan_matches_as_its_plain_form(line):
    import re

    from services.extract.engine.clean import _DATE_IN_LINE, _DATE_IN_LINE_PLAIN

    plain = re.compile(_DATE_IN_LINE_PLAIN, re.IGNORECASE)
    assert [m.span() for m in _DATE_IN_LINE.finditer(line)] == [m.span() for m in plain.finditer(line)]


def test_odd_blanks_become_spaces_and_invisible_characters_go():
    raw = (
        "Tỉnh\u00a0Quảng\u2009Ninh\u202fgiảm\u3000đầu\u2002mối\u2003các\tsở.\n"
        "Sáp\u200bnhập\u00adxã\u200c,\u200dphường\u2060theo\ufeffkế hoạch     năm 2025."
    )
    lines, _ = _normalised_lines(raw)
    assert lines == ["Tỉnh Quảng Ninh giảm đầu mối các sở.", "Sápnhậpxã,phườngtheokế hoạch năm 2025."]


def test_a_headline_shaped_line_sharing_no_word_pairs_is_a_promo_and_a_subhead_that_shares_them_stays():
    body = [
        "Sáng 13/5, tỉnh Quảng Ninh sắp xếp bộ máy các sở, ngành theo kế hoạch của Tỉnh ủy.",
        "Ngọn núi nổi tiếng ở miền Tây đẹp như phim khiến du khách mê mẩn",
        "Sắp xếp bộ máy các sở ngành theo kế hoạch của tỉnh Quảng Ninh",
        "Sau sắp xếp bộ máy, tỉnh Quảng Ninh giảm 12 phòng thuộc các sở, ngành.",
        "Việc sắp xếp bộ máy các sở, ngành hoàn thành trong tháng 6.",
    ]
    kept, dropped = _without_promos(body, title=None)
    assert dropped == [body[1]]
    assert kept == [body[0], *body[2:]]
