"""The storage port the indexer writes through and the query API reads through, its value types, and the
rebuild port `provnews reindex` drives.

Both adapters (sqlite_store, elasticsearch_store) must give the same answers to the same questions; the
in-memory FakeArticleStore of the tests answers the same port (tests/unit/test_store_ports.py checks all three).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import ExtractedArticle

FACETS = ("province", "province_2025", "topic", "person", "organization", "document", "source", "year")
PAGE_SIZE_MAX = 100


class SearchQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    q: str | None = None
    province: list[str] = Field(default=[], description="Named at the time or after the 2025 merger.")
    topic: list[str] = []
    person: list[str] = []
    organization: list[str] = []
    document: list[str] = []
    source: list[str] = []
    year: list[int] = []
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1)
    size: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)
    collapse: bool = Field(default=False, description="One hit per story: near-duplicates from other outlets fold in.")


class Hit(BaseModel):
    id: str
    story_id: str
    title: str | None
    url: str | None
    source: str | None
    published: date | None
    provinces: list[str]
    provinces_2025: list[str]
    topics: list[str]
    snippet: str = Field(description="A passage of the text; matches wrapped in <mark>, the rest HTML-escaped.")
    duplicates: int = Field(default=0, description="With collapse: other matching articles of the same story.")


class Duplicate(BaseModel):
    """Another article of the same story (a near-duplicate, often from another outlet)."""

    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None


class ArticleVersion(BaseModel):
    """One text an article id was posted with: the SQLite store keeps the latest MAX_VERSIONS, Elasticsearch the current."""

    version: int
    received_at: datetime | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    text_sha256: str
    chars: int


class StoredArticle(ExtractedArticle):
    """An article as the store keeps it: its whole extracted event, its story's other articles and its versions."""

    duplicates: list[Duplicate] = Field(default=[], description="Other articles of the story, oldest first.")
    versions: list[ArticleVersion] = Field(default=[], description="Oldest first; the last is the current text.")


class FacetCount(BaseModel):
    value: str
    count: int


class SearchResult(BaseModel):
    total: int = Field(description="Matching articles; with collapse, matching stories.")
    page: int
    size: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]


class Stats(BaseModel):
    articles: int
    by_province: list[FacetCount]
    by_province_2025: list[FacetCount]
    by_topic: list[FacetCount]
    by_month: list[FacetCount]


TimelineSplit = Literal["topic", "province", "province_2025"]


class TimelineSeries(BaseModel):
    value: str
    total: int
    by_month: list[FacetCount] = Field(description="Months (YYYY-MM) in order; those without articles left out.")


class Timeline(BaseModel):
    """Matching articles per month, and per month for each value of one facet.

    An article counts once in `by_month`, and under each of its values in `series`."""

    split: TimelineSplit
    by_month: list[FacetCount]
    series: list[TimelineSeries] = Field(description="Largest total first.")
    undated: int = Field(description="Matching articles without a publication date, not in any month.")


class MetricRow(BaseModel):
    article_id: str
    position: int = Field(description="The metric's index in the article's extraction.metrics.")
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    action: str
    value: float
    unit: str
    qualifier: str
    level: str | None
    provinces: list[str]
    provinces_2025: list[str]
    sentence: str = Field(description="The evidence sentence.")
    story_id: str | None = Field(default=None, description="Shared by near-duplicate versions of one story.")
    metric_class: str | None = Field(default=None, description="The comparable class of the unit (the scoreboard's).")
    reduces: bool = Field(default=False, description="The action cuts what it counts.")


class MetricPage(BaseModel):
    total: int
    page: int
    size: int
    metrics: list[MetricRow]


class Rejected(BaseModel):
    """A document the store refused as malformed: it goes to the dead-letter topic, the stream goes on."""

    article_id: str
    error: str
    reason: str


class StoreUnavailable(Exception):
    """A transient failure: retry later, do not commit offsets."""


class QueryTimedOut(Exception):
    """A read ran over its time budget and was stopped: the client may narrow the query or retry later."""


class ArticleStore(Protocol):
    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        """Upsert by article id; durable when it returns. Raises StoreUnavailable on transient failure."""

    async def search(self, query: SearchQuery) -> SearchResult: ...
    async def get(self, article_id: str) -> StoredArticle | None: ...
    async def stats(self) -> Stats: ...
    async def timeline(self, query: SearchQuery, split: TimelineSplit) -> Timeline:
        """Articles matching the query's filters per month, split by one facet (page and size are ignored)."""

    async def list_metrics(self, query: SearchQuery) -> MetricPage:
        """Reform metrics of the articles matching the query's filters, newest first, paged by page and size."""

    def stream_hits(self, query: SearchQuery, chunk: int = 500) -> AsyncIterator[list[Hit]]:
        """Every hit of search, in its order, without paging (page and size are ignored), `chunk` at a time."""

    def stream_metrics(self, query: SearchQuery, chunk: int = 1000) -> AsyncIterator[list[MetricRow]]:
        """Every row of list_metrics, in its order, without paging, `chunk` at a time."""

    async def refresh(self) -> None:
        """Make what was written visible to searches now (write() already made it durable and readable by get())."""

    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


# -- rebuilding (`provnews reindex`) -------------------------------------------------------------------

class RebuildRefused(Exception):
    """Why a rebuild cannot begin or was not swapped in; the live store is unchanged."""


@dataclass
class KeptArticles:
    """The extracted event every article of the live store keeps (SQLite's `doc` column, Elasticsearch's `doc`
    field), read as a source for a rebuild."""

    where: str
    total: int
    articles: AsyncIterator[ExtractedArticle]


@dataclass
class Swapped:
    """What finishing a rebuild did: articles carried over from the live store, and a line per step."""

    carried_over: int = 0
    notes: list[str] = field(default_factory=list)


# Brings articles the running indexer wrote during the rebuild to the engine the rebuild uses.
Prepare = Callable[[list[ExtractedArticle]], list[ExtractedArticle]]


class StoreRebuild(Protocol):
    """A new copy of a store built next to the live one, then swapped in at once: searches keep answering.

    begin() first, then write() what the sources give (kept_articles() is the store's own), then finish() or,
    on any failure, abort(); close() always."""

    name: str  # what is being built, for the report

    async def begin(self) -> None:
        """Make the empty copy and note how many articles the live store holds."""

    async def kept_articles(self) -> KeptArticles:
        """The live store's own copy of every article. Raises RebuildRefused where there is no live store."""

    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        """Into the copy, not the live store."""

    async def finish(self, *, since: datetime, prepare: Prepare, allow_fewer: bool) -> Swapped:
        """Verify the copy holds at least as many articles as the live store did (unless allow_fewer), swap it in
        atomically, and carry over what the live store was given since `since`, through `prepare`.
        Raises RebuildRefused, leaving the live store as it was, when the counts say no."""

    async def abort(self) -> None:
        """Drop the copy; the live store is untouched (once swapped in, the copy is the live store and stays)."""

    async def close(self) -> None: ...


class RebuildableStore(ArticleStore, Protocol):
    def rebuild(self, *, delete_old: bool = False) -> StoreRebuild:
        """A rebuild of this store. delete_old: after the swap, delete the previous copy where the store keeps one."""
