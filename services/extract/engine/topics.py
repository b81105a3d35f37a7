"""Reform topics an article substantively discusses, scored from weighted cue phrases per sentence."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from provnews.extract.engine.document import Document
from provnews.extract.engine.text import normalise
from provnews.extract.engine.documents import literal_trie
from provnews.schemas.extraction import TOPIC_IDS, Topic

# Cue phrase -> weight, per topic. Phrases are matched on lower-cased text with punctuation as spaces
# ("đối tác công - tư" is "đối tác công tư"). 2 = names the topic outright, 1 = a clear sign,
# 0.5 or less = a word that only adds up. Patterns may use regex for short gaps.
_CUES: dict[str, dict[str, float]] = {
    "tinh_gian_bien_che": {
        "tinh giản biên chế": 2, "giảm biên chế": 2, "tiết kiệm được biên chế": 2, "tiết kiệm biên chế": 2,
        "tinh giản bộ máy biên chế": 2, "tinh giản bộ máy và biên chế": 2, "biên chế": 1,
        "người hoạt động không chuyên trách": 1.5, "không chuyên trách": 1, "cán bộ không chuyên trách": 1,
        "dôi dư": 1.5, "nghỉ hưu trước tuổi": 1.5, "nghỉ thôi việc": 1.5, "tinh giản": 1,
        r"giảm (?:được )?(?:khoảng |gần |hơn |trên )?\d+(?: \d+)* "
        r"(?:người|cán bộ|công chức|viên chức|lãnh đạo|cấp trưởng|cấp phó)": 1.5,
        "vị trí việc làm": 1, "định biên": 1, "hưởng lương từ ngân sách": 1,
        # The payroll-cut policies people leave under: Nghị định 108/2014 and 178/2024.
        "nghỉ việc": 1, "xin nghỉ việc": 1.5, "tự nguyện nghỉ việc": 1.5, "chính sách nghỉ việc": 1.5,
        "giải quyết chế độ": 1, "nghị định 178": 1.5, "nghị định số 178": 1.5, "nghị định 108": 1.5,
        "nghị định số 108": 1.5,
    },
    "sap_xep_bo_may": {
        "sắp xếp tổ chức bộ máy": 2, "sắp xếp bộ máy": 2, "tinh gọn bộ máy": 2, "sắp xếp tinh gọn": 2,
        "sắp xếp lại tổ chức": 2, "tổ chức bộ máy": 1, "bộ máy": 0.5, "giảm đầu mối": 2, "đầu mối": 1,
        "tinh gọn": 1, "tinh giản bộ máy": 1.5, "tinh giản bộ máy biên chế": 1.5,
        "tinh giản bộ máy và biên chế": 1.5, "bộ máy hành chính": 1, "hoạt động hiệu lực hiệu quả": 0.5,
        r"giảm (?:được )?(?:khoảng |gần |hơn |trên )?\d+(?: \d+)* "
        r"(?:phòng|ban|sở|chi cục|đầu mối|đơn vị(?! hành chính)|cơ quan)": 2,
        "kiện toàn tổ chức": 1, "chức năng nhiệm vụ": 0.5,
    },
    "hop_nhat_co_quan": {
        "hợp nhất": 1.5, "cơ quan hợp nhất": 2, "hợp nhất cơ quan": 2, "hợp nhất tổ chức": 2,
        "giúp việc chung": 2, "tham mưu giúp việc chung": 2, "cơ quan khối": 1.5,
        r"(?:sáp nhập|sát nhập)(?: \w+){0,3} (?:cơ quan|sở|phòng|ban|đơn vị)(?! hành chính)": 2,
        # "thí điểm hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND": agencies named right after the verb.
        r"hợp nhất(?: \w+){0,2} (?:cơ quan|sở|văn phòng|phòng|ban|chi cục)(?!\w)": 2,
        "sáp nhập": 0.5, "sát nhập": 0.5, "chia tách": 0.5, "mô hình cơ quan": 1,
        "chức năng nhiệm vụ tương đồng": 1.5,
    },
    "nhat_the_hoa_chuc_danh": {
        "nhất thể hóa": 2, "kiêm nhiệm": 2, "hợp nhất chức danh": 2, "bí thư cấp ủy đồng thời là": 2,
        r"bí thư(?: \w+){0,4} đồng thời là": 1.5, "đồng thời là chủ tịch": 1.5, "đồng thời là trưởng": 1,
        "đồng thời là giám đốc": 1, "kiêm chức danh": 1.5, "kiêm nhiệm chức danh": 2,
    },
    "sap_nhap_don_vi_hanh_chinh": {
        "sắp xếp đơn vị hành chính": 2, "sắp xếp các đơn vị hành chính": 2, "sáp nhập đơn vị hành chính": 2,
        r"(?:sáp nhập|sát nhập|hợp nhất|sắp xếp|giảm)(?: (?:các|một số|\d+(?: \d+)*))? "
        r"(?:tỉnh|huyện|xã|thôn|tổ dân phố|bản|ấp|xóm|khu phố|phường|thị trấn)(?!\w)": 2,
        "đơn vị hành chính cấp xã": 1, "đơn vị hành chính cấp huyện": 1, "đơn vị hành chính": 0.5,
        r"(?:thôn|xã|huyện) tổ dân phố": 0.5, "chưa đủ tiêu chuẩn": 0.5, "thôn tổ dân phố": 0.5,
        "chính quyền địa phương hai cấp": 2, "chính quyền địa phương 2 cấp": 2, "không tổ chức cấp huyện": 2,
        r"hợp nhất thành (?:tỉnh|thành phố|huyện|thị xã|xã|phường)(?!\w)": 2,
        # The wording of the 2025 merger resolutions: "xã X (mới) được thành lập trên cơ sở nhập toàn bộ
        # diện tích tự nhiên, quy mô dân số của xã A, xã B".
        r"thành lập trên cơ sở (?:nhập|sáp nhập|hợp nhất)": 2, "diện tích tự nhiên quy mô dân số": 1.5,
        "chính quyền hai cấp": 1.5, "chính quyền 2 cấp": 1.5,
    },
    "don_vi_su_nghiep": {
        "đơn vị sự nghiệp công lập": 2, "đơn vị sự nghiệp": 1.5, "tự chủ tài chính": 1.5, "cơ chế tự chủ": 1,
        "đặt hàng giao nhiệm vụ": 1, "giao quyền tự chủ": 0.5, "sản phẩm đầu ra": 0.5, "cấp phát": 0.5,
        "sự nghiệp công": 1, "dịch vụ sự nghiệp công": 1.5,
    },
    "cai_cach_hanh_chinh": {
        "cải cách hành chính": 2, "cchc": 2, "thủ tục hành chính": 2, "một cửa": 1.5, "hành chính công": 1.5,
        "dịch vụ công trực tuyến": 2, "dịch vụ công": 0.5, "chính quyền điện tử": 1, "chính phủ điện tử": 1,
        "chính quyền số": 1, "par index": 2, "chỉ số cải cách hành chính": 2, "sipas": 1.5, "liên thông": 0.5,
        "tiếp nhận và trả kết quả": 1.5, "chuyển đổi số": 1,
    },
    "phan_cap_phan_quyen": {
        "phân cấp": 2, "phân quyền": 2, "phân cấp phân quyền": 2, "ủy quyền": 1, "giao quyền tự chủ": 1.5,
        "phân cấp mạnh": 2, "trao quyền": 1,
    },
    "cong_tac_can_bo": {
        "công tác cán bộ": 2, "đánh giá cán bộ": 2, r"đánh giá(?: \w+){0,5} cán bộ": 1.5,
        "người đứng đầu": 1, "trách nhiệm của người đứng đầu": 1.5, "đội ngũ cán bộ": 1,
        "đào tạo bồi dưỡng": 1.5,
        "đào tạo": 0.5, "bồi dưỡng": 0.5, "bổ nhiệm": 1, "luân chuyển": 1.5, "quy hoạch cán bộ": 2,
        "thi tuyển": 1.5, "chuẩn hóa": 0.5, "cán bộ chủ chốt": 0.5, "kiểm soát quyền lực": 1,
        "chất lượng đội ngũ": 1, "cán bộ lãnh đạo quản lý": 1, "nguồn nhân lực": 0.5,
        "trình độ năng lực": 1, "năng lực trình độ": 1, "lựa chọn bồi dưỡng": 1, "sàng lọc": 1,
        # Placing and replacing cadres: "bố trí cán bộ đúng vị trí việc làm, thay thế người không đáp ứng yêu cầu".
        "bố trí cán bộ": 1, "không đáp ứng yêu cầu": 1, "thay thế người": 1, "người có năng lực": 0.5,
    },
    "doi_tac_cong_tu": {
        "đối tác công tư": 2, "ppp": 2, "xã hội hóa": 1, "đầu tư công quản lý tư": 1.5,
        "huy động nguồn lực": 0.5,
        "nguồn lực xã hội": 1,
    },
    "doi_moi_lanh_dao_dang": {
        "đổi mới phương thức lãnh đạo": 2, "phương thức lãnh đạo": 1.5, "sức chiến đấu": 1,
        "năng lực lãnh đạo": 1, "xây dựng đảng": 1, "chỉnh đốn đảng": 1.5, "xây dựng chỉnh đốn đảng": 2,
        "tổ chức cơ sở đảng": 1, "đổi mới phương thức": 1, "sự lãnh đạo của đảng": 0.5,
        "sinh hoạt chi bộ": 1, "nội dung sinh hoạt": 1, "chất lượng đảng viên": 1,
        "trong sạch vững mạnh": 1, "hạt nhân lãnh đạo": 1,
    },
    "kinh_te_xa_hoi": {
        "tăng trưởng kinh tế": 1.5, "tốc độ tăng trưởng": 1.5, "kinh tế liên tục tăng trưởng": 1.5,
        "grdp": 2, "thu ngân sách": 1.5, "thu nhập bình quân": 1.5, "hộ nghèo": 1.5, "pci": 1.5,
        "năng lực cạnh tranh": 1, "cơ cấu kinh tế": 1, "nông thôn mới": 1, "kim ngạch": 1.5,
        "thu hút đầu tư": 1, "vốn đầu tư": 0.5, "tăng trưởng": 0.5, "kinh tế xã hội": 0.25, "kt xh": 0.25,
    },
}
_ASIDE = re.compile(
    r"(?:điển\s+hình\s+như|chẳng\s+hạn\s+như|ví\s+dụ\s+như|nhất\s+là|kể\s+cả)\s+(?:\w+\s+){0,2}$"
)
# Agencies merged: `hop_nhat_co_quan` even in a sentence about merging provinces or communes.
_AGENCY = re.compile(
    r"(?<!\w)(?:hợp nhất|sáp nhập|sát nhập)(?:\s+\S+){0,4}?\s+"
    r"(?:sở|ban|cơ quan|phòng|văn phòng|chi cục|cục|tổng cục|bộ|ủy ban|uỷ ban)(?!\w)"
)
_SERVICE_UNITS_MERGED = re.compile(
    r"(?<!\w)(?:hợp nhất|sáp nhập|sát nhập)(?:\s+\S+){0,3}?\s+"
    r"(?:trung tâm|trường|bệnh viện|trạm|đơn vị sự nghiệp)(?!\w)"
)
_THRESHOLD = 2.0
_SENTENCE_CAP = 3.0
_SHORT_SENTENCE_WORDS = 7  # a bare list item split off by ";" counts half
_MAX_EVIDENCE = 5
_PUNCTUATION = re.compile(r"[^\w\s]")
_WORD = re.compile(r"\w+")
_SHOUTED_WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _normalise(text: str) -> str:
    """Lower case, new-style tone marks, punctuation as spaces; every character keeps its offset."""
    text = normalise(text).lower()
    return _PUNCTUATION.sub(" ", text)


def _is_pattern(phrase: str) -> bool:
    return any(c in phrase for c in "\\()?")


def _compile_cues():
    """Plain cues indexed by their first word; pattern cues compiled, each gated by literals it needs."""
    plain: dict[tuple[str, ...], list[tuple[str, float]]] = defaultdict(list)
    patterns: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for topic, cues in _CUES.items():
        for phrase, weight in cues.items():
            if _is_pattern(phrase):
                patterns[phrase].append((topic, weight))
            else:
                plain[tuple(_normalise(phrase).split())].append((topic, weight))
    cue_ids: dict[str, int] = {}
    cue_topics: list[list[tuple[str, float]]] = []
    for words, topics in plain.items():
        cue_ids[" ".join(words)] = len(cue_topics)
        cue_topics.append(topics)
    plain_regex = re.compile(rf"(?<!\w)(?:{literal_trie(list(cue_ids))})(?!\w)")
    compiled = []
    for phrase, topics in patterns.items():
        spaced = phrase.replace(" ", r"\s+")  # punctuation became spaces, so gaps may be wider
        # No leading lookbehind: a literal start lets the regex engine skip ahead fast; the word
        # boundary before the match is checked by the caller.
        regex = re.compile(rf"(?:{spaced})(?!\w)")
        compiled.append((_gates(phrase), regex, len(cue_topics)))
        cue_topics.append(topics)
    return plain_regex, cue_ids, cue_topics, compiled


def _gates(pattern: str) -> tuple[str, ...]:
    """Literals one of which a pattern cue needs: its leading word, or each branch of a leading group."""
    group = re.match(r"\(\?:([^()]+)\)", pattern)
    if group:
        return tuple(branch.strip() for branch in group.group(1).split("|"))
    return (re.match(r"[^\\()?|]+", pattern).group(0).strip(),)


_PLAIN_CUES, _PLAIN_CUE_IDS, _CUE_TOPICS, _PATTERN_CUES = _compile_cues()


def find_topics(doc: Document) -> list[Topic]:
    text = _normalise(doc.text)
    sentences = doc.sentences()
    starts = [s for s, _, _ in sentences]
    per_sentence: dict[int, dict[int, int]] = defaultdict(dict)  # sentence -> cue -> first offset
    for cue_id, start, end in _cue_occurrences(text):
        i = bisect_right(starts, start) - 1
        if i < 0 or end > sentences[i][1]:
            continue  # outside any sentence, or running across a sentence end
        per_sentence[i].setdefault(cue_id, start)

    totals: dict[str, float] = defaultdict(float)
    support: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for i, cues in per_sentence.items():
        start, end, sentence = sentences[i]
        if _is_shouting(sentence):
            continue  # site menus and footers ("DỊCH VỤ CÔNG", "CHÍNH QUYỀN ĐIỆN TỬ ...")
        scores: dict[str, float] = defaultdict(float)
        for cue_id, offset in cues.items():
            damp = 0.5 if _ASIDE.search(text, max(start, offset - 40), offset) else 1.0
            for topic, weight in _CUE_TOPICS[cue_id]:
                scores[topic] += weight * damp
        if scores.get("sap_nhap_don_vi_hanh_chinh", 0) >= 2 and not _AGENCY.search(text, start, end):
            scores.pop("hop_nhat_co_quan", None)  # "hợp nhất tỉnh A và tỉnh B": provinces merge, not agencies
        if _SERVICE_UNITS_MERGED.search(text, start, end) and not _AGENCY.search(text, start, end):
            # Merging schools, health centres or other public service units is `don_vi_su_nghiep`; the
            # merged-agencies topic needs agencies (sở, ban, văn phòng).
            scores.pop("hop_nhat_co_quan", None)
        factor = 0.5 if len(sentence.split()) < _SHORT_SENTENCE_WORDS else 1.0
        for topic, score in scores.items():
            contribution = min(score, _SENTENCE_CAP) * factor
            totals[topic] += contribution
            support[topic].append((contribution, start, end))
    topics = []
    for topic in TOPIC_IDS:
        # Passing words alone never make a topic: at least one sentence must carry a clear sign.
        if totals[topic] >= _THRESHOLD and max(c for c, _, _ in support[topic]) >= 1.0:
            best = sorted(support[topic], key=lambda x: (-x[0], x[1]))[:_MAX_EVIDENCE]
            evidence = [doc.evidence(s, e) for _, s, e in sorted(best, key=lambda x: x[1])]
            topics.append(Topic(id=topic, evidence=evidence))
    return topics


def _cue_occurrences(text: str) -> list[tuple[int, int, int]]:
    """(cue, start, end) for every cue in the normalised text.

    Pattern cues go first and claim their span, so a plain cue inside one ("sáp nhập" in
    "sáp nhập các thôn") does not also count for another topic; plain cues do not overlap.
    """
    found: list[tuple[int, int, int]] = []
    claimed: list[tuple[int, int]] = []
    for gates, pattern, cue_id in _PATTERN_CUES:
        if any(gate in text for gate in gates):
            for m in pattern.finditer(text):
                if m.start() and text[m.start() - 1].isalnum():
                    continue
                found.append((cue_id, m.start(), m.end()))
                claimed.append(m.span())
    merged = _union(claimed)
    merged_starts = [a for a, _ in merged]
    for m in _PLAIN_CUES.finditer(text):
        start, end = m.span()
        i = bisect_right(merged_starts, start) - 1
        if i >= 0 and end <= merged[i][1]:
            continue
        found.append((_PLAIN_CUE_IDS[" ".join(m.group(0).split())], start, end))
    return found


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _is_shouting(sentence: str) -> bool:
    # Site menus and footers are set in capitals ("CHÍNH QUYỀN ĐIỆN TỬ"); article sentences are not.
    return sentence.upper() == sentence and _SHOUTED_WORDS.search(sentence) is not None
