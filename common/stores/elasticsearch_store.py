"""The production store: three Elasticsearch indices behind aliases, answering exactly as SqliteStore does.

`provnews-articles` holds one document per article (title and text analysed folded and exact, facets as
keywords, persons and metrics nested, and the whole extracted event in `doc`); `provnews-metrics` and
`provnews-mentions` hold one flat document per metric and per reform mention, because Kibana cannot
aggregate nested fields. Each alias points at one versioned index (`provnews-articles-v1`, …) made from
the composable templates in deploy/elasticsearch/; `provnews reindex` builds the next version and swaps.

Writes are versioned by the article's `received_at` (external_gte), so a replay of the same event rewrites
the same documents and a replay of an older one loses a version conflict, which counts as success.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, AsyncElasticsearch
from elasticsearch import __versionstr__ as client_version
from elasticsearch.helpers import async_scan, async_streaming_bulk

from common.elastic import SUPPORTED, unsupported
from common.logs import get_logger
from common.mentions import reform_mentions
from common.settings import Settings
from common.stores.ports import (
    FACETS,
    FacetCount,
    Hit,
    KeptArticles,
    MetricPage,
    MetricRow,
    Prepare,
    QueryTimedOut,
    RebuildRefused,
    Rejected,
    SearchQuery,
    SearchResult,
    Stats,
    StoredArticle,
    StoreUnavailable,
    Swapped,
    Timeline,
    TimelineSeries,
    TimelineSplit,
)
from common.stores.search_layout import facet_values, has_diacritics, query_terms, snippet, version_of
from schemas.events import ExtractedArticle

log = get_logger(__name__)

KINDS = ("articles", "metrics", "mentions")
FACET_LIMIT = 20
STATS_LIMIT = 10_000
METRICS_WALK = 500  # articles per request while paging through metrics
# Elasticsearch refuses these documents as malformed: retrying cannot help, so they go to the dead-letter topic.
MALFORMED = frozenset({
    "mapper_parsing_exception", "strict_dynamic_mapping_exception", "document_parsing_exception",
    "illegal_argument_exception", "action_request_validation_exception",
})
RETRY_STATUS = (429, 502, 503, 504)
FACET_FIELDS = {
    "province": "provinces", "province_2025": "provinces_2025", "topic": "topics", "person": "person_names",
    "organization": "organizations", "document": "documents", "source": "source", "year": "year",
}
_VERSIONED = re.compile(r"-v(\d+)$")
REBUILD_BATCH = 200  # documents per scroll page and per bulk write while rebuilding
# The indexer's clock is another host's, and a write stamped just before the rebuild started may land after it
# read: carrying over a margin more costs a few idempotent rewrites.
REBUILD_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class IndexNames:
    """Where each kind of document goes: the aliases, or (while reindexing) concrete index versions."""

    articles: str
    metrics: str
    mentions: str

    @classmethod
    def aliases(cls, prefix: str) -> IndexNames:
        return cls(*(f"{prefix}-{kind}" for kind in KINDS))

    def version(self, n: int) -> IndexNames:
        return IndexNames(*(f"{name}-v{n}" for name in self.all()))

    def all(self) -> tuple[str, str, str]:
        return self.articles, self.metrics, self.mentions


class ElasticsearchRefused(RuntimeError):
    """The cluster answered, but provnews cannot use it: waiting longer will not help."""


def index_version(name: str) -> int | None:
    match = _VERSIONED.search(name)
    return int(match.group(1)) if match else None


# -- templates ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    kind: Literal["component", "index"]
    name: str
    body: dict


def templates_dir(settings: Settings) -> Path:
    """deploy/elasticsearch/: PROVNEWS_DEPLOY_DIR in the image, else next to the source in a checkout."""
    base = settings.deploy_dir or Path(__file__).resolve().parents[2] / "deploy"
    return base / "elasticsearch"


def load_templates(directory: Path, prefix: str = "provnews") -> list[Template]:
    """Component templates first (index templates are composed of them), names re-prefixed if needed."""
    templates = []
    for kind, suffix in (("component", ".component-template.json"), ("index", ".index-template.json")):
        for path in sorted(directory.glob(f"*{suffix}")):
            body = json.loads(path.read_text(encoding="utf-8"))
            name = _reprefix(path.name.removesuffix(suffix), prefix)
            if kind == "index":
                body["index_patterns"] = [_reprefix(p, prefix) for p in body["index_patterns"]]
                body["composed_of"] = [_reprefix(c, prefix) for c in body.get("composed_of", [])]
                if "alias" in body.get("_meta", {}):
                    body["_meta"]["alias"] = _reprefix(body["_meta"]["alias"], prefix)
            templates.append(Template(kind, name, body))  # type: ignore[arg-type]
    if not templates:
        raise FileNotFoundError(f"no index templates in {directory}; set PROVNEWS_DEPLOY_DIR to the deploy/ folder")
    return templates


def _reprefix(name: str, prefix: str) -> str:
    return prefix + name.removeprefix("provnews") if name.startswith("provnews") else name


def mapping_versions(templates: Iterable[Template]) -> dict[str, int]:
    """alias -> the mapping version its template would create."""
    return {t.body["_meta"]["alias"]: t.body["template"]["mappings"]["_meta"]["mapping_version"]
            for t in templates if t.kind == "index"}


# -- documents ---------------------------------------------------------------------------------------

def doc_version(article: ExtractedArticle) -> int:
    """The external version of every document of an article: when it was received, in microseconds."""
    return int(article.received_at.timestamp() * 1_000_000)


def article_document(article: ExtractedArticle, *, indexed_at: datetime, derived: dict[str, list[str]]) -> dict:
    ex = article.extraction
    facets = facet_values(article)
    published = article.published
    return {
        "id": article.article_id,
        "story_id": article.story_id,
        "title": ex.title,
        "text": ex.clean_text or article.raw_text,
        "url": article.url,
        "source": article.source,
        "authors": list(ex.authors),
        "published": published.isoformat() if published else None,
        "year": facets["year"][0] if facets["year"] else None,
        "received_at": article.received_at.isoformat(),
        "indexed_at": indexed_at.isoformat(),
        "engine_version": ex.engine_version,
        "provinces": facets["province"],
        "provinces_2025": facets["province_2025"],
        "topics": facets["topic"],
        "person_names": facets["person"],
        "organizations": facets["organization"],
        "documents": facets["document"],
        "persons": [{"name": p.name, "roles": list(p.roles)} for p in ex.persons],
        "metrics": [{"action": m.action, "value": m.value, "unit": m.unit, "qualifier": m.qualifier, "level": m.level}
                    for m in ex.metrics],
        "derived_ids": derived,
        "doc": json.loads(article.model_dump_json()),
    }


def metric_documents(article: ExtractedArticle, *, indexed_at: datetime) -> list[tuple[str, dict]]:
    ex = article.extraction
    facets = facet_values(article)
    published = article.published
    return [
        (f"{article.article_id}-m{i}", {
            "article_id": article.article_id,
            "story_id": article.story_id,
            "position": i,
            "title": ex.title,
            "url": article.url,
            "source": article.source,
            "published": published.isoformat() if published else None,
            "received_at": article.received_at.isoformat(),
            "province": facets["province"],
            "province_2025": facets["province_2025"],
            "action": m.action,
            "value": m.value,
            "unit": m.unit,
            "qualifier": m.qualifier,
            "level": m.level,
            "metric_class": m.metric_class,
            "class_rule": m.class_rule,
            "reduces": m.reduces,
            "phrase": m.text or None,
            "evidence": m.evidence[0].sentence if m.evidence else m.text,
            "indexed_at": indexed_at.isoformat(),
        })
        for i, m in enumerate(ex.metrics)
    ]


def mention_documents(article: ExtractedArticle, *, indexed_at: datetime) -> list[tuple[str, dict]]:
    return [
        (m.mention_id, {
            "mention_id": m.mention_id,
            "article_id": m.article_id,
            "story_id": m.story_id,
            "kind": m.kind,
            "topic": m.topic,
            "action": m.metric.action if m.metric else None,
            "value": m.metric.value if m.metric else None,
            "unit": m.metric.unit if m.metric else None,
            "title": m.title,
            "url": m.url,
            "source": m.source,
            "published": m.published.isoformat() if m.published else None,
            "received_at": article.received_at.isoformat(),
            "province": m.provinces,
            "province_2025": m.provinces_2025,
            "persons": m.persons,
            "documents": m.documents,
            "evidence": m.evidence[0].sentence if m.evidence else None,
            "indexed_at": indexed_at.isoformat(),
        })
        for m in reform_mentions(article)
    ]


def bulk_actions(article: ExtractedArticle, names: IndexNames, *, indexed_at: datetime,
                 stale: dict[str, Iterable[str]] | None = None) -> list[dict]:
    """Every bulk action for one article: its document, its metrics and mentions, and deletes for the
    metric and mention documents an earlier version of the article had and this one no longer has."""
    metrics = metric_documents(article, indexed_at=indexed_at)
    mentions = mention_documents(article, indexed_at=indexed_at)
    derived = {"metrics": [i for i, _ in metrics], "mentions": [i for i, _ in mentions]}
    version = {"version": doc_version(article), "version_type": "external_gte"}
    actions = [{"_op_type": "index", "_index": names.articles, "_id": article.article_id, **version,
                "_source": article_document(article, indexed_at=indexed_at, derived=derived)}]
    for index, docs in ((names.metrics, metrics), (names.mentions, mentions)):
        actions += [{"_op_type": "index", "_index": index, "_id": doc_id, **version, "_source": body}
                    for doc_id, body in docs]
    for kind, index in (("metrics", names.metrics), ("mentions", names.mentions)):
        gone = sorted(set((stale or {}).get(kind, ())) - set(derived[kind]))
        actions += [{"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in gone]
    return actions


# -- queries -----------------------------------------------------------------------------------------

def search_request(query: SearchQuery) -> dict:
    """The same question SqliteStore answers: AND across filters, OR within one, words folded unless accented."""
    must: list[dict] = []
    filters: list[dict] = []
    terms = query_terms(query.q) if query.q else []
    if terms:
        fields = ["title.exact^10", "text.exact"] if has_diacritics(query.q or "") else ["title^10", "text"]
        must.append({"multi_match": {"query": " ".join(terms), "type": "cross_fields", "operator": "and",
                                     "fields": fields}})
    for facet, values in (("topic", query.topic), ("person", query.person), ("organization", query.organization),
                          ("document", query.document), ("source", query.source),
                          ("year", [str(y) for y in query.year])):
        if values:
            filters.append({"terms": {FACET_FIELDS[facet]: list(values)}})
    if query.province:
        filters.append({"bool": {"should": [{"terms": {"provinces": list(query.province)}},
                                            {"terms": {"provinces_2025": list(query.province)}}],
                                 "minimum_should_match": 1}})
    if query.date_from or query.date_to:
        bounds = {}
        if query.date_from:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to:
            bounds["lte"] = query.date_to.isoformat()
        filters.append({"range": {"published": bounds}})
    newest = {"published": {"order": "desc", "missing": "_last"}}
    sort = ([{"_score": "desc"}, newest, {"id": "asc"}] if terms
            else [newest, {"received_at": "desc"}, {"id": "asc"}])
    request = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "sort": sort,
        "from_": (query.page - 1) * query.size,
        "size": query.size,
        "track_total_hits": True,
        "source_includes": ["id", "story_id", "title", "url", "source", "published", "provinces", "provinces_2025",
                            "topics", "text"],
        "aggs": {facet: _terms(FACET_FIELDS[facet], FACET_LIMIT) for facet in FACETS},
    }
    if query.collapse:
        # One hit per story; the inner hits' total says how many articles the story has among the matches.
        request["collapse"] = {"field": "story_id", "inner_hits": {"name": "story", "size": 0}}
        request["aggs"]["stories"] = {"cardinality": {"field": "story_id", "precision_threshold": 40000}}
    return request


def _terms(field: str, size: int) -> dict:
    # Ties by value, as SQLite orders them (both compare UTF-8 bytes). One shard, so the counts are exact.
    return {"terms": {"field": field, "size": size, "order": [{"_count": "desc"}, {"_key": "asc"}]}}


def _hit(source: dict, terms: list[str], duplicates: int = 0) -> Hit:
    return Hit(id=source["id"], story_id=source["story_id"], title=source.get("title"), url=source.get("url"),
               source=source.get("source"), published=source.get("published"),
               provinces=source.get("provinces") or [], provinces_2025=source.get("provinces_2025") or [],
               topics=source.get("topics") or [], snippet=snippet(source.get("text") or "", terms),
               duplicates=duplicates)


def _story_size(hit: dict) -> int:
    return hit.get("inner_hits", {}).get("story", {}).get("hits", {}).get("total", {}).get("value", 1)


def _buckets(aggregations: dict, name: str, key: str = "key") -> list[FacetCount]:
    return [FacetCount(value=str(b[key]), count=b["doc_count"]) for b in aggregations[name]["buckets"]]


def item_reason(error: dict | str) -> str:
    """Elasticsearch's reason for refusing a document, with the causes it gives."""
    if isinstance(error, str):
        return error
    parts, seen = [], 0
    while error and seen < 5:
        parts.append(f"{error.get('type', 'error')}: {error.get('reason', '')}".strip())
        error, seen = error.get("caused_by"), seen + 1
    return "; caused by ".join(parts)


# -- the adapter -------------------------------------------------------------------------------------

def client_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = dict(
        hosts=[settings.es_url], request_timeout=settings.es_request_timeout_s,
        max_retries=3, retry_on_timeout=True, retry_on_status=RETRY_STATUS,
    )
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username:
        options["basic_auth"] = (settings.es_username,
                                 settings.es_password.get_secret_value() if settings.es_password else "")
    if settings.es_ca_cert:
        options["ca_certs"] = str(settings.es_ca_cert)
    return options


class ElasticsearchStore:
    """The ArticleStore on Elasticsearch. One client per event loop, made on first use, closed by close()."""

    def __init__(self, settings: Settings, *, targets: IndexNames | None = None, wait_for_refresh: bool = True,
                 connect: Callable[[], AsyncElasticsearch] | None = None):
        self.settings = settings
        self.aliases = IndexNames.aliases(settings.es_index_prefix)
        # Writing to the aliases (the services) or to concrete new index versions (reindex).
        self.targets = targets or self.aliases
        self.wait_for_refresh = wait_for_refresh
        self._connect = connect or (lambda: AsyncElasticsearch(**client_options(settings)))
        self._client: AsyncElasticsearch | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = targets is not None  # concrete targets are created by whoever chose them
        self.bulk_retries = 3  # per refused item (429, 502-504), before write() says StoreUnavailable
        self.bulk_backoff_s = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchStore:
        return cls(settings)

    @property
    def client(self) -> AsyncElasticsearch:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # aiohttp sessions belong to the loop they were made on; a store used from a new loop gets a new client.
            self._client, self._loop = self._connect(), loop
        return self._client

    async def close(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.close()
        self._client = self._loop = None

    async def refresh(self) -> None:
        await self.client.indices.refresh(index=",".join(self.targets.all()))

    # -- setup -----------------------------------------------------------------------------------
    async def setup(self) -> list[str]:
        """Apply the templates, and create version 1 of each index with its alias where the alias is missing.

        Idempotent; says what it did, and which live indices have an older mapping than their template
        (a mapping or analyzer change needs `provnews reindex`, which builds the next version)."""
        client = self.client
        templates = load_templates(templates_dir(self.settings), self.settings.es_index_prefix)
        done = []
        for t in templates:
            if t.kind == "component":
                await client.cluster.put_component_template(name=t.name, body=t.body)
            else:
                await client.indices.put_index_template(name=t.name, body=t.body)
            done.append(f"template {t.name} (version {t.body.get('version')})")
        wanted = mapping_versions(templates)
        template_mappings = {t.body["_meta"]["alias"]: t.body["template"]["mappings"]
                             for t in templates if t.kind == "index"}
        for alias in self.aliases.all():
            if await client.indices.exists_alias(name=alias):
                current = await self.live_indices(alias)
                mappings = await client.indices.get_mapping(index=alias)
                for index in current:
                    have = mappings[index]["mappings"].get("_meta", {}).get("mapping_version")
                    if have == wanted.get(alias):
                        continue
                    newer = isinstance(have, int) and have < wanted[alias]
                    if newer and await self._add_fields(index, template_mappings[alias]):
                        done.append(f"{index}: mapping version {have} -> {wanted[alias]} (new fields added; "
                                    "documents indexed before lack them until `provnews reindex`)")
                    else:
                        done.append(f"warning: {index} has mapping version {have}, the template {wanted.get(alias)}: "
                                    "run `provnews reindex`")
                done.append(f"alias {alias} -> {', '.join(current)}")
                continue
            if await client.indices.exists(index=alias):
                raise RuntimeError(f"{alias} is an index, not an alias: it was created without the templates; "
                                   "delete it (or reindex it elsewhere) and run `provnews setup` again")
            index = f"{alias}-v1"
            try:
                await client.indices.create(index=index, aliases={alias: {}})
            except ApiError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
            done.append(f"created {index} behind alias {alias}")
        self._ready = True
        return done

    async def _add_fields(self, index: str, mappings: dict) -> bool:
        """Bring a live index up to its template's mapping where that only adds fields (Elasticsearch refuses
        to change an existing field in place), so documents of the new shape are not refused by `strict`."""
        try:
            await self.client.indices.put_mapping(index=index, properties=mappings["properties"],
                                                  dynamic=mappings["dynamic"], meta=mappings["_meta"])
        except ApiError as exc:
            log.info("elasticsearch.mapping_not_extended", index=index, reason=str(exc)[:300])
            return False
        return True

    async def wait_until_reachable(self, timeout_s: float, poll_s: float = 2.0) -> str:
        """Until the cluster answers, then its version number, which must be one provnews supports.

        No answer, a timeout or a 5xx is waited out; any other refusal (this client's API version, the
        credentials) cannot change by waiting and raises ElasticsearchRefused at once, with the reason."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            try:
                info = await self.client.info()
            except TransportError as exc:
                last = str(exc) or type(exc).__name__
            except ApiError as exc:
                if not isinstance(exc.status_code, int) or exc.status_code < 500:
                    raise ElasticsearchRefused(self._refusal(exc)) from exc
                last = f"HTTP {exc.status_code} {exc.message}"
            else:
                number = str((info.body.get("version") or {}).get("number", ""))
                if problem := unsupported("Elasticsearch", number):
                    raise ElasticsearchRefused(f"{problem} (at {self.settings.es_url})")
                return number
            if loop.time() > deadline:
                raise TimeoutError(f"Elasticsearch at {self.settings.es_url} did not answer within "
                                   f"{timeout_s:.0f}s ({last})")
            await asyncio.sleep(poll_s)

    def _refusal(self, exc: ApiError) -> str:
        error = exc.body.get("error") if isinstance(exc.body, dict) else None
        reason = item_reason(error) if error else str(exc.body or exc.message)
        where = f"Elasticsearch at {self.settings.es_url}"
        if exc.message == "media_type_header_exception":
            return (f"{where} refused the API version of this client (elasticsearch-py {client_version}, "
                    f"which asks for compatible-with={client_version.split('.')[0]}): a version mismatch; "
                    f"provnews supports Elasticsearch {SUPPORTED}. The cluster said: {reason}")
        return f"{where} refused the request (HTTP {exc.status_code}): {reason}"

    def rebuild(self, *, delete_old: bool = False) -> ElasticsearchRebuild:
        """The next index versions, built beside the live ones; the three aliases move to them in one request."""
        return ElasticsearchRebuild(self, delete_old=delete_old)

    async def live_indices(self, alias: str) -> list[str]:
        return sorted((await self.client.indices.get_alias(name=alias)).body)

    async def _ensure_ready(self) -> None:
        if self._ready:
            return
        exists = [bool(await self.client.indices.exists_alias(name=alias)) for alias in self.aliases.all()]
        if not all(exists):
            for line in await self.setup():
                log.info("elasticsearch.setup", step=line)
        self._ready = True

    # -- writing ---------------------------------------------------------------------------------
    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        latest = {a.article_id: a for a in articles}  # a batch may hold the same article twice: the later wins
        if not latest:
            return []
        try:
            await self._ensure_ready()
            stored = await self._stored_versions(list(latest))
            return await self._bulk(latest, stored)
        except (ApiError, TransportError) as exc:
            raise StoreUnavailable(f"elasticsearch: {exc}") from exc

    async def _stored_versions(self, ids: list[str]) -> dict[str, tuple[int, dict]]:
        """What the articles index holds for these ids now (real-time): version and derived document ids."""
        response = await self.client.mget(index=self.targets.articles, ids=ids, source_includes=["derived_ids"])
        return {d["_id"]: (d.get("_version", 0), d.get("_source", {}).get("derived_ids") or {})
                for d in response["docs"] if d.get("found")}

    async def _bulk(self, latest: dict[str, ExtractedArticle], stored: dict[str, tuple[int, dict]]) -> list[Rejected]:
        now = datetime.now(UTC)
        actions, owner = [], {}
        for article_id, article in latest.items():
            version, derived = stored.get(article_id, (0, {}))
            if version > doc_version(article):
                log.info("article.replay_skipped", article_id=article_id, stored_version=version,
                         version=doc_version(article))
                continue
            for action in bulk_actions(article, self.targets, indexed_at=now, stale=derived):
                owner[(action["_index"], action["_id"])] = article_id
                actions.append(action)
        rejected: dict[str, Rejected] = {}
        transient: list[str] = []
        failed: dict[str, tuple[int, str, str]] = {}
        async for ok, item in async_streaming_bulk(
            self.client, actions, chunk_size=self.settings.es_bulk_chunk_size,
            max_chunk_bytes=self.settings.es_bulk_max_bytes, raise_on_error=False, raise_on_exception=True,
            max_retries=self.bulk_retries, initial_backoff=self.bulk_backoff_s, max_backoff=8, retry_on_status=RETRY_STATUS,
            refresh="wait_for" if self.wait_for_refresh else False, require_alias=self.targets == self.aliases,
        ):
            if ok:
                continue
            op, info = next(iter(item.items()))
            status, error = info.get("status", 500), info.get("error") or {}
            error_type = error.get("type", "") if isinstance(error, dict) else ""
            article_id = owner.get((_requested_index(info, self.targets), info.get("_id")), info.get("_id"))
            if op == "delete" and status == 404:
                continue  # already gone
            if status == 409 and error_type == "version_conflict_engine_exception":
                log.info("article.replay_skipped", article_id=article_id, reason=item_reason(error))
                continue
            if error_type in MALFORMED and status < 500:
                reason = f"[{info.get('_index')}] {item_reason(error)}"
                log.warning("article.rejected", article_id=article_id, error=error_type, reason=reason[:300])
                rejected.setdefault(article_id, Rejected(article_id=article_id, error=error_type, reason=reason))
                continue
            transient.append(f"{status} {error_type or item_reason(error)}")
            failed.setdefault(article_id, (status, error_type, item_reason(error)[:300]))
        for article_id, (status, error_type, reason) in failed.items():
            log.warning("elasticsearch.write_failed", article_id=article_id, status=status, error=error_type, reason=reason)
        if transient:
            # Everything else that failed can succeed later: the caller retries the whole batch, idempotently.
            raise StoreUnavailable(f"{len(transient)} bulk item(s) failed: {', '.join(sorted(set(transient))[:5])}")
        return list(rejected.values())

    # -- reading ---------------------------------------------------------------------------------
    async def search(self, query: SearchQuery) -> SearchResult:
        request = search_request(query)
        terms = query_terms(query.q) if query.q else []
        response = await self._read(self.client.search, index=self.aliases.articles, **request)
        facets = {facet: _buckets(response["aggregations"], facet) for facet in FACETS}
        hits = [_hit(h["_source"], terms, _story_size(h) - 1 if query.collapse else 0)
                for h in response["hits"]["hits"]]
        total = (response["aggregations"]["stories"]["value"] if query.collapse
                 else response["hits"]["total"]["value"])
        return SearchResult(total=total, page=query.page, size=query.size, hits=hits, facets=facets)

    async def get(self, article_id: str) -> StoredArticle | None:
        # GET is real-time, like SQLite: an article is readable as soon as its write returned.
        response = (await self._read(self.client.options(ignore_status=404).get, index=self.aliases.articles,
                                     id=article_id, source_includes=["doc"])).body
        if not response.get("found"):
            if response.get("error"):  # the index itself is missing, not the article
                raise StoreUnavailable(f"elasticsearch: {item_reason(response['error'])}")
            return None
        doc = response["_source"]["doc"]
        duplicates = await self._read(
            self.client.search, index=self.aliases.articles, size=STATS_LIMIT,
            query={"bool": {"filter": [{"term": {"story_id": doc["story_id"]}}],
                            "must_not": [{"ids": {"values": [article_id]}}]}},
            sort=[{"published": {"order": "asc", "missing": "_first"}}, {"id": "asc"}],
            source_includes=["id", "title", "source", "url", "published"],
        )
        return StoredArticle.model_validate({**doc, "duplicates": [
            {key: h["_source"].get(key) for key in ("id", "title", "source", "url", "published")}
            for h in duplicates["hits"]["hits"]
        ], "versions": [version_of(doc)]})  # earlier versions are kept by the SQLite store only, so far

    async def stats(self) -> Stats:
        response = await self._read(
            self.client.search, index=self.aliases.articles, size=0, track_total_hits=True,
            aggs={
                "province": _terms("provinces", STATS_LIMIT),
                "province_2025": _terms("provinces_2025", STATS_LIMIT),
                "topic": _terms("topics", STATS_LIMIT),
                "month": {"date_histogram": {"field": "published", "calendar_interval": "month", "format": "yyyy-MM",
                                             "min_doc_count": 1, "order": {"_key": "asc"}}},
            },
        )
        aggregations = response["aggregations"]
        return Stats(articles=response["hits"]["total"]["value"], by_province=_buckets(aggregations, "province"),
                     by_province_2025=_buckets(aggregations, "province_2025"),
                     by_topic=_buckets(aggregations, "topic"), by_month=_buckets(aggregations, "month", "key_as_string"))

    # -- the explorer: a timeline and the metrics for the current filter -------------------------------
    async def timeline(self, query: SearchQuery, split: TimelineSplit) -> Timeline:
        month = {"date_histogram": {"field": "published", "calendar_interval": "month", "format": "yyyy-MM",
                                    "min_doc_count": 1, "order": {"_key": "asc"}}}
        response = await self._read(
            self.client.search, index=self.aliases.articles, query=search_request(query)["query"], size=0,
            aggs={"month": month, "undated": {"missing": {"field": "published"}},
                  # Series count dated articles only, as their months do; ranked by that count, then by value.
                  "dated": {"filter": {"exists": {"field": "published"}},
                            "aggs": {"series": {**_terms(FACET_FIELDS[split], STATS_LIMIT), "aggs": {"month": month}}}}},
        )
        aggregations = response["aggregations"]
        series = [TimelineSeries(value=b["key"], total=b["doc_count"], by_month=_buckets(b, "month", "key_as_string"))
                  for b in aggregations["dated"]["series"]["buckets"]]
        return Timeline(split=split, by_month=_buckets(aggregations, "month", "key_as_string"), series=series,
                        undated=aggregations["undated"]["doc_count"])

    async def list_metrics(self, query: SearchQuery) -> MetricPage:
        """Walks the matching articles newest first (as SQLite orders metrics) and pages through their metrics."""
        matching = search_request(query)["query"]
        counted = await self._read(self.client.search, index=self.aliases.articles, query=matching, size=0,
                                   aggs={"metrics": {"nested": {"path": "metrics"}}})
        with_metrics = {"bool": {"filter": [matching, {"nested": {"path": "metrics", "query": {"match_all": {}}}}]}}
        skip, rows, after = (query.page - 1) * query.size, [], None
        while len(rows) < query.size:
            page = await self._read(
                self.client.search, index=self.aliases.articles, query=with_metrics, size=METRICS_WALK,
                sort=[{"published": {"order": "desc", "missing": "_last"}}, {"received_at": "desc"}, {"id": "asc"}],
                source_includes=["id", "story_id", "title", "source", "url", "published", "provinces",
                                 "provinces_2025", "doc.extraction.metrics"],
                **({"search_after": after} if after else {}),
            )
            hits = page["hits"]["hits"]
            for hit in hits:
                metrics = hit["_source"]["doc"]["extraction"]["metrics"]
                if skip >= len(metrics):
                    skip -= len(metrics)
                    continue
                rows += [_metric_row(hit["_source"], i, metrics[i]) for i in range(skip, len(metrics))]
                skip = 0
                if len(rows) >= query.size:
                    break
            if len(hits) < METRICS_WALK:
                break
            after = hits[-1]["sort"]
        return MetricPage(total=counted["aggregations"]["metrics"]["doc_count"], page=query.page, size=query.size,
                          metrics=rows[:query.size])

    # -- streams: every matching row, page after page (exports and the scoreboard) -------------------------
    async def stream_hits(self, query: SearchQuery, chunk: int = 500) -> AsyncIterator[list[Hit]]:
        """The hits of search, in its order: pages of `chunk` (from and size, so as deep as the index's
        max_result_window lets a search go)."""
        async def read(page: SearchQuery) -> tuple[int, list[Hit]]:
            result = await self.search(page)
            return result.total, result.hits

        async for hits in listing_pages(query, read, chunk):
            yield hits

    async def stream_metrics(self, query: SearchQuery, chunk: int = 1000) -> AsyncIterator[list[MetricRow]]:
        """The rows of list_metrics, in its order, a page of `chunk` at a time."""
        async def read(page: SearchQuery) -> tuple[int, list[MetricRow]]:
            result = await self.list_metrics(page)
            return result.total, result.metrics

        async for rows in listing_pages(query, read, chunk):
            yield rows

    async def _read(self, call, **kwargs):
        try:
            await self._ensure_ready()
            return await call(**kwargs)
        except ConnectionTimeout as exc:
            raise QueryTimedOut(f"elasticsearch did not answer within {self.settings.es_request_timeout_s:g} s") from exc
        except (ApiError, TransportError) as exc:
            raise StoreUnavailable(f"elasticsearch: {exc}") from exc

    async def ping(self) -> bool:
        try:
            return all([bool(await self.client.indices.exists_alias(name=alias)) for alias in self.aliases.all()])
        except (ApiError, TransportError):
            return False



class ElasticsearchRebuild:
    """The StoreRebuild of an ElasticsearchStore: the next versions of the three indices (provnews-articles-vN+1,
    …), written without refreshes, then the aliases moved to them in one request. Articles the indexer wrote
    into the live indices meanwhile are carried over before the swap and again after it."""

    def __init__(self, store: ElasticsearchStore, *, delete_old: bool):
        self.store = store
        self.aliases = store.aliases
        self.delete_old = delete_old
        self.new: IndexNames | None = None
        self.writer: ElasticsearchStore | None = None
        self.live: dict[str, list[str]] = {}
        self.swapped = False
        self.live_at_start = 0
        self.name = f"elasticsearch {store.settings.es_url}"

    async def begin(self) -> None:
        store, client = self.store, self.store.client
        for line in await store.setup():  # the templates of this checkout, so a mapping change lands
            log.info("elasticsearch.setup", step=line)
        self.live = {alias: await store.live_indices(alias) for alias in self.aliases.all()}
        await client.indices.refresh(index=self.aliases.articles)
        self.live_at_start = (await client.count(index=self.aliases.articles))["count"]
        existing = await client.indices.get(index=",".join(f"{a}-v*" for a in self.aliases.all()),
                                            expand_wildcards="all", allow_no_indices=True)
        version = max((index_version(name) or 0 for name in existing.body), default=0) + 1
        self.new = self.aliases.version(version)
        for index in self.new.all():
            # No refreshes while building: faster, and nobody searches the new indices before the swap.
            await client.indices.create(index=index, settings={"index": {"refresh_interval": "-1"}})
        self.writer = ElasticsearchStore(store.settings, targets=self.new, wait_for_refresh=False)
        self.name = f"elasticsearch {', '.join(self.new.all())}"

    async def kept_articles(self) -> KeptArticles:
        indices = self.live[self.aliases.articles]
        total, docs = await self._documents(indices, None)
        return KeptArticles(where=f"the articles in {', '.join(indices)}", total=total, articles=docs)

    async def _documents(self, indices: list[str], since: datetime | None,
                         ) -> tuple[int, AsyncIterator[ExtractedArticle]]:
        client = self.store.client
        query = {"range": {"indexed_at": {"gte": since.isoformat()}}} if since else {"match_all": {}}
        await client.indices.refresh(index=",".join(indices))
        total = (await client.count(index=",".join(indices), query=query))["count"]

        async def docs() -> AsyncIterator[ExtractedArticle]:
            async for hit in async_scan(client, index=",".join(indices), query={"query": query, "_source": ["doc"]},
                                        size=REBUILD_BATCH):
                yield ExtractedArticle.model_validate(hit["_source"]["doc"])

        return total, docs()

    async def write(self, articles: Sequence[ExtractedArticle]) -> list[Rejected]:
        return await self.writer.write(articles)

    async def _carry_over(self, since: datetime, prepare: Prepare) -> int:
        _, docs = await self._documents(self.live[self.aliases.articles], since - REBUILD_MARGIN)
        carried, batch = 0, []
        async for article in docs:
            batch.append(article)
            if len(batch) >= REBUILD_BATCH:
                carried += len(batch) - len(await self.write(prepare(batch)))
                batch = []
        if batch:
            carried += len(batch) - len(await self.write(prepare(batch)))
        return carried

    async def finish(self, *, since: datetime, prepare: Prepare, allow_fewer: bool) -> Swapped:
        client, new, done = self.store.client, self.new, Swapped()
        await client.indices.put_settings(index=",".join(new.all()), settings={"index": {"refresh_interval": None}})
        done.carried_over += await self._carry_over(since, prepare)
        await client.indices.refresh(index=",".join(new.all()))
        built, live = (await client.count(index=new.articles))["count"], self.live_at_start
        if built < live and not allow_fewer:
            raise RebuildRefused(f"the rebuild has {built} articles, the live indices {live}: not swapped "
                                 "(--allow-fewer swaps anyway)")
        swapped_at = datetime.now(UTC)
        actions = []
        for alias, index in zip(self.aliases.all(), new.all()):
            actions += [{"remove": {"index": old, "alias": alias}} for old in self.live[alias]]
            actions.append({"add": {"index": index, "alias": alias}})
        await client.indices.update_aliases(actions=actions)  # one request: all three move at once
        self.swapped = True
        done.notes.append("aliases: " + ", ".join(f"{a} -> {i}" for a, i in zip(self.aliases.all(), new.all())))
        # What the indexer wrote into the old indices while the aliases moved.
        done.carried_over += await self._carry_over(min(since, swapped_at), prepare)
        done.notes += await self._retire([index for indices in self.live.values() for index in indices])
        return done

    async def _retire(self, old: list[str]) -> list[str]:
        if old and self.delete_old:
            await asyncio.sleep(2)  # searches that resolved the aliases just before the swap finish first
            await self.store.client.indices.delete(index=",".join(old))
            return [f"deleted {', '.join(old)}"]
        return [f"kept {', '.join(old)} (--delete-old removes them)"] if old else []

    async def abort(self) -> None:
        if self.new is not None and not self.swapped:  # once swapped, the new indices are the live ones
            await self.store.client.indices.delete(index=",".join(self.new.all()), ignore_unavailable=True)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()


async def listing_pages(query: SearchQuery, read: Callable[[SearchQuery], Awaitable[tuple[int, list]]],
                        size: int) -> AsyncIterator[list]:
    """Every row of a paged listing in its order, a page of `size` at a time (the query's own page and size are
    ignored), until a short page or the listing's total."""
    page = query.model_copy(update={"page": 1, "size": size})  # not validated: size may exceed PAGE_SIZE_MAX
    while True:
        total, rows = await read(page)
        if rows:
            yield rows
        if len(rows) < size or page.page * size >= total:
            return
        page = page.model_copy(update={"page": page.page + 1})


def _metric_row(source: dict, position: int, metric: dict) -> MetricRow:
    evidence = metric.get("evidence") or []
    return MetricRow(article_id=source["id"], position=position, title=source.get("title"), source=source.get("source"),
                     url=source.get("url"), published=source.get("published"), action=metric.get("action") or "",
                     value=metric["value"], unit=metric.get("unit") or "", qualifier=metric.get("qualifier") or "exact",
                     level=metric.get("level"), provinces=source.get("provinces") or [],
                     provinces_2025=source.get("provinces_2025") or [],
                     sentence=evidence[0]["sentence"] if evidence else metric.get("text", ""),
                     story_id=source.get("story_id"), metric_class=metric.get("metric_class"),
                     reduces=bool(metric.get("reduces")))


def _requested_index(info: dict, targets: IndexNames) -> str:
    """The name an action was sent to: the response names the concrete index behind an alias."""
    index = info.get("_index", "")
    for name in targets.all():
        if index == name or index.startswith(f"{name}-v"):
            return name
    return index
