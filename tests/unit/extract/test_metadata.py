"""Title, publication date, outlet and bylines of an article."""

from datetime import date

import pytest

from services.extract.engine.clean import clean_article
from services.extract.engine.doc import Document
from services.extract.engine.metadata import read_metadata


def metadata_of(raw: str, **hints):
    cleaned = clean_article(raw, title_hint=hints.pop("title", None))
    return read_metadata(raw, cleaned, Document.from_text(cleaned.text), **hints)


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("Thứ Tư, 21/11/2018, 07:30 [GMT+7]", date(2018, 11, 21)),
        ("Cập nhật ngày: 02/07/2020 | 16:05 GMT+7", date(2020, 7, 2)),
        ("05/01/2016", date(2016, 1, 5)),
        ("Ngày đăng: 3-2-2022 | Lượt xem: 812", date(2022, 2, 3)),
        ("2023-06-30T09:00:00+07:00", date(2023, 6, 30)),
        ("Thứ hai, ngày 12 tháng 4 năm 2021", date(2021, 4, 12)),
    ],
)
def test_printed_date_line_is_the_publication_date(dateline, expected):
    raw = f"Hội nghị giao ban công tác nội chính\n{dateline}\nChiều 1/1, Ban Nội chính Tỉnh ủy họp.\n"
    assert metadata_of(raw).published == expected


def test_day_and_month_lead_takes_its_year_from_a_document_issued_just_before():
    raw = (
        "Triển khai chỉ thị mới của Ban Thường vụ Tỉnh ủy\n"
        "Sáng 4/11, Ban Tuyên giáo Tỉnh ủy quán triệt Chỉ thị số 21-CT/TU ngày 28/10/2022 của Ban Thường vụ "
        "Tỉnh ủy, thực hiện Nghị quyết số 18-NQ/TW ngày 25/10/2017. Hoàn thành trước ngày 31/12/2023.\n"
    )
    assert metadata_of(raw).published == date(2022, 11, 4)


def test_lead_date_stays_unknown_when_only_old_documents_are_cited():
    raw = (
        "Sơ kết thực hiện Nghị quyết 19\n"
        "Chiều 16/9, Đảng ủy khối tổ chức sơ kết Nghị quyết số 19-NQ/TW ngày 25/10/2017.\n"
    )
    assert metadata_of(raw).published is None


def test_lead_date_in_january_after_a_december_document_rolls_the_year():
    raw = "Công bố quyết định sáp nhập\nTối 3/1, tỉnh công bố Quyết định số 5-QĐ/TU ngày 30/12/2024.\n"
    assert metadata_of(raw).published == date(2025, 1, 3)


def test_lead_date_takes_its_year_from_the_published_hint():
    raw = "Hội nghị cán bộ chủ chốt\nChiều 28/12, Tỉnh ủy tổ chức hội nghị cán bộ chủ chốt.\n"
    assert metadata_of(raw, published_hint=date(2024, 1, 2)).published == date(2023, 12, 28)
    assert metadata_of(raw).published is None


@pytest.mark.parametrize(
    ("raw", "source"),
    [
        (
            "Tin chính\n(Baobinhdinh.vn) - Sáng 2/3, tỉnh Bình Định sáp nhập 12 thôn thành 6 thôn mới.\n",
            "baobinhdinh.vn",
        ),
        (
            "Tin chính\nNội dung của bài viết về cải cách hành chính.\nCác tin khác\nBài cũ\n"
            "Email: tongbientap@gialai.gov.vn\n",
            "gialai.gov.vn",
        ),
        (
            "Tin chính\nNội dung của bài viết về cải cách hành chính.\nBản quyền thuộc về Báo Điện Biên Phủ. "
            "Website: www.baodienbienphu.com.vn\n",
            "baodienbienphu.com.vn",
        ),
        ("Tin chính\nNội dung của bài viết về cải cách hành chính.\nLiên hệ: bandoc@gmail.com\n", None),
        # An outlet's style or name in words is not a domain: never guessed.
        ("Tin chính\nBáo Nhân Dân đưa tin tỉnh đã giảm 20 đầu mối.\n", None),
    ],
)
def test_source_is_the_outlets_registered_domain(raw, source):
    assert metadata_of(raw).source == source


def test_source_from_url_and_hint_beat_the_text():
    raw = "Tin chính\n(Baobinhdinh.vn) - Sáng 2/3, tỉnh Bình Định sáp nhập 12 thôn thành 6 thôn mới.\n"
    assert metadata_of(raw, url="https://www.baoquangnam.vn/a/b.html").source == "baoquangnam.vn"
    assert metadata_of(raw, source_hint="WWW.Baodanang.vn").source == "baodanang.vn"
    assert metadata_of(raw, source_hint="Báo Đà Nẵng").source == "baobinhdinh.vn"


def test_title_and_authors():
    raw = (
        "THỜI SỰ\n"
        "Bắc Kạn sắp xếp 14 phòng chuyên môn cấp huyện\n"
        "Ngày 7/8, UBND tỉnh Bắc Kạn hoàn thành việc sắp xếp các phòng chuyên môn thuộc UBND cấp huyện.\n"
        "Bài, ảnh: Đình Thành\n"
    )
    meta = metadata_of(raw)
    assert meta.title == "Bắc Kạn sắp xếp 14 phòng chuyên môn cấp huyện"
    assert meta.authors == ["Đình Thành"]


def test_no_byline_gives_no_authors():
    raw = "Tin chính\nNội dung của bài viết về cải cách hành chính ở tỉnh.\nĐại biểu dự hội nghị\n"
    assert metadata_of(raw).authors == []


def test_a_link_cited_inside_the_body_is_not_the_source():
    raw = (
        "Hướng dẫn nộp hồ sơ trực tuyến\n"
        "Người dân có thể nộp hồ sơ tại cổng dịch vụ công quốc gia.\n"
        "https://dichvucong.gov.vn\n"
        "Thời gian xử lý hồ sơ rút ngắn còn 3 ngày làm việc.\n"
    )
    assert metadata_of(raw).source is None


def test_the_sites_own_address_beats_the_one_it_credits():
    raw = (
        "Tin chính\nNội dung của bài viết về cải cách hành chính ở tỉnh Nghệ An.\n"
        "Nguồn: baonghean.vn\nCác tin khác\nWebsite: www.nghean.gov.vn\n"
    )
    assert metadata_of(raw).source == "nghean.gov.vn"
    assert metadata_of(
        "Tin chính\nNội dung của bài viết về cải cách hành chính.\nNguồn: Baonghean.vn\n"
    ).source == ("baonghean.vn")


def test_a_time_of_day_inside_the_lead_dates_it_but_a_cited_document_does_not():
    raw = (
        "Dâng hương tưởng niệm các anh hùng liệt sỹ\n"
        "Nhân dịp kỷ niệm ngày thành lập Đảng, sáng nay (3/2), đoàn lãnh đạo tỉnh dâng hương theo Kế hoạch "
        "số 12-KH/TU ngày 20/1/2024.\n"
    )
    assert metadata_of(raw).published == date(2024, 2, 3)
    raw = (
        "Quán triệt nghị quyết mới\n"
        "Thực hiện Nghị quyết số 18-NQ/TW ngày 25/10/2017, Đảng ủy khối đã quán triệt các văn bản chỉ đạo.\n"
    )
    assert metadata_of(raw).published is None


@pytest.mark.parametrize(
    "lead",
    [
        "Trực tiếp - Ngày 2-6, tại Hội trường",
        "Sáng ngày 2.6, tại Hội trường",
        "BẠC LIÊU - Chiều 2/6, tại Hội trường",
    ],
)
def test_lead_day_after_a_place_or_a_label_and_with_dots(lead):
    raw = f"Hội nghị Tỉnh ủy\n{lead} Tỉnh ủy họp bàn Kế hoạch số 3-KH/TU ngày 30/5/2023.\n"
    assert metadata_of(raw).published == date(2023, 6, 2)


def test_a_progress_report_dates_its_own_year():
    raw = "Giao ban quý III\nChiều 5/10, tỉnh đánh giá kết quả 9 tháng đầu năm 2023, nhiệm vụ quý IV/2023.\n"
    assert metadata_of(raw).published == date(2023, 10, 5)
    raw = "Tổng kết năm\nSáng 10/1, Sở Nội vụ tổng kết công tác 12 tháng năm 2022.\n"
    assert metadata_of(raw).published == date(2023, 1, 10)


def test_links_to_other_sites_in_the_footer_are_not_the_source():
    raw = (
        "Tin chính\nNội dung của bài viết về cải cách hành chính ở tỉnh.\nCác tin khác\n"
        "Liên kết website: chinhphu.vn | quochoi.vn\n"
        "Bản quyền thuộc Cổng TTĐT tỉnh. Website: tayninh.gov.vn\n"
    )
    assert metadata_of(raw).source == "tayninh.gov.vn"


def test_author_one_blank_line_below_the_date_line():
    raw = "Phường Đông Vĩnh ra mắt bộ phận một cửa\n\n12/08/2020 10:15\n\nThu Trang\n\nSáng 11/8, phường Đông Vĩnh ra mắt bộ phận một cửa.\n"
    assert metadata_of(raw).authors == ["Thu Trang"]


@pytest.mark.parametrize(
    ("line", "domain"),
    [
        ("MAI LAN (Theo Báo Nghệ An)", "baonghean.vn"),
        ("(TTXVN/Vietnam+)", "vietnamplus.vn"),
        ("Báo Lào Cai - Cơ quan của Đảng bộ Đảng Cộng sản Việt Nam tỉnh Lào Cai", "baolaocai.vn"),
        ("Thanh Niên Online - thanhnien.vn", "thanhnien.vn"),
    ],
)
def test_outlet_named_without_an_address_gives_its_domain(line, domain):
    raw = (
        "Huyện Yên Thành giảm 2 phòng chuyên môn\nSáng 2/6, huyện Yên Thành công bố quyết định hợp nhất "
        "Phòng Văn hóa và Thông tin với Trung tâm Văn hóa, Thể thao và Truyền thông huyện, đồng thời hợp nhất "
        "Phòng Y tế với Phòng Lao động - Thương binh và Xã hội để tinh gọn bộ máy.\n\n"
        f"Điện thoại: 0238.3000.000\n{line}\n"
    )
    assert metadata_of(raw).source == domain


def test_ordinary_words_that_name_an_outlet_only_count_as_a_masthead():
    raw = "Hội nghị cán bộ chủ chốt\nSáng 2/6, tỉnh họp cán bộ.\n\nCơ quan chủ quản: Ủy ban nhân dân tỉnh\n"
    assert metadata_of(raw).source is None


def test_lead_day_takes_the_year_of_an_effective_date_weeks_later():
    raw = (
        "HĐND tỉnh thông qua nghị quyết sáp nhập thôn\n"
        "Chiều 10.7, HĐND tỉnh thông qua nghị quyết theo Thông tư số 14/2018/TT-BNV ngày 3.12.2018. "
        "Nghị quyết có hiệu lực từ ngày 20.7.2019.\n"
    )
    assert metadata_of(raw).published == date(2019, 7, 10)


def test_a_reprint_credit_above_portal_side_widgets_gives_the_byline_and_the_outlet():
    raw = "\n".join([
        "Cổng thông tin điện tử huyện Yên Thế",
        "Trang chủ / Tin tức",
        "",
        "Yên Thế: Sắp xếp lại các trường học có quy mô nhỏ ở vùng đồi núi",
        "",
        "08:15 | 12/03/2021",
        "",
        "Năm học này, huyện Yên Thế hoàn thành sắp xếp các điểm trường lẻ, giảm 9 điểm trường và "
        "bố trí lại đội ngũ giáo viên cho phù hợp với quy mô lớp học.",
        "",
        "HẢI YẾN (Theo Báo Bắc Giang)",
        "",
        "Văn bản mới",
        "Lịch công tác tuần",
        "Bản quyền © UBND huyện Yên Thế",
    ])
    meta = metadata_of(raw)
    assert meta.authors == ["Hải Yến"]
    assert meta.source == "baobacgiang.vn"


# --- real page furniture (issue 11) ---


@pytest.mark.parametrize(
    ("raw", "source"),
    [
        ("Huyện Tây Sơn sáp nhập 4 xã\nNDO - Sáng 2/6, huyện Tây Sơn công bố nghị quyết sáp nhập 4 "
         "xã.\n", "nhandan.vn"),
        ("Huyện Tây Sơn sáp nhập 4 xã\n(QNO) - Sáng 2/6, huyện Tây Sơn công bố nghị quyết sáp nhập "
         "4 xã.\n", "baoquangnam.vn"),
        (" date 2022-06 TPO - Sáng 2/6, huyện Tây Sơn công bố nghị quyết sáp nhập 4 xã trên địa "
         "bàn.\n", "tienphong.vn"),
        ("Huyện Tây Sơn sáp nhập 4 xã\nSáng 2/6, huyện Tây Sơn công bố nghị quyết.\n"
         "Nguồn SGGP: http://sggp.org.vn/huyen-tay-son-sap-nhap-4-xa-123.html\n", "sggp.org.vn"),
        # a place dateline is not an outlet's mark
        ("Huyện Tây Sơn sáp nhập 4 xã\nBÌNH ĐỊNH - Sáng 2/6, huyện Tây Sơn công bố nghị quyết sáp "
         "nhập.\n", None),
        # a photo credit naming an outlet or a portal does not say who printed the article
        ("Huyện Tây Sơn sáp nhập 4 xã\nSáng 2/6, huyện Tây Sơn công bố nghị quyết sáp nhập 4 xã.\n"
         "Ảnh: Báo Bình Định\nTheo nghị quyết, huyện còn 11 xã.\n", None),
    ],
)
def test_source_from_the_outlets_mark_or_printed_link_never_a_photo_credit(raw, source):
    assert metadata_of(raw).source == source


def test_a_header_date_widget_and_a_crawler_month_are_not_the_publication_date():
    raw = (" date 2031-07\nThứ hai 14/07/2031 08:15\nHotline: 024.000.11.222\nNghiên cứu - Trao đổi\n\n"
           "Tỉnh Hòa Phong chuẩn bị trụ sở cho bộ máy mới sau hợp nhất\n\n"
           "Ban Chỉ đạo hợp nhất tỉnh vừa họp phiên thứ nhất, bàn phương án bố trí trụ sở dôi dư.\n")
    assert metadata_of(raw).published is None


def test_the_lead_below_a_summary_and_a_caption_dates_the_article():
    raw = ("Tỉnh Vĩnh Hòa thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy\n"
           "NDO - Việc hợp nhất hai ban đặt ra yêu cầu cao về đổi mới phương thức tuyên truyền.\n"
           "Lãnh đạo tỉnh trao quyết định thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy.\n"
           "Sáng 5/2, Tỉnh ủy Vĩnh Hòa công bố quyết định, có hiệu lực kể từ ngày 5/2/2025.\n")
    assert metadata_of(raw).published == date(2025, 2, 5)


def test_a_bare_day_in_the_third_paragraph_dates_another_event():
    raw = ("Tỉnh Vĩnh Hòa đứng đầu vùng về chỉ số hài lòng\nNăm 2021, tỉnh đứng đầu vùng về chỉ số SIPAS.\n"
           "Chỉ số tăng 5 bậc so với năm trước.\nNgày 25/5, Bộ Nội vụ công bố chỉ số cải cách hành chính.\n"
           "Văn bản số 12/BNV ngày 20/5/2022 nêu rõ phương pháp chấm điểm.\n")
    assert metadata_of(raw).published is None


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("Chiều nay 18/4, Tỉnh ủy tổ chức hội nghị thông qua Đề án sắp xếp đơn vị hành chính cấp xã "
         "năm 2025.",
         date(2025, 4, 18)),
        # late in the year the plan may be next year's
        ("Chiều 18/11, HĐND tỉnh thông qua Kế hoạch phát triển kinh tế - xã hội năm 2026.", None),
        # the plan's year in a later sentence, not the lead's own
        ("Chiều 18/4, Tỉnh ủy họp. Đề án sắp xếp các xã năm 2024 đã hoàn thành.", None),
    ],
)
def test_a_lead_adopting_a_plan_for_one_year_takes_that_year(lead, expected):
    assert metadata_of(f"Tỉnh Nam Sơn còn 90 xã sau sắp xếp\n{lead}\n").published == expected


@pytest.mark.parametrize(
    ("tail", "authors"),
    [
        ("C. Trúc", ["C. Trúc"]),
        ("THÁI BÌNH", ["Thái Bình"]),
        ("Viết Hùng", ["Viết Hùng"]),
        ("Tin, ảnh: Hồng Nhung", ["Hồng Nhung"]),
        ("BAN BIÊN TẬP", []),
        ("TTXVN", []),
        ("Ảnh: Hữu Tài", []),
    ],
)
def test_a_name_alone_under_the_article_is_its_byline(tail, authors):
    raw = ("Trung tâm Phục vụ hành chính công tỉnh đi vào hoạt động\n\n06/05/2019 - 06:49\n\n"
           f"Hôm nay, trung tâm tiếp nhận hồ sơ của 16 sở, ngành.\n\n{tail}\n\n"
           "Chia sẻ bài viết\n\nBÌNH LUẬN\n")
    assert metadata_of(raw).authors == authors
