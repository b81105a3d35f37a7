"""What the extraction engine finds in one article.

These frozen models are both the engine's return value and the payload of the
`articles.extracted` event, so the event and the library cannot drift apart.
Every finding carries evidence: character offsets into the cleaned text and
the sentence they sit in, so a reader can check it.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

LocationLevel = Literal["province", "district", "commune", "other"]
AdminLevel = Literal["tinh", "huyen", "xa", "thon"]
Qualifier = Literal["exact", "about", "nearly", "over", "under"]
METRIC_CLASSES = ("departments", "public_service_units", "payroll", "leadership", "communes", "villages", "procedures")
MetricClass = Literal["departments", "public_service_units", "payroll", "leadership", "communes", "villages", "procedures"]
DocumentKind = Literal[
    "nghi_quyet", "ket_luan", "chi_thi", "quyet_dinh", "chuong_trinh", "de_an", "ke_hoach",
    "luat", "nghi_dinh", "thong_tu", "thong_bao", "huong_dan", "quy_dinh",
]
TopicId = Literal[
    "tinh_gian_bien_che", "sap_xep_bo_may", "hop_nhat_co_quan", "nhat_the_hoa_chuc_danh",
    "sap_nhap_don_vi_hanh_chinh", "don_vi_su_nghiep", "cai_cach_hanh_chinh", "phan_cap_phan_quyen",
    "cong_tac_can_bo", "doi_tac_cong_tu", "doi_moi_lanh_dao_dang", "kinh_te_xa_hoi",
]
TOPIC_IDS: tuple[str, ...] = TopicId.__args__  # type: ignore[attr-defined]


# JSON Schema for "holds a character that is not white space", as Python's str.split() and strip() see it
# (they also count the separators \x1c-\x1f and \x85, which \S in a JSON Schema regex does not).
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"


def unknown_topics_detail(unknown: list[str]) -> str:
    """Why a list of topic ids is refused, naming each unknown one (an empty or blank one quoted, so it shows)."""
    return "unknown topic id(s): " + ", ".join(t if t.strip() else repr(t) for t in unknown) + \
        f"; known: {', '.join(TOPIC_IDS)}"


class Frozen(BaseModel):
    # Consumers ignore fields they do not know, so additive changes stay compatible.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Evidence(Frozen):
    """A span of the cleaned text: [start, end), the sentence around it, [sentence_start, sentence_end), and
    the id of the engine's rule that read it there (`provnews rules` lists them; None only in events from
    before rules had ids).

    In the `articles.extracted` event the sentence travels as its offsets only (the event carries the
    cleaned text they point into) and is restored on reading, so the event does not repeat the text.
    """

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence: str = ""
    sentence_start: int | None = Field(default=None, ge=0)
    sentence_end: int | None = Field(default=None, ge=0)
    rule: str | None = None

    @model_serializer(mode="wrap")
    def _compact(self, handler, info):
        data = handler(self)
        if info.context and info.context.get("evidence") == "offsets" and self.sentence_end is not None:
            data.pop("sentence", None)
        return data


class Person(Frozen):
    name: str
    roles: list[str] = []
    evidence: list[Evidence] = []


class Organization(Frozen):
    name: str
    evidence: list[Evidence] = []


class Location(Frozen):
    name: str
    level: LocationLevel
    evidence: list[Evidence] = []


class Province(Frozen):
    """A province as named at the time of writing, and its name after the July 2025 merger."""

    name: str
    name_2025: str
    evidence: list[Evidence] = []


class LegalDocument(Frozen):
    kind: DocumentKind
    number: str | None = None
    code: str | None = None
    title: str | None = None
    evidence: list[Evidence] = []


class Metric(Frozen):
    action: str
    value: float
    unit: str
    qualifier: Qualifier = "exact"
    level: AdminLevel | None = None
    text: str = ""
    evidence: list[Evidence] = []
    metric_class: MetricClass | None = Field(default=None, description=(
        "The comparable class the unit counts in (common/lexicon/metric_classes.tsv), for the province scoreboard."))
    class_rule: str | None = Field(default=None, description="The rule that decided the class (or that there is none).")
    reduces: bool = Field(default=False, description="The action cuts what it counts (giảm, cắt giảm, tinh giản, …).")


class Topic(Frozen):
    id: TopicId
    evidence: list[Evidence] = []


class Extraction(Frozen):
    """Everything extracted from one article. `clean_text` is what evidence offsets point into."""

    engine_version: str
    title: str | None = None
    published: date | None = None
    source: str | None = None
    authors: list[str] = []
    persons: list[Person] = []
    organizations: list[Organization] = []
    locations: list[Location] = []
    provinces: list[Province] = []
    legal_documents: list[LegalDocument] = []
    metrics: list[Metric] = []
    topics: list[Topic] = []
    clean_text: str = ""
    fingerprint: list[str] = Field(
        default=[], description="Locality-sensitive band keys of the text; near-duplicates share at least one."
    )

    @model_validator(mode="before")
    @classmethod
    def _restore_sentences(cls, data):
        """Evidence that came as offsets (the compact event) gets its sentence back from `clean_text`."""
        if not isinstance(data, dict) or not isinstance(text := data.get("clean_text"), str):
            return data
        restored = dict(data)
        for field in EVIDENCE_FIELDS:
            items = data.get(field)
            if not isinstance(items, list):
                continue
            restored[field] = [_with_sentences(item, text) for item in items]
        return restored


EVIDENCE_FIELDS = ("persons", "organizations", "locations", "provinces", "legal_documents", "metrics", "topics")


def _with_sentences(item, text: str):
    if not isinstance(item, dict) or not isinstance(evidence := item.get("evidence"), list):
        return item
    filled = []
    for ev in evidence:
        if isinstance(ev, dict) and "sentence" not in ev and isinstance(ev.get("sentence_start"), int) \
                and isinstance(ev.get("sentence_end"), int):
            ev = {**ev, "sentence": text[ev["sentence_start"]:ev["sentence_end"]]}
        filled.append(ev)
    return {**item, "evidence": filled}
