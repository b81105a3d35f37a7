"""Quantified results of reform in the genre's phrasings, and the numbers that are not results."""
import pytest

from services.extract.engine.doc import Document
from services.extract.engine.metrics import find_metrics


def _metrics(text: str) -> list[tuple]:
    return [(m.action, m.value, m.unit, m.qualifier, m.level) for m in find_metrics(Document.from_text(text))]


def test_a_reduction_list_after_a_colon_and_semicolons_inherits_its_verb():
    text = (
        "Đến nay, huyện Quỳ Châu đã giảm: 4 phòng chuyên môn cấp huyện; 12 lãnh đạo cấp phòng; "
        "27 người hoạt động không chuyên trách cấp xã."
    )
    assert _metrics(text) == [
        ("giảm", 4, "phòng chuyên môn cấp huyện", "exact", "huyen"),
        ("giảm", 12, "lãnh đạo cấp phòng", "exact", None),
        ("giảm", 27, "người hoạt động không chuyên trách cấp xã", "exact", "xa"),
    ]


def test_each_list_item_with_its_own_verb_keeps_it():
    text = "Toàn tỉnh đã giảm 2 đầu mối trực thuộc cấp tỉnh; sáp nhập 96 thôn, bản; hợp nhất 5 trung tâm."
    assert [(a, v, u) for a, v, u, _, _ in _metrics(text)] == [
        ("giảm", 2, "đầu mối trực thuộc cấp tỉnh"),
        ("sáp nhập", 96, "thôn, bản"),
        ("hợp nhất", 5, "trung tâm"),
    ]


def test_an_elliptical_second_count_inherits_verb_and_kind_of_people():
    text = (
        "Sau sắp xếp, huyện giảm được 120 người hoạt động không chuyên trách cấp xã "
        "và 940 người ở thôn, bản."
    )
    assert _metrics(text) == [
        ("giảm", 120, "người hoạt động không chuyên trách cấp xã", "exact", "xa"),
        ("giảm", 940, "người hoạt động không chuyên trách ở thôn, bản", "exact", "thon"),
    ]


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("giảm khoảng 40 biên chế", "about"),
        ("giảm gần 40 biên chế", "nearly"),
        ("giảm hơn 40 biên chế", "over"),
        ("giảm trên 40 biên chế", "over"),
        ("giảm dưới 40 biên chế", "under"),
        ("giảm 40 biên chế", "exact"),
    ],
)
def test_qualifiers(phrase, qualifier):
    assert _metrics(f"Năm qua, sở đã {phrase}.") == [("giảm", 40, "biên chế", qualifier, None)]


def test_money_and_percentages_name_what_they_measure():
    text = (
        "Năm 2022, thu ngân sách trên địa bàn tỉnh đạt 12.500 tỷ đồng; tốc độ tăng trưởng kinh tế đạt 8,2%; "
        "thu nhập bình quân đầu người đạt hơn 58 triệu đồng/năm; tỷ lệ hộ nghèo giảm còn 2,75%."
    )
    assert _metrics(text) == [
        ("đạt", 12500, "tỷ đồng thu ngân sách", "exact", None),
        ("đạt", 8.2, "% tốc độ tăng trưởng kinh tế", "exact", None),
        ("đạt", 58, "triệu đồng/năm thu nhập bình quân đầu người", "over", None),
        ("còn", 2.75, "% tỷ lệ hộ nghèo", "exact", None),
    ]


def test_ranks_and_fractions_are_metrics():
    text = (
        "Chỉ số PCI của tỉnh xếp thứ 7 cả nước; thu hút đầu tư luôn nằm trong nhóm 10 tỉnh dẫn đầu. "
        "Tỉnh có 5/9 huyện đạt chuẩn nông thôn mới."
    )
    assert [(a, v, u) for a, v, u, _, _ in _metrics(text)] == [
        ("xếp thứ", 7, "chỉ số PCI"),
        ("nằm trong nhóm", 10, "tỉnh dẫn đầu"),
        ("có", 5, "huyện đạt chuẩn nông thôn mới"),
    ]


def test_a_rank_said_as_a_place_in_the_table():
    text = ("Chỉ số PAR INDEX của tỉnh đứng vị trí 18/63 tỉnh, thành. "
            "Chỉ số SIPAS của thành phố xếp ở vị trí 5 cả nước.")
    assert [(a, v, u) for a, v, u, _, _ in _metrics(text)] == [
        ("đứng vị trí", 18, "chỉ số PAR INDEX"),
        ("xếp ở vị trí", 5, "chỉ số SIPAS"),
    ]


def test_a_bare_head_after_an_amount_verb_is_the_kind_named_earlier_not_the_verb():
    text = ("Theo đó, từ 121 đơn vị hành chính cấp xã giảm còn 45 đơn vị với tỷ lệ giảm 62,8%. "
            "Qua sắp xếp đã giảm từ gần 19.000 người xuống còn hơn 7.200 người, giảm được gần 11.500 người.")
    found = [(a, v, u) for a, v, u, _, _ in _metrics(text)]
    assert ("còn", 45, "đơn vị hành chính cấp xã") in found
    assert ("giảm", 62.8, "% đơn vị hành chính cấp xã") in found
    assert not [u for _, _, u in found if u.endswith((" còn", " giảm", " từ"))]


def test_a_bare_head_is_not_described_by_the_result_it_is_turned_into_nor_by_its_cut():
    found = [(a, v, u) for a, v, u, _, _ in _metrics("Tỉnh sắp xếp 30 đơn vị thành 11 đơn vị. Toàn tỉnh đã cắt giảm 10.700 người.")]
    assert not [u for _, _, u in found if "thành 11" in u or u.endswith("cắt giảm")]
    assert ("cắt giảm", 10700, "người") in found


def test_a_count_that_opens_its_clause_takes_the_predicate_as_action():
    text = "Đến nay, 6 huyện, thị xã đã hoàn thành sáp nhập thôn, bản theo đề án."
    assert _metrics(text) == [("hoàn thành sáp nhập thôn", 6, "huyện, thị xã", "exact", "huyen")]


def test_the_same_figure_reported_twice_is_one_metric_with_the_fuller_unit():
    text = "Năm 2021 tỉnh đạt 9.800 tỷ đồng. Trong đó, thu nội địa của tỉnh năm 2021 đạt 9.800 tỷ đồng."
    metrics = find_metrics(Document.from_text(text))
    assert [(m.value, m.unit) for m in metrics] == [(9800, "tỷ đồng thu nội địa")]
    assert len(metrics[0].evidence) == 2


def test_evidence_points_at_the_figure_in_its_sentence():
    text = "Hội nghị đánh giá kết quả. Huyện đã giảm 14 đầu mối sau sắp xếp."
    (metric,) = find_metrics(Document.from_text(text))
    evidence = metric.evidence[0]
    assert text[evidence.start:evidence.end] == "giảm 14 đầu mối"
    assert evidence.sentence == "Huyện đã giảm 14 đầu mối sau sắp xếp."


@pytest.mark.parametrize(
    "text",
    [
        "Sáng 15/3, Huyện ủy tổ chức hội nghị; ngày 20/10/2019 ban hành kế hoạch.",
        "Năm 2020 và giai đoạn 2021 - 2025 là thời kỳ quan trọng.",
        "Thực hiện Nghị quyết số 18-NQ/TW và Quyết định 1234/QĐ-UBND, tỉnh đã tăng cường chỉ đạo.",
        "Mọi ý kiến xin gửi về đường dây nóng 0912 345 678.",
        "Hội nghị lần thứ 12 Ban Chấp hành Đảng bộ tỉnh khóa XIV; Hội nghị Trung ương 4 khóa XII.",
        "Sau 3 năm thực hiện, huyện đã có nhiều chuyển biến; trong gần 2 năm qua dịch Covid-19 kéo dài.",
        "Dự hội nghị có 150 đại biểu tại 12 điểm cầu; hơn 200 người tham dự trực tuyến.",
        "Huyện sắp xếp theo hướng 1 phòng nhiều chức năng, 1 cán bộ làm nhiều việc.",
        "Cải cách hành chính được xác định là 1 trong những khâu đột phá.",
        "Đồng chí Bí thư chủ trì hội nghị, lãnh đạo 2 huyện cùng dự.",
        "Kỳ họp quyết định 8 nội dung quan trọng.",
    ],
)
def test_dates_references_phones_ordinals_durations_attendance_and_principles_are_not_metrics(text):
    assert _metrics(text) == []


def test_site_furniture_in_capitals_or_contact_lines_gives_no_metric():
    text = "LƯỢT TRUY CẬP 12.345 HÔM NAY 210\nĐiện thoại: 0237 3852 123\nHuyện giảm 3 phòng."
    assert [(a, v) for a, v, *_ in _metrics(text)] == [("giảm", 3)]


def test_an_estimate_said_before_the_verb_is_about():
    assert _metrics("Doanh thu du lịch năm nay ước đạt 120 tỷ đồng.") == [
        ("đạt", 120, "tỷ đồng doanh thu du lịch", "about", None)
    ]


def test_a_share_without_subject_measures_the_count_before_it_but_money_does_not():
    text = (
        "Toàn tỉnh đã tinh giản 1.512 biên chế, đạt 10,3% so với năm 2015. "
        "Thu ngân sách luôn nằm trong nhóm 5 tỉnh có số thu lớn nhất (năm 2019 đạt 9.600 tỷ đồng)."
    )
    assert [(v, u) for _, v, u, _, _ in _metrics(text)] == [
        (1512, "biên chế"),
        (10.3, "% biên chế"),
        (5, "tỉnh có số thu lớn nhất"),
        (9600, "tỷ đồng"),
    ]


def test_a_verb_containing_a_document_word_is_not_a_citation():
    # "kỷ luật 15" is not "Luật 15".
    assert _metrics("Năm qua, Ủy ban Kiểm tra đề nghị kỷ luật 15 đảng viên vi phạm.") == [
        ("kỷ luật", 15, "đảng viên vi phạm", "exact", None)
    ]


def test_merging_into_a_count_and_a_composition_are_metrics():
    text = "Tỉnh đã sắp xếp 36 xã, phường thành 18 đơn vị hành chính cấp xã mới, gồm 12 xã và 6 phường."
    assert [(a, v, u) for a, v, u, _, _ in _metrics(text)] == [
        ("sắp xếp", 36, "xã, phường"),
        ("thành", 18, "đơn vị hành chính cấp xã mới"),
        ("gồm", 12, "xã"),
        ("gồm", 6, "phường"),
    ]


def _values_units(text: str) -> list[tuple]:
    return [(a, v, u) for a, v, u, _, _ in _metrics(text)]


def test_a_count_named_before_its_verb_gives_the_unit_of_a_bare_number():
    text = "Sau sắp xếp, số xã, thị trấn của huyện Tương Dương giảm từ 18 xuống còn 11, giảm 7 đơn vị."
    assert _values_units(text) == [
        ("giảm", 18, "xã, thị trấn"), ("còn", 11, "xã, thị trấn"), ("giảm", 7, "xã, thị trấn"),
    ]


def test_a_starting_count_is_kept_beside_the_result_with_the_results_unit():
    # The annotation policy lists both ends of "từ A xuống B": A is the scope the reform worked on.
    text = "Sau khi rà soát, huyện Ea Kar giảm từ 16 xuống 12 phòng chuyên môn."
    assert _values_units(text) == [("giảm", 16, "phòng chuyên môn"), ("xuống", 12, "phòng chuyên môn")]


def test_a_rise_from_one_share_to_another_keeps_both_with_a_clean_subject():
    text = "Tỷ lệ công chức cấp xã đạt chuẩn tăng từ 64% lên 81,2%."
    assert _values_units(text) == [
        ("tăng", 64, "% tỷ lệ công chức cấp xã đạt chuẩn"),
        ("lên", 81.2, "% tỷ lệ công chức cấp xã đạt chuẩn"),
    ]


def test_a_generic_head_takes_the_kind_named_earlier_in_the_sentence():
    text = "Huyện Mộc Châu hiện có 15 đơn vị hành chính cấp xã, giảm 6 đơn vị so với năm 2019."
    assert _values_units(text)[1] == ("giảm", 6, "đơn vị hành chính cấp xã")


def test_a_share_restating_the_count_before_it_measures_that_count():
    text = "Ngành giáo dục giảm 412 biên chế viên chức, tương đương 6,8% so với năm 2015."
    assert _values_units(text)[1] == ("tương đương", 6.8, "% biên chế viên chức")


def test_a_count_opening_its_clause_reads_its_predicate_past_a_short_complement():
    text = "Từ ngày 1/7, 9 đơn vị hành chính cấp huyện của tỉnh kết thúc hoạt động."
    assert _values_units(text) == [("kết thúc hoạt động", 9, "đơn vị hành chính cấp huyện")]


def test_a_predicate_stops_where_a_colon_opens_the_list_it_announces():
    text = (
        "Trong đó, 7 cơ quan thành lập mới: Sở Tài chính, Sở Xây dựng. "
        "Toàn tỉnh có 4 đơn vị hành chính cấp xã không thực hiện sắp xếp gồm: thị trấn Thạnh An, xã Tân Lộc."
    )
    assert _values_units(text) == [
        ("thành lập mới", 7, "cơ quan"),
        ("có", 4, "đơn vị hành chính cấp xã không thực hiện sắp xếp"),
    ]


def test_people_counted_by_what_happened_to_them():
    text = (
        "Huyện có 64 người nghỉ việc theo Nghị định 178/2024/NĐ-CP, trong đó 12 người là lãnh đạo cấp phòng; "
        "đã giải quyết chế độ cho 40 người."
    )
    assert _values_units(text) == [
        ("có", 64, "người nghỉ việc theo Nghị định"),
        ("có", 12, "người là lãnh đạo cấp phòng"),
        ("giải quyết chế độ", 40, "người giải quyết chế độ"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đến năm 2026 phải tinh giản tối thiểu 5% biên chế.", ("tinh giản", 5, "% biên chế", "over")),
        ("Tổng kinh phí chi trả hơn 86 tỷ đồng.", ("chi trả", 86, "tỷ đồng tổng kinh phí", "over")),
        ("Thu ngân sách bằng 104% dự toán.", ("bằng", 104, "% dự toán", "exact")),
    ],
)
def test_targets_payouts_and_ratios(text, expected):
    assert _metrics(text)[0][:4] == expected


def test_a_list_of_levels_inside_the_subject_does_not_hide_it():
    text = "Số hồ sơ trực tuyến mức độ 3, 4 chiếm 31,5%."
    assert _values_units(text) == [("chiếm", 31.5, "% số hồ sơ trực tuyến mức độ")]


def test_headline_and_body_giving_one_figure_in_two_wordings_are_one_metric():
    text = "Cả tỉnh giảm 9 huyện\nQua sắp xếp, cả tỉnh giảm 9 đơn vị hành chính cấp huyện."
    assert len(_metrics(text)) == 1


def test_a_count_out_of_a_grouped_total():
    assert _values_units("Toàn tỉnh có 1.204/1.530 thôn đạt chuẩn văn hóa.")[0][:2] == ("có", 1204)


def test_money_saved_or_paid_with_its_object_between_verb_and_number_is_a_metric():
    text = (
        "Nhờ sắp xếp lại, huyện tiết kiệm ngân sách khoảng 3,4 tỷ đồng mỗi năm. "
        "Kinh phí chi trả chế độ gần 9 tỷ đồng. Cả tỉnh đã chi trả cho 900 người với tổng kinh phí hơn 120 tỷ đồng."
    )
    found = [(a, v, q) for a, v, _, q, _ in _metrics(text)]
    assert ("tiết kiệm", 3.4, "about") in found
    assert ("chi trả", 9, "nearly") in found
    assert ("tổng kinh phí", 120, "over") in found
    assert ("chi trả", 900, "exact") in found
    spending = "Sau sắp xếp, tỉnh tiết kiệm chi ngân sách khoảng 45 tỷ đồng mỗi năm."
    assert [(a, v, q) for a, v, _, q, _ in _metrics(spending)] == [("tiết kiệm", 45, "about")]


def test_rules_issued_units_started_and_files_handled_on_time_are_counted():
    text = (
        "Chính phủ đã ban hành 12 nghị định phân cấp cho địa phương. Từ ngày 1/7, tỉnh chính thức vận hành "
        "45 xã, phường. Trong tháng, xã giải quyết đúng hạn 870 hồ sơ."
    )
    assert [(a, v) for a, v, _ in _values_units(text)] == [("ban hành", 12), ("vận hành", 45), ("giải quyết", 870)]


def test_a_before_after_change_row_of_a_flattened_table_gives_three_metrics():
    text = "Kết quả như sau:\nTrạm y tế | 46 | 31 | 15\nTrường tiểu học | 62 | 58 | 9\nNgười hoạt động không chuyên trách | 410 | 355"
    assert _values_units(text) == [
        ("từ", 46, "trạm y tế"), ("còn", 31, "trạm y tế"), ("giảm", 15, "trạm y tế"),
        # 62 - 58 is not 9: three unrelated columns are not read as before, after and change.
        ("từ", 410, "người hoạt động không chuyên trách"), ("còn", 355, "người hoạt động không chuyên trách"),
    ]


def test_a_headline_figure_restated_in_the_body_with_another_noun_is_one_metric():
    text = "Đắk Mil: Tinh giản 58 biên chế trong năm 2023\nNăm 2023, huyện Đắk Mil đã tinh giản 58 người, chủ yếu là viên chức."
    assert [(a, v) for a, v, _ in _values_units(text)] == [("tinh giản", 58)]


def test_two_body_figures_sharing_a_value_stay_two():
    text = "Sắp xếp bộ máy ở Krông Ana\nHuyện giảm 12 đơn vị sự nghiệp và giảm 12 cấp trưởng."
    assert [(a, v, u) for a, v, u in _values_units(text)] == [
        ("giảm", 12, "đơn vị sự nghiệp"), ("giảm", 12, "cấp trưởng"),
    ]


def test_a_bracketed_share_after_a_count_restates_it_with_its_verb_and_qualifier():
    text = "Sau sắp xếp, toàn tỉnh còn 102 xã, phường, giảm 98 đơn vị (khoảng 49%) so với trước."
    found = [(a, v, u, q) for a, v, u, q, _ in _metrics(text)]
    assert [(a, v, q) for a, v, u, q in found if u.startswith("%")] == [("giảm", 49, "about")]


def test_early_retirement_and_ending_units_are_read_with_their_counts():
    text = (
        "Huyện dôi dư 30 cán bộ; giải quyết nghỉ hưu trước tuổi 7 người. "
        "Việc kết thúc hoạt động của 22 đơn vị hành chính cấp huyện được thực hiện đồng loạt."
    )
    assert _values_units(text) == [
        ("dôi dư", 30, "cán bộ"),
        ("nghỉ hưu trước tuổi", 7, "người nghỉ hưu trước tuổi"),
        ("kết thúc hoạt động", 22, "đơn vị hành chính cấp huyện"),
    ]


def _read(text: str) -> list[tuple[float, str]]:
    from services.extract.engine.doc import Document
    from services.extract.engine.metrics import find_metrics

    return [(m.value, m.unit) for m in find_metrics(Document.from_text(text))]


def test_a_bracketed_breakdown_gives_each_of_its_counts_zero_led_or_not():
    found = _read("Tỉnh sắp xếp 129 đơn vị hành chính cấp xã (115 xã, 09 phường, 05 thị trấn) thành 45 đơn vị.")
    assert (115, "xã") in found and (9, "phường") in found and (5, "thị trấn") in found
    assert _read("Gọi đường dây nóng 0912 345 678 để giảm tải.") == []


def test_a_share_stated_as_a_rate_restates_the_count_its_breakdown_details():
    found = _read("Toàn tỉnh còn 56 đơn vị hành chính cấp xã (gồm 6 phường, 49 xã và 1 đặc khu), đạt tỉ lệ 31,3%.")
    assert (31.3, "% đơn vị hành chính cấp xã") in found


def test_a_size_measured_against_the_standard_is_no_metric():
    assert _read("Xã mới có diện tích tự nhiên 48,9 km2 (đạt 489,47% so với quy định).") == []


def test_equal_counts_of_two_districts_stay_two_figures_each_with_its_district():
    found = _read("Huyện Tân Lạc có 17 đơn vị hành chính cấp xã, gồm 16 xã và 1 thị trấn. Huyện Lạc Sơn có 17 đơn vị "
                  "hành chính cấp xã, gồm 16 xã và 1 thị trấn.")
    assert (1, "thị trấn của huyện Tân Lạc") in found and (1, "thị trấn của huyện Lạc Sơn") in found
    assert (17, "đơn vị hành chính cấp xã của huyện Lạc Sơn") in found and len(found) == 6


def test_districts_listed_each_with_the_count_of_its_communes():
    from services.extract.engine.pipeline import extract

    found = [(m.value, m.unit) for m in extract("Sau sắp xếp, TX. Mỹ Hòa có 3 phường, 2 xã; các huyện: Tân Lạc 5 xã; "
                                                "Yên Thủy 4 xã và Lạc Sơn 8 xã.").metrics]
    assert found == [
        (5, "xã của huyện Tân Lạc"), (4, "xã của huyện Yên Thủy"), (8, "xã của huyện Lạc Sơn"),
        (3, "phường của TX Mỹ Hòa"), (2, "xã của TX Mỹ Hòa"),
    ]


def test_a_bare_unit_with_a_breakdown_counts_administrative_units_of_that_level():
    found = _read("Sau sáp nhập, thành phố còn 32 đơn vị (16 phường và 16 xã).")
    assert found == [(32, "đơn vị hành chính cấp xã"), (16, "phường"), (16, "xã")]


def test_a_share_of_nothing_named_is_no_metric():
    assert _read("Hồi tháng 8, có 98.371 cử tri đồng ý (đạt tỉ lệ 98,53%).") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Năm 2024, tỉnh giao 45.120 biên chế công chức.", (45120, "biên chế công chức")),
        ("Tổng số biên chế được giao là 1.250 người.", (1250, "biên chế")),
        ("Thực hiện tinh giản biên chế 116 trường hợp.", (116, "trường hợp tinh giản")),
        ("Còn lại 3 sở giữ nguyên tên gọi.", (3, "sở giữ nguyên tên gọi")),
        ("UBND tỉnh xây dựng 45 phương án sắp xếp.", (45, "phương án sắp xếp")),
    ],
)
def test_counts_given_stated_left_or_drawn_up(text, expected):
    assert expected in _read(text)


def test_is_and_build_need_a_counted_unit():
    assert _read("Đây là 1 trong những giải pháp. Tỉnh xây dựng 3 tuyến đường.") == []


def test_a_range_gives_both_ends_with_one_unit():
    found = _read("Tỉnh phấn đấu giảm thiểu 15-20% tổ chức bộ máy bên trong và giảm 20% công chức.")
    assert found == [(15, "% tổ chức bộ máy bên trong"), (20, "% tổ chức bộ máy bên trong"), (20, "% công chức")]
    # a cut measured against the legal time is a result, not a size against the standard
    assert _read("Tỉnh cắt giảm thời gian giải quyết từ 5-50% so với quy định.") == [
        (5, "% thời gian giải quyết"), (50, "% thời gian giải quyết"),
    ]


def test_a_full_date_after_a_verb_is_no_metric():
    assert _read("Tỉnh chốt tên gọi xã, phường sau sắp xếp 28/04/2025 16:52") == []
    assert _read("Toàn tỉnh có 1.204/1.530 thôn đạt chuẩn văn hóa.")[0][0] == 1204


def test_members_of_a_body_acted_on_with_doi_voi_and_reorganised_units():
    assert _read("Ban Chấp hành Đảng bộ tỉnh (mới) có 51 người, Ban Thường vụ Tỉnh ủy (mới) có 15 người.") == [
        (51, "người trong Ban Chấp hành Đảng bộ tỉnh (mới)"), (15, "người trong Ban Thường vụ Tỉnh ủy (mới)"),
    ]
    assert (138, "đơn vị hành chính cấp xã") in _read("Tỉnh thực hiện sắp xếp đối với 138 đơn vị hành chính cấp xã.")
    assert _read("Tỉnh đã tổ chức lại 4 đơn vị sự nghiệp.") == [(4, "đơn vị sự nghiệp")]


def test_a_count_of_the_units_it_names_and_merging_into_one_are_no_metrics():
    assert _read("Quốc hội hợp nhất 3 tỉnh Hà Nam, tỉnh Ninh Bình và tỉnh Nam Định thành 1 tỉnh.") == []
    assert _read("Tỉnh sáp nhập 12 xã thành 5 xã mới; 2 huyện NTM đạt chuẩn.") == [
        (12, "xã"), (5, "xã mới"), (2, "huyện NTM"),
    ]


def test_what_a_unit_has_and_what_it_is_made_of_are_one_figure():
    found = _read("Tỉnh còn 56 đơn vị hành chính cấp xã, trong đó có 49 xã, 6 phường và 1 đặc khu. Cụ thể, tỉnh còn "
                  "56 đơn vị hành chính cấp xã (gồm 6 phường, 49 xã và 1 đặc khu).")
    assert sorted(v for v, _ in found) == [1, 6, 49, 56]


def test_a_bare_unit_after_administrative_units_counts_the_same_kind():
    found = _read("Tỉnh sắp xếp 129 ĐVHC cấp xã để hình thành 45 ĐVHC cấp xã mới, giảm 84 đơn vị.")
    assert (84, "ĐVHC cấp xã") in found
    assert _read("Tỉnh tổ chức lại 4 đơn vị và chuyển loại hình 3 đơn vị sự nghiệp.")[0] == (4, "đơn vị tổ chức lại")


def test_one_share_stated_twice_in_other_words_is_one_figure():
    found = _read("Tỉnh còn 48 đơn vị hành chính cấp cơ sở; giảm 66,43%.\nTheo đề án, tỉnh giảm 66,43% số đơn vị "
                  "hành chính cấp xã trực thuộc.")
    assert [v for v, _ in found].count(66.43) == 1


def test_plans_merging_whole_units_are_counted():
    found = _read("Trong đó:\n- 16 phương án nhập nguyên trạng 02 ĐVHC cấp xã thành 01 ĐVHC cấp xã mới;")
    assert [(v, u) for v, u in found] == [(16, "phương án")]
