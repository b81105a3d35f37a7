"""Provinces an article mentions and the places below province level."""
from pathlib import Path

import pytest

from services.extract.engine import places
from services.extract.engine.doc import Document
from services.extract.engine.places import find_locations, find_provinces, province_of


def provinces(text: str) -> list[str]:
    return [p.name for p in find_provinces(Document.from_text(text))]


def locations(text: str) -> list[tuple[str, str]]:
    return [(loc.name, loc.level) for loc in find_locations(Document.from_text(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đoàn công tác Tỉnh ủy Tuyên Quang làm việc tại Phú Thọ.", ["Tuyên Quang", "Phú Thọ"]),
        ("Khánh Hoà, Thanh Hoá và Hoà Bình học tập kinh nghiệm.", ["Khánh Hòa", "Thanh Hóa", "Hòa Bình"]),
        ("Kinh nghiệm của TP.HCM, Tp. Hồ Chí Minh và Thành phố Hồ Chí Minh.", ["Hồ Chí Minh"]),
        ("Tỉnh Thừa Thiên - Huế và Thừa Thiên Huế.", ["Huế"]),
        (
            "UBND tỉnh Bà Rịa-Vũng Tàu, tỉnh Đắc Lắc và tỉnh Đắk Nông.",
            ["Bà Rịa - Vũng Tàu", "Đắk Lắk", "Đắk Nông"],
        ),
        ("HỘI NGHỊ TẠI HẢI DƯƠNG", ["Hải Dương"]),
    ],
)
def test_provinces_are_named_canonically(text, expected):
    assert provinces(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
        "Bà Nguyễn Thị Hà Giang, Trưởng phòng Nội vụ, phát biểu.",
        "Ông Trần Văn Long An nhận nhiệm vụ mới.",
        "Trụ sở ở đường Hà Nội, phường Thái Bình, xã Hòa Bình.",
        "Vùng biển Thái Bình Dương và chiến thắng Điện Biên Phủ.",
        "Chị Huế và đồng chí Nguyễn Thị Huế dự hội nghị.",
        "Hà Nộii không phải là tên tỉnh.",
    ],
)
def test_names_that_only_look_like_provinces_are_not_provinces(text):
    assert provinces(text) == []


def test_a_province_gets_its_2025_name_and_evidence():
    (found,) = find_provinces(Document.from_text("Năm 2020, tỉnh Quảng Bình giảm 500 biên chế. Hết."))
    assert found.name == "Quảng Bình"
    assert found.name_2025 == "Quảng Trị"
    assert found.evidence[0].sentence == "Năm 2020, tỉnh Quảng Bình giảm 500 biên chế."
    assert (found.evidence[0].start, found.evidence[0].end) == (15, 25)


def test_province_of_reads_variants():
    assert province_of("tỉnh Khánh Hoà").name == "Khánh Hòa"
    assert province_of("TP.HCM").name_2025 == "Hồ Chí Minh"
    assert province_of("Yên Bái").name_2025 == "Lào Cai"
    assert province_of("Hạ Long") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chiều 9/3 tại TP Hạ Long, đoàn làm việc.", [("Hạ Long", "district")]),
        (
            "Trung tâm một cửa phường Cẩm Thủy (TX Cẩm Phả).",
            [("Cẩm Thủy", "commune"), ("Cẩm Phả", "district")],
        ),
        (
            "thị trấn Tiên Yên, huyện Bình Liêu và Thị xã Đông Triều",
            [("Tiên Yên", "commune"), ("Bình Liêu", "district"), ("Đông Triều", "district")],
        ),
        ("thôn Khe Lánh, bản Pác Ngòi và tổ dân phố số 5 của xã Tân Lập", [("Tân Lập", "commune")]),
        ("Đặc khu Phú Quốc và huyện Kiên Lương", [("Phú Quốc", "commune"), ("Kiên Lương", "district")]),
        ("Chủ tịch UBND huyện Ba Chẽ Nguyễn Văn Tuấn phát biểu.", [("Ba Chẽ", "district")]),
        (
            "Sáp nhập các xã Đồng Tâm, Đồng Sơn và Lục Hồn.",
            [("Đồng Tâm", "commune"), ("Đồng Sơn", "commune"), ("Lục Hồn", "commune")],
        ),
        ("Huyện ủy Hải Hà chỉ đạo TP.Móng Cái.", [("Hải Hà", "district"), ("Móng Cái", "district")]),
    ],
)
def test_places_below_province_level(text, expected):
    assert locations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kinh nghiệm của TP Hà Nội, TP Hồ Chí Minh và thành phố Đà Nẵng.",
        "Các xã, phường, thị trấn và cấp xã, cấp huyện.",
        "Xây dựng xã Nông thôn mới kiểu mẫu; ban hành bản Quy chế mới.",
        "Việc buôn bán ở thôn 3 năm nay tăng.",
    ],
)
def test_no_places_in_centrally_run_cities_or_generic_words(text):
    assert locations(text) == []


def test_a_province_after_a_sentence_ending_in_a_name_is_still_a_province():
    assert provinces("Phát biểu của đồng chí Trần Văn An. Quảng Ngãi sẽ sắp xếp lại bộ máy.") == [
        "Quảng Ngãi"
    ]


def test_company_names_starting_with_a_city_name_are_not_the_city():
    assert provinces("Ngân hàng Sài Gòn Thương Tín và báo Sài Gòn Giải Phóng.") == []


def test_a_title_after_a_place_is_not_part_of_its_name():
    assert locations(
        "Công an huyện Mèo Vạc Đại úy Lý Mí Sính và Trung tâm y tế huyện Mèo Vạc Trung tâm y tế."
    ) == [("Mèo Vạc", "district")]


def test_after_the_word_tinh_a_province_counts_whatever_its_capitals():
    assert provinces("Đề án thành lập thị xã thuộc tỉnh Lào cai và tỉnh quảng ninh.") == [
        "Lào Cai",
        "Quảng Ninh",
    ]
    assert provinces("Sản phẩm lào cai được ưa chuộng.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Đoàn thăm huyện Đầm Hà, Hải Hà và Bình Liêu trong 2 ngày.",
            [("Đầm Hà", "district"), ("Hải Hà", "district"), ("Bình Liêu", "district")],
        ),
        ("Chiều 4/5 tại TP Cẩm Phả, Thường trực Thành ủy làm việc.", [("Cẩm Phả", "district")]),
        (
            "Hội nghị ở TP Cẩm Phả, Quảng Ninh và TP Hạ Long và Sở Nội vụ.",
            [("Cẩm Phả", "district"), ("Hạ Long", "district")],
        ),
    ],
)
def test_places_listed_under_one_admin_word(text, expected):
    assert locations(text) == expected


def test_numbered_wards_and_districts_but_not_villages():
    assert locations("Người dân phường 1, quận 3 và thôn 5; xã 3 năm liền đạt chuẩn.") == [
        ("Phường 1", "commune"),
        ("Quận 3", "district"),
    ]


def test_villages_and_residential_groups_are_read_but_not_listed():
    # below the commune: the contract counts them in metrics, never as places, and their names are no one's
    text = "Tại thôn Lô Lô Chải, bản Nà Lời và tổ dân phố Bắc Sơn, người dân họp. Ông Hoàng Văn Bình phát biểu."
    assert locations(text) == []
    assert provinces("Tại xóm Hà Nam, khu phố Quảng Ninh, người dân họp.") == []


def _places(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    doc = Document.from_text(text)
    return [p.name for p in find_provinces(doc)], [(loc.name, loc.level) for loc in find_locations(doc)]


def test_a_centrally_run_city_written_thanh_pho_in_lower_case_is_a_province_not_a_street():
    provinces, _ = _places("Tỉnh Hậu Giang được nhập vào thành phố Cần Thơ; phố Huế vẫn giữ tên cũ.")
    assert provinces == ["Hậu Giang", "Cần Thơ"]


def test_a_ward_named_like_a_province_further_down_a_list_of_wards():
    provinces, locations = _places("Phường mới gồm các phường Tân Định, Đa Kao và Thái Bình cũ của quận 1.")
    assert provinces == []
    assert ("Thái Bình", "commune") in locations


def test_a_district_name_ending_in_van_is_not_a_person():
    _, locations = _places("Đoàn công tác làm việc tại xã Sủng Là, huyện Đồng Văn.")
    assert ("Đồng Văn", "district") in locations


def test_the_holder_of_a_title_after_its_body_is_not_a_place():
    _, locations = _places("Chủ tịch UBND thành phố Lê Quang Hòa yêu cầu các phường bàn giao hồ sơ.")
    assert locations == []


def test_names_listed_after_a_count_of_units_are_places_of_that_level():
    doc = Document.from_text(
        "Tỉnh chọn 3 huyện là Krông Bông, Lắk và Ea Súp để thí điểm mô hình mới; 2 xã gồm Ea Tiêu và Hòa Đông làm trước."
    )
    found = {(loc.name, loc.level) for loc in find_locations(doc)}
    assert {("Krông Bông", "district"), ("Lắk", "district"), ("Ea Súp", "district"),
            ("Ea Tiêu", "commune"), ("Hòa Đông", "commune")} <= found


def test_a_party_committee_misspelt_without_its_tone_is_no_place_and_no_error():
    # "Huyện uy" (the tone mark lost) matched the level words but had no level: extraction raised KeyError.
    assert locations("Huyện uy Hải Lăng họp.") == []
    assert locations("Huyện ủy Hải Lăng họp.") == locations("Huyện uỷ Hải Lăng họp.") == [("Hải Lăng", "district")]


def test_names_listed_after_a_count_of_places_are_places_whatever_they_look_like():
    text = ("Danh sách 6 xã, phường, thị trấn được chọn thí điểm bao gồm: Tân Phú, Lê Văn Tám, Hòa Bình, "
            "Đại Cương, Phú Thọ và Long Hải. Sở Nội vụ hướng dẫn.")
    assert locations(text) == [
        ("Tân Phú", "commune"), ("Lê Văn Tám", "commune"), ("Hòa Bình", "commune"), ("Đại Cương", "commune"),
        ("Phú Thọ", "commune"), ("Long Hải", "commune"),
    ]
    assert provinces(text) == []  # a commune named like a province is not the province


def test_districts_listed_each_with_its_count_of_communes():
    text = "Sau sắp xếp, thị xã Mỹ Hòa có 3 phường, 2 xã; các huyện: Tân Lạc 5 xã; Yên Thủy 4 xã và Lạc Sơn 8 xã."
    assert locations(text) == [
        ("Mỹ Hòa", "district"), ("Tân Lạc", "district"), ("Yên Thủy", "district"), ("Lạc Sơn", "district"),
    ]


def test_a_district_in_brackets_after_its_commune():
    assert locations("Công an xã Hòa Lợi (Tam Nông) và xã Tân Hòa (Đồng Tháp) rà soát.") == [
        ("Hòa Lợi", "commune"), ("Tam Nông", "district"), ("Tân Hòa", "commune"),
    ]


def test_a_name_cut_at_the_end_of_an_excerpt_is_dropped():
    assert locations("Sau sắp xếp, huyện Tân Lạc còn 5 xã; huyện Th") == [("Tân Lạc", "district")]
    assert locations("Đoàn làm việc tại huyện Tân Lạc.") == [("Tân Lạc", "district")]


def test_an_outlets_mark_is_not_a_city():
    assert locations("TPO - Tỉnh đã hoàn thành đề án; TP.Hội An giữ nguyên.") == [("Hội An", "district")]


def test_counts_of_places_are_tried_where_a_count_opens_and_found_as_a_scan_of_every_place_finds_them():
    seeds = Path(__file__).resolve().parents[3] / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))] + [
        "Tỉnh có 37 xã, phường, thị trấn được chọn triển khai bao gồm: Cái Nước, Đầm Dơi.",
        "3 huyện là Tuy Phước, Phù Cát và Hoài Nhơn; hai xã gồm: An Nhơn, Tây Sơn. 1.5 xã là A; x3 xã là B",
        "mười phường gồm Hải Châu, Thanh Khê", "ba xã là", "",
    ]
    found = 0
    for text in texts:
        whole = [m.span() for m in places._COUNTED_THEN_NAMED.finditer(text)]
        assert [m.span() for m in places._counted_then_named(text)] == whole
        found += len(whole)
    assert found >= 4


@pytest.mark.parametrize(
    "text",
    [
        "Các phường Phú Cường, Hiệp Thành, Hòa Bình được sáp nhập.",
        "Các phường Phú Cường, Hiệp Thành và Hòa Bình được sáp nhập.",
        "CÁC PHƯỜNG PHÚ CƯỜNG, HIỆP THÀNH VÀ Hòa Bình được sáp nhập.",
        "Các xã Tân An , \n Hòa Bình được sáp nhập.",
    ],
)
def test_a_name_further_down_a_list_of_communes_is_not_a_province(text):
    assert provinces(text) == []


@pytest.mark.parametrize(
    "window",
    [
        "các phường Phú Cường, Hiệp Thành, ", "các phường Phú Cường và ", "CÁC XÃ TÂN AN VÀ\n", "xã An,\t\n",
        "xã An và", "xã Anvà ", "xã An vá ", "xã An, Bình ", "", ",", "và ", " và ", "phường A\u00a0và\u2009",
    ],
)
def test_only_a_window_ending_in_a_comma_or_va_is_searched_for_a_list(window):
    found = places._LISTED_UNDER_PLACE_WORD.search(window) is not None
    assert places._may_end_a_list(window) or not found  # never skips a window the pattern would match
    assert places._may_end_a_list(window) == window.rstrip().endswith((",", " và", "\nvà", " VÀ", "\u00a0và"))


def test_a_place_word_before_a_name_is_found_searching_only_near_the_end_of_the_window():
    endings = ("", " ", "  ", " \n", "\n")
    before = ("", "x", ",", "Tại ", "thành ", "THÀNH ", "của các ", "1")
    windows = [
        f"{lead}{word}{ending}"
        for word in (*places._PLACE_WORDS, *(w.upper() for w in places._PLACE_WORDS), "thành phố", "Thành Phố", "nhà")
        for lead in before
        for ending in endings
    ]
    windows += [w[-40:] for w in (" ".join(places._PLACE_WORDS) + " ", "x" * 60 + " khu đô thị ")]
    for window in windows:
        whole = places._PLACE_BEFORE.search(window) is not None
        assert (places._PLACE_BEFORE.search(window, places._place_word_reach(window)) is not None) == whole, window
    assert any(places._PLACE_BEFORE.search(w) for w in windows) and not all(places._PLACE_BEFORE.search(w) for w in windows)


def test_a_ward_or_commune_abbreviated_with_a_dot_and_a_list_of_them_after_a_count():
    text = (
        "Thành phố dự kiến sắp xếp 21 xã, phường thành 6 xã, phường gồm: P.Đăk Cấm, P.Đăk Bla, xã Ngọc Bay. "
        "Sáp nhập P. Trường An, P.9 và X. Tân Ngãi; thị trấn mới là TT.Long Hồ."
    )
    assert locations(text) == [
        ("Đăk Cấm", "commune"), ("Đăk Bla", "commune"), ("Ngọc Bay", "commune"), ("Trường An", "commune"),
        ("Phường 9", "commune"), ("Tân Ngãi", "commune"), ("Long Hồ", "commune"),
    ]


@pytest.mark.parametrize("text", ["Lãnh đạo tỉnh thăm hỏi người dân. Ảnh: P. Long", "Ảnh: X.Hùng", "Trường P Mỹ Hòa."])
def test_a_single_letter_before_a_one_word_name_or_without_its_dot_is_no_level_word(text):
    assert locations(text) == []


_TABLE = (
    "Phương án đặt tên các xã, phường sau sắp xếp như sau:\n"
    "| Tên huyện, thị xã | Tên xã, phường hiện tại | Tên xã, phường sau sắp xếp |\n"
    "| --- | --- | --- |\n"
    "| Tiên Lữ | Hưng Đạo, Nhật Tân và Vương | Hoàng Hoa Thám |\n"
    "| Tân Hưng, Thủy Sỹ (Tiên Lữ) | Tân Hưng |\n"
    "| Kim Động | Giữ nguyên hiện trạng | Không sắp xếp |\n"
    "Các xã mới đi vào hoạt động từ ngày 1/7."
)


def test_the_names_in_a_table_whose_header_names_places_are_places_of_their_columns_level():
    assert locations(_TABLE) == [
        ("Tiên Lữ", "district"), ("Hưng Đạo", "commune"), ("Nhật Tân", "commune"), ("Vương", "commune"),
        ("Hoàng Hoa Thám", "commune"), ("Tân Hưng", "commune"), ("Thủy Sỹ", "commune"), ("Kim Động", "district"),
    ]


def test_a_commune_named_like_a_province_in_such_a_table_is_no_province():
    text = "Tỉnh Hưng Yên công bố tên xã mới.\n| Tên xã hiện tại | Tên xã sau sắp xếp |\n| Hòa Bình, Tân Tiến | Hòa Bình |\n"
    assert provinces(text) == ["Hưng Yên"]
    assert ("Hòa Bình", "commune") in locations(text)


@pytest.mark.parametrize(
    "text",
    [
        "| Chỉ tiêu | Kết quả |\n| Hồ Chí Minh | Đạt |\n",  # no header names a level of places
        "| Tên xã hiện tại | Ghi chú |\n| Việc sắp xếp đúng tiến độ | Sở Nội vụ theo dõi |\n",  # cells that are no names
        "| Tên xã hiện tại, phường |\n| Tân Hưng |\n",  # one column: a caption, not a table
    ],
)
def test_no_places_from_a_table_that_does_not_list_places_by_level(text):
    assert locations(text) == []


def test_a_list_after_a_count_goes_on_past_a_name_that_opens_like_a_bank_or_a_branch():
    text = "Theo đó, 06 huyện, gồm: Ngân Sơn, Chi Lăng, Bạch Thông, Chợ Mới, Na Rì; các huyện còn lại giữ nguyên."
    assert [name for name, _ in locations(text)] == ["Ngân Sơn", "Chi Lăng", "Bạch Thông", "Chợ Mới", "Na Rì"]
    assert locations("Tỉnh có 3 xã gồm Chủ tịch UBND xã và Chi cục Thuế.") == []


def test_a_name_cut_on_a_letter_no_syllable_ends_on_is_dropped_at_the_end_of_an_excerpt():
    assert locations("Sáp nhập xã Hòa Phú và xã Hòa Thắ") == [("Hòa Phú", "commune")]
    assert locations("Sáp nhập xã Hòa Phú và xã Hòa Thắng") == [("Hòa Phú", "commune"), ("Hòa Thắng", "commune")]


def test_a_sentence_opening_after_an_abbreviated_level_words_dot_is_no_place():
    text = "HĐND TP Dĩ An đã bầu Chủ tịch UBND TP. Theo đó, ông Võ Văn Hồng làm Chủ tịch UBND TP. Trong tháng 7, thành phố họp."
    assert locations(text) == [("Dĩ An", "district")]


def test_a_list_under_one_level_word_ends_at_a_bracket_and_h_dot_is_a_district():
    assert locations("Nhập thêm 2 xã Quảng Công, Quảng Ngạn (thuộc H.Quảng Điền) vào TX.Phong Điền.") == [
        ("Quảng Công", "commune"), ("Quảng Ngạn", "commune"), ("Quảng Điền", "district"), ("Phong Điền", "district"),
    ]
