"""The events provnews publishes, each in a CloudEvents 1.0 envelope.

Types are versioned in their name (`org.provnews.article.received.v1`): a breaking change is a new
type with an upcaster, an additive one just a new optional field (consumers ignore unknown fields).
Ids are derived from content, so a replay produces the same ids and downstream writes stay idempotent.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import ClassVar, Generic, Literal, TypeVar

from pydantic import ConfigDict, Field

from schemas.extraction import Evidence, Extraction, Frozen, Metric, TopicId

D = TypeVar("D", bound=Frozen)
EVENT_SOURCE = "/provnews"


def derive_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


class CloudEvent(Frozen, Generic[D]):
    """CloudEvents 1.0, structured JSON mode."""

    event_type: ClassVar[str]
    schema_name: ClassVar[str]

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = EVENT_SOURCE
    type: str
    time: datetime
    subject: str | None = None
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    data: D

    @classmethod
    def wrap(cls, data: D, *, subject: str, event_id: str, time: datetime | None = None):
        return cls(
            id=event_id,
            type=cls.event_type,
            time=time or datetime.now(UTC),
            subject=subject,
            dataschema=f"urn:provnews:schema:{cls.schema_name}",
            data=data,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode()


class ReceivedArticle(Frozen):
    article_id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    province_hint: str | None = None
    authors: list[str] = Field(default=[], description="Bylines from the page's metadata, for a page.")
    html: str | None = Field(default=None, description=(
        "The page as it was submitted, for a page: a better extractor can be replayed over it. Within the "
        "article size limit (ingest refuses a larger body), so the event stays under max_event_bytes."))
    received_at: datetime


class ArticleReceived(CloudEvent[ReceivedArticle]):
    event_type: ClassVar[str] = "org.provnews.article.received.v1"
    schema_name: ClassVar[str] = "article.received.v1"
    type: Literal["org.provnews.article.received.v1"] = "org.provnews.article.received.v1"


class ExtractedArticle(Frozen):
    article_id: str
    story_id: str = Field(description="Shared by near-duplicate versions of one story.")
    raw_text: str
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    province_hint: str | None = None
    received_at: datetime
    extraction: Extraction

    @property
    def published(self) -> date | None:
        if self.extraction.published:
            return self.extraction.published
        return self.published_at.date() if self.published_at else None


class ArticleExtracted(CloudEvent[ExtractedArticle]):
    event_type: ClassVar[str] = "org.provnews.article.extracted.v1"
    schema_name: ClassVar[str] = "article.extracted.v1"
    type: Literal["org.provnews.article.extracted.v1"] = "org.provnews.article.extracted.v1"

    def to_bytes(self) -> bytes:
        """Evidence sentences as offsets into the event's own cleaned text: the text is not repeated."""
        return self.model_dump_json(exclude_none=False, context={"evidence": "offsets"}).encode()


class ReformMention(Frozen):
    mention_id: str
    article_id: str
    story_id: str
    kind: Literal["topic", "metric"]
    topic: TopicId | None = None
    metric: Metric | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: date | None = None
    provinces: list[str] = []
    provinces_2025: list[str] = []
    persons: list[str] = []
    documents: list[str] = []
    evidence: list[Evidence] = []


class ReformMentioned(CloudEvent[ReformMention]):
    event_type: ClassVar[str] = "org.provnews.reform.mentioned.v1"
    schema_name: ClassVar[str] = "reform.mentioned.v1"
    type: Literal["org.provnews.reform.mentioned.v1"] = "org.provnews.reform.mentioned.v1"


class DeadLetter(Frozen):
    model_config = ConfigDict(frozen=True, extra="ignore", ser_json_bytes="base64", val_json_bytes="base64")

    stage: Literal["extract", "index", "alerts"]
    error: str = Field(description="The kind of failure, e.g. the exception class or Elasticsearch's error type.")
    reason: str
    original_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    article_id: str | None = None
    original: bytes = Field(description="The message value exactly as it was consumed.")
    failed_at: datetime


class ArticleDeadLettered(CloudEvent[DeadLetter]):
    event_type: ClassVar[str] = "org.provnews.article.deadlettered.v1"
    schema_name: ClassVar[str] = "article.deadlettered.v1"
    type: Literal["org.provnews.article.deadlettered.v1"] = "org.provnews.article.deadlettered.v1"


class AlertMatch(Frozen):
    """What in the article the subscription's filter matched: a reform topic, a metric or a keyword."""

    kind: Literal["topic", "metric", "keyword"]
    mention_id: str | None = Field(default=None, description="The reform.mentions event, for topics and metrics.")
    topic: TopicId | None = None
    metric: Metric | None = None
    keyword: str | None = None
    evidence: list[str] = Field(default=[], description="The sentences it was found in.")


class AlertedArticle(Frozen):
    article_id: str
    story_id: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: date | None = None
    provinces: list[str] = []
    provinces_2025: list[str] = []
    link: str = Field(description="The article in the query API, with everything extracted from it.")
    matches: list[AlertMatch] = []


class ReformAlert(Frozen):
    """One webhook delivery: one article (instant mode) or the articles of one interval (digest mode)."""

    delivery_id: str = Field(description="The same on every attempt and redelivery: receivers drop repeats by it.")
    subscription_id: str
    subscription_name: str
    mode: Literal["instant", "digest"]
    articles: list[AlertedArticle]


class AlertDelivered(CloudEvent[ReformAlert]):
    event_type: ClassVar[str] = "org.provnews.reform.alert.v1"
    schema_name: ClassVar[str] = "reform.alert.v1"
    type: Literal["org.provnews.reform.alert.v1"] = "org.provnews.reform.alert.v1"


EVENT_MODELS: tuple[type[CloudEvent], ...] = (
    ArticleReceived, ArticleExtracted, ReformMentioned, ArticleDeadLettered, AlertDelivered,
)
