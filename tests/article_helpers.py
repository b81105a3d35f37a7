"""Articles built by hand (not by the engine), so that what each query should answer is known."""
from __future__ import annotations

from datetime import UTC, date, datetime

from schemas.events import ExtractedArticle
from schemas.extraction import Evidence, Extraction, LegalDocument, Metric, Person, Province, Topic


def article(article_id, *, title, text, provinces=(), topics=(), persons=(), published=None, source=None, story=None):
    ev = Evidence(start=0, end=len(text), sentence=text)
    return ExtractedArticle(
        article_id=article_id, story_id=story or article_id, raw_text=text, source=source,
        received_at=datetime(2024, 1, 1, tzinfo=UTC),
        extraction=Extraction(
            engine_version="test", title=title, published=published, clean_text=text, source=source,
            provinces=[Province(name=old, name_2025=new, evidence=[ev]) for old, new in provinces],
            topics=[Topic(id=t, evidence=[ev]) for t in topics],
            persons=[Person(name=p, roles=["Bí thư Tỉnh ủy"]) for p in persons],
            metrics=[Metric(action="giảm", value=12, unit="phòng, ban", evidence=[ev])],
            legal_documents=[LegalDocument(kind="nghi_quyet", number="18", code="18-NQ/TW")],
        ),
    )


ARTICLES = [
    article("a1", title="Yên Bái tinh giản biên chế", published=date(2018, 3, 9), source="baoyenbai.vn",
            text="Tỉnh Yên Bái đã tinh giản biên chế và giảm 12 phòng, ban theo Nghị quyết 18.",
            provinces=[("Yên Bái", "Lào Cai")], topics=["tinh_gian_bien_che"], persons=["Phạm Thị Thanh Trà"]),
    article("a2", title="Lào Cai sáp nhập xã", published=date(2019, 10, 9), source="baolaocai.vn",
            text="Lào Cai sáp nhập 30 xã; đồng chí Đặng Xuân Phong chủ trì.",
            provinces=[("Lào Cai", "Lào Cai")], topics=["sap_nhap_don_vi_hanh_chinh"], persons=["Đặng Xuân Phong"]),
    article("a3", title="Quảng Ninh đổi mới bộ máy", published=date(2021, 9, 16), source="baoquangninh.vn",
            text="Quảng Ninh sắp xếp tổ chức bộ máy, tinh giản biên chế; Đảng bộ tỉnh đánh giá.",
            provinces=[("Quảng Ninh", "Quảng Ninh")], topics=["sap_xep_bo_may", "tinh_gian_bien_che"],
            persons=["Nguyễn Xuân Ký"], story="a1"),
    article("a4", title="Bài có <script>", text="Nội dung <script>alert(1)</script> về đường sá.", published=None),
]
