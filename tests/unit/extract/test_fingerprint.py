"""Near-duplicate band keys: republished versions of a story meet, unrelated stories of the genre do not."""
import os
import subprocess
import sys

from services.extract.engine.fingerprint import BANDS, band_keys

# Boilerplate that outlets of the genre reuse word for word in unrelated stories.
BOILERPLATE = (
    "Đối với nội dung nhất thể hóa chức danh, tỉnh xác định không nóng vội, vừa làm vừa rút kinh "
    "nghiệm, lựa chọn kỹ về tổ chức đảng và con người rồi mới áp dụng thí điểm. Trong sắp xếp tổ "
    "chức bộ máy, tỉnh sáp nhập nhiều đơn vị theo hướng linh hoạt, hiệu quả, hạn chế chồng chéo "
    "trong công tác quản lý."
)

STORY = "\n".join([
    "Huyện Thạch Hà giảm 9 đầu mối sau hai năm sắp xếp bộ máy",
    "Sáng 12/6, Ban Thường vụ Huyện ủy Thạch Hà tổ chức hội nghị sơ kết hai năm thực hiện đề án "
    "sắp xếp tổ chức bộ máy của hệ thống chính trị huyện. Đồng chí Trần Quốc Bảo, Bí thư Huyện ủy "
    "chủ trì hội nghị.",
    "Theo báo cáo, đến nay huyện đã giảm 9 đầu mối cơ quan chuyên môn và đơn vị sự nghiệp, giảm "
    "17 lãnh đạo cấp phòng, giảm 64 người hoạt động không chuyên trách ở thôn. Huyện đã hợp nhất "
    "Văn phòng Huyện ủy với Văn phòng HĐND và UBND huyện, thành lập Trung tâm Văn hóa, Thể thao "
    "và Truyền thông trên cơ sở hợp nhất ba đơn vị cũ.",
    BOILERPLATE,
    "Việc sáp nhập thôn, tổ dân phố được thực hiện công khai, lấy ý kiến cử tri từng hộ gia đình; "
    "tỷ lệ đồng thuận đạt trên 90%. Sau sáp nhập, các thôn mới được bố trí đủ cán bộ, nhà văn hóa "
    "được sử dụng hiệu quả hơn, kinh phí hoạt động được tập trung cho các nhiệm vụ thiết yếu của "
    "cộng đồng dân cư.",
    "Phát biểu kết luận, đồng chí Bí thư Huyện ủy yêu cầu các cơ quan, đơn vị tiếp tục rà soát "
    "chức năng, nhiệm vụ, khắc phục tình trạng chồng chéo; đẩy mạnh ứng dụng công nghệ thông tin "
    "trong quản lý; quan tâm giải quyết chế độ, chính sách cho cán bộ dôi dư sau sắp xếp, không "
    "để ai bị thiệt thòi.",
    "Hội nghị cũng biểu dương 12 tập thể và 20 cá nhân có thành tích xuất sắc trong quá trình "
    "thực hiện đề án.",
])

OTHER_STORY = "\n".join([
    "Đoàn công tác tỉnh Lai Châu học tập kinh nghiệm xây dựng nông thôn mới",
    "Chiều 3/10, đoàn công tác tỉnh Lai Châu do đồng chí Vũ Mạnh Hà dẫn đầu đã đến thăm, làm việc "
    "và trao đổi kinh nghiệm về xây dựng nông thôn mới kiểu mẫu tại một số xã của tỉnh bạn.",
    "Tại buổi làm việc, lãnh đạo tỉnh cho biết toàn tỉnh đã có 86 xã đạt chuẩn nông thôn mới, "
    "trong đó 21 xã đạt chuẩn nâng cao; thu nhập bình quân đầu người khu vực nông thôn tăng gần "
    "gấp đôi so với năm 2015. Nhiều mô hình sản xuất hàng hóa tập trung gắn với liên kết tiêu thụ "
    "sản phẩm đã hình thành, mang lại hiệu quả kinh tế rõ rệt cho người dân.",
    BOILERPLATE,
    "Đoàn đã tham quan vùng trồng chè an toàn, hợp tác xã dược liệu và điểm du lịch cộng đồng, "
    "nghe chia sẻ cách vận động nhân dân hiến đất làm đường, đóng góp ngày công xây dựng nhà văn "
    "hóa thôn, giữ gìn vệ sinh môi trường khu dân cư.",
    "Thay mặt đoàn, đồng chí Vũ Mạnh Hà cảm ơn sự đón tiếp chu đáo và mong muốn hai tỉnh tiếp tục "
    "trao đổi, hợp tác trong phát triển nông nghiệp, du lịch và đào tạo nguồn nhân lực.",
])


def _republished(story: str) -> str:
    """Another outlet's version: its own headline, the closing paragraph dropped, a sentence reworded."""
    lines = story.split("\n")
    body = lines[1:-1]
    body[1] = body[1].replace("Theo báo cáo, đến nay", "Báo cáo tại hội nghị cho biết, tới nay")
    return "\n".join(["Thạch Hà: tinh gọn bộ máy, giảm 9 đầu mối (Báo Hà Tĩnh)"] + body)


def test_a_republished_version_shares_a_key():
    assert set(band_keys(STORY)) & set(band_keys(_republished(STORY)))


def test_unrelated_stories_sharing_boilerplate_share_no_key():
    assert not set(band_keys(STORY)) & set(band_keys(OTHER_STORY))


def test_case_and_punctuation_do_not_change_the_keys():
    shouted = STORY.upper().replace(",", " ,").replace(";", ".")
    assert band_keys(shouted) == band_keys(STORY)


def test_one_key_per_band_and_none_for_an_empty_text():
    keys = band_keys(STORY)
    assert len(keys) == BANDS and len(set(keys)) == BANDS
    assert band_keys("") == [] and band_keys(" ... ") == []


def test_keys_are_the_same_in_another_process_with_another_hash_seed():
    script = (
        "import sys; from services.extract.engine.fingerprint import band_keys; "
        "print('\\n'.join(band_keys(sys.stdin.read())))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", script], input=STORY, capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.split() == band_keys(STORY)
