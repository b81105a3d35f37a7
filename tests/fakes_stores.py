"""In-memory fakes of the ports, for handler tests (cosmicpython's FakeRepository): the whole ArticleStore over
dicts, and the ingest app's Publisher over a list. They answer the questions the real adapters answer, in the
same shapes; search is a plain filter and sort, not a ranking, so tests of relevance belong to the adapters."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Sequence

from common.stores.ports import (
    FACETS,
    FacetCount,
    Hit,
    MetricPage,
    MetricRow,
    Rejected,
    SearchQuery,
    SearchResult,
    Stats,
    StoredArticle,
    StoreUnavailable,
    Timeline,
    TimelineSeries,
    TimelineSplit,
)
from common.stores.search_layout import facet_values, fold, query_terms, snippet, version_of
from schemas.events import ExtractedArticle
from services.ingest.publisher import BrokerUnavailable


class FakeArticleStore:
    """Articles in a dict by id. `refuse` maps an article id to the reason a write rejects it as malformed;
    `unavailable` is how many calls from now raise StoreUnavailable (the next writes, or any read)."""

    def __init__(self, articles: Sequence[ExtractedArticle] = (), *, refuse: dict[str, str] | None = None,
                 unavailable: int = 0):
        self.articles: dict[str, ExtractedArticle] = {a.article_id: a for a in articles}
        self.refuse = dict(refuse or {})
        self.unavailable = unavailable
        self.writes: list[list[str]] = []  # the ids of every write that went through, in order
        self.closed = False

    def _check(self) -> None:
        if self.unavailable:
            self.unavailable -= 1
            raise StoreUnavailable("the fake store is down")

    # -- writing ---------------------------------------------------------------------------------
    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        self._check()
        rejected = [Rejected(article_id=a.article_id, error="refused", reason=self.refuse[a.article_id])
                    for a in articles if a.article_id in self.refuse]
        for article in articles:
            if article.article_id not in self.refuse:
                self.articles[article.article_id] = article
        self.writes.append([a.article_id for a in articles])
        return rejected

    # -- reading ---------------------------------------------------------------------------------
    def _matching(self, query: SearchQuery) -> list[ExtractedArticle]:
        """The articles the query's text and filters select, newest first (as the adapters order them without q)."""
        found = [a for a in self.articles.values() if _matches(a, query)]
        found.sort(key=lambda a: a.article_id)
        found.sort(key=lambda a: a.received_at, reverse=True)
        found.sort(key=lambda a: (a.published is None, -(a.published.toordinal() if a.published else 0)))
        return found

    async def search(self, query: SearchQuery) -> SearchResult:
        self._check()
        matching = self._matching(query)
        terms = query_terms(query.q) if query.q else []
        if query.collapse:
            stories = Counter(a.story_id for a in matching)
            firsts = {a.story_id: a for a in reversed(matching)}
            listed = [(a, stories[a.story_id] - 1) for a in matching if firsts[a.story_id] is a]
        else:
            listed = [(a, 0) for a in matching]
        start = (query.page - 1) * query.size
        hits = [_hit(a, terms, duplicates) for a, duplicates in listed[start:start + query.size]]
        counts = {facet: Counter(v for a in matching for v in facet_values(a)[facet]) for facet in FACETS}
        facets = {facet: _ranked(counts[facet])[:20] for facet in FACETS}
        return SearchResult(total=len(listed), page=query.page, size=query.size, hits=hits, facets=facets)

    async def get(self, article_id: str) -> StoredArticle | None:
        self._check()
        article = self.articles.get(article_id)
        if article is None:
            return None
        others = sorted((a for a in self.articles.values()
                         if a.story_id == article.story_id and a.article_id != article_id),
                        key=lambda a: (a.published is not None, a.published or 0, a.article_id))
        doc = json.loads(article.model_dump_json())
        return StoredArticle.model_validate({**doc, "versions": [version_of(doc)], "duplicates": [
            {"id": a.article_id, "title": a.extraction.title, "source": a.source, "url": a.url,
             "published": a.published} for a in others]})

    async def stats(self) -> Stats:
        self._check()
        articles = list(self.articles.values())
        counts = {facet: Counter(v for a in articles for v in facet_values(a)[facet])
                  for facet in ("province", "province_2025", "topic")}
        return Stats(articles=len(articles), by_province=_ranked(counts["province"]),
                     by_province_2025=_ranked(counts["province_2025"]), by_topic=_ranked(counts["topic"]),
                     by_month=_months(articles))

    async def timeline(self, query: SearchQuery, split: TimelineSplit) -> Timeline:
        self._check()
        matching = self._matching(query)
        dated = [a for a in matching if a.published]
        values = sorted({v for a in dated for v in facet_values(a)[split]})
        series = [TimelineSeries(value=v, total=len(of_v), by_month=_months(of_v))
                  for v in values if (of_v := [a for a in dated if v in facet_values(a)[split]])]
        series.sort(key=lambda s: (-s.total, s.value))
        return Timeline(split=split, by_month=_months(dated), series=series, undated=len(matching) - len(dated))

    async def list_metrics(self, query: SearchQuery) -> MetricPage:
        self._check()
        rows = [row for a in self._matching(query) for row in _metric_rows(a)]
        start = (query.page - 1) * query.size
        return MetricPage(total=len(rows), page=query.page, size=query.size, metrics=rows[start:start + query.size])

    async def stream_hits(self, query: SearchQuery, chunk: int = 500) -> AsyncIterator[list[Hit]]:
        everything = await self.search(query.model_copy(update={"page": 1, "size": max(len(self.articles), 1)}))
        for start in range(0, len(everything.hits), chunk):
            yield everything.hits[start:start + chunk]

    async def stream_metrics(self, query: SearchQuery, chunk: int = 1000) -> AsyncIterator[list[MetricRow]]:
        rows = [row for a in self._matching(query) for row in _metric_rows(a)]
        for start in range(0, len(rows), chunk):
            yield rows[start:start + chunk]

    async def refresh(self) -> None:
        """Nothing to do: what was written is visible at once."""

    async def ping(self) -> bool:
        return not self.closed and not self.unavailable

    async def close(self) -> None:
        self.closed = True


def _matches(article: ExtractedArticle, query: SearchQuery) -> bool:
    facets = facet_values(article)
    wanted = {"topic": query.topic, "person": query.person, "organization": query.organization,
              "document": query.document, "source": query.source, "year": [str(y) for y in query.year]}
    if any(values and not set(values) & set(facets[facet]) for facet, values in wanted.items()):
        return False
    if query.province and not set(query.province) & set(facets["province"] + facets["province_2025"]):
        return False
    published = article.published
    if (query.date_from or query.date_to) and published is None:
        return False
    if (query.date_from and published < query.date_from) or (query.date_to and published > query.date_to):
        return False
    words = set(query_terms(fold(f"{article.extraction.title or ''} {article.extraction.clean_text or article.raw_text}")))
    return all(fold(term) in words for term in (query_terms(query.q) if query.q else []))


def _hit(article: ExtractedArticle, terms: list[str], duplicates: int) -> Hit:
    facets = facet_values(article)
    return Hit(id=article.article_id, story_id=article.story_id, title=article.extraction.title, url=article.url,
               source=article.source, published=article.published, provinces=facets["province"],
               provinces_2025=facets["province_2025"], topics=facets["topic"],
               snippet=snippet(article.extraction.clean_text or article.raw_text, terms), duplicates=duplicates)


def _ranked(counts: Counter) -> list[FacetCount]:
    return [FacetCount(value=v, count=n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _months(articles: Sequence[ExtractedArticle]) -> list[FacetCount]:
    months = Counter(a.published.strftime("%Y-%m") for a in articles if a.published)
    return [FacetCount(value=m, count=n) for m, n in sorted(months.items())]


def _metric_rows(article: ExtractedArticle) -> list[MetricRow]:
    facets = facet_values(article)
    return [MetricRow(article_id=article.article_id, position=i, title=article.extraction.title, source=article.source,
                      url=article.url, published=article.published, action=m.action, value=m.value, unit=m.unit,
                      qualifier=m.qualifier, level=m.level, provinces=facets["province"],
                      provinces_2025=facets["province_2025"],
                      sentence=m.evidence[0].sentence if m.evidence else m.text, story_id=article.story_id,
                      metric_class=m.metric_class, reduces=m.reduces)
            for i, m in enumerate(article.extraction.metrics)]


class FakePublisher:
    """The ingest app's Publisher over a list: every acknowledged record, at offsets counted per topic.
    `down` makes publish raise BrokerUnavailable (nothing sent) and ping answer False."""

    def __init__(self, *, down: bool = False):
        self.down = down
        self.sent: list[tuple[str, bytes, bytes]] = []
        self.closed = False

    async def publish(self, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
        if self.down:
            raise BrokerUnavailable("the fake broker is down")
        offset = sum(1 for t, _, _ in self.sent if t == topic)
        self.sent.append((topic, key, value))
        return 0, offset

    async def ping(self) -> bool:
        return not self.down

    async def close(self) -> None:
        self.closed = True
