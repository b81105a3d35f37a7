"""Kibana saved objects for the Elasticsearch profile: data views, the "Reform in the provinces" dashboard,
and one saved search per reform topic; and their import through Kibana's saved objects API.

The objects are built here because Kibana stores most of them as JSON inside JSON strings, which is easy to
get wrong by hand; deploy/kibana/provnews.ndjson is their committed build (`provnews kibana-setup --print`),
importable by hand in Stack Management → Saved objects. Visualisations are aggregation-based ones that chart
the flat metric and mention indices, since Kibana cannot aggregate nested fields.
"""
from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from common.elastic import unsupported
from common.settings import Settings
from schemas.extraction import TOPIC_IDS

DEFAULT_QUERY_URL = "http://localhost:8001"
DASHBOARD_ID = "provnews-reform-in-the-provinces"
DASHBOARD_TITLE = "Reform in the provinces"
TOPIC_LABELS = {
    "tinh_gian_bien_che": "Tinh giản biên chế",
    "sap_xep_bo_may": "Sắp xếp tổ chức bộ máy",
    "hop_nhat_co_quan": "Hợp nhất cơ quan",
    "nhat_the_hoa_chuc_danh": "Nhất thể hóa chức danh",
    "sap_nhap_don_vi_hanh_chinh": "Sáp nhập đơn vị hành chính",
    "don_vi_su_nghiep": "Đơn vị sự nghiệp công lập",
    "cai_cach_hanh_chinh": "Cải cách hành chính",
    "phan_cap_phan_quyen": "Phân cấp, phân quyền",
    "cong_tac_can_bo": "Công tác cán bộ",
    "doi_tac_cong_tu": "Đối tác công tư",
    "doi_moi_lanh_dao_dang": "Đổi mới phương thức lãnh đạo của Đảng",
    "kinh_te_xa_hoi": "Kinh tế - xã hội",
}
_CORE = {"coreMigrationVersion": "8.8.0"}
# The data views' time field, which Kibana's time filter reads: when the article was received, which every
# document has. Most articles name no publication date, and a time filter on `published` would drop them.
TIME_FIELD = "received_at"
READY_LEVELS = ("available", "degraded")
_SEARCH_SOURCE_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def saved_objects(prefix: str = "provnews", query_url: str = DEFAULT_QUERY_URL) -> list[dict]:
    """Every saved object, data views first (import resolves references in file order)."""
    articles, metrics, mentions = (f"{prefix}-{kind}" for kind in ("articles", "metrics", "mentions"))
    article_link = {"id": "url", "params": {"type": "a", "urlTemplate": f"{query_url.rstrip('/')}/v1/articles/{{{{value}}}}",
                                            "labelTemplate": "{{value}}"}}
    objects = [
        _data_view("provnews-articles", articles, "provnews articles", {"id": article_link}, hide=["doc", "derived_ids"]),
        _data_view("provnews-metrics", metrics, "provnews reform metrics", {"article_id": article_link}),
        _data_view("provnews-mentions", mentions, "provnews reform mentions", {"article_id": article_link}),
        _visualization("provnews-articles-over-time", "Articles received over time by province (after 2025)",
                       "provnews-articles",
                       _bars([_date_histogram("2", TIME_FIELD, "Received"),
                              _terms("3", "provinces_2025", 10, "Province (after 2025)", schema="group")],
                             "Articles")),
        _visualization("provnews-articles-by-publication-date",
                       "Dated articles by publication month and province (after 2025)", "provnews-articles",
                       _bars([_date_histogram("2", "published", "Published"),
                              _terms("3", "provinces_2025", 10, "Province (after 2025)", schema="group")],
                             "Articles")),
        _visualization("provnews-topics-by-province", "Reform topics by province (after 2025)", "provnews-mentions",
                       _bars([_terms("2", "province_2025", 34, "Province (after 2025)"),
                              _terms("3", "topic", 12, "Topic", schema="group")], "Mentions"),
                       query='kind : "topic"'),
        _visualization("provnews-officials-most-mentioned", "Officials most mentioned", "provnews-articles",
                       _table([_count("Articles"), _terms("2", "person_names", 20, "Official", schema="bucket")])),
        _visualization("provnews-metrics-by-unit-and-province", "Reform metrics summed by unit and province",
                       "provnews-metrics",
                       _table([{"id": "1", "enabled": True, "type": "sum", "schema": "metric",
                                "params": {"field": "value", "customLabel": "Sum"}},
                               {"id": "5", "enabled": True, "type": "count", "schema": "metric",
                                "params": {"customLabel": "Metrics"}},
                               _terms("2", "province_2025", 34, "Province (after 2025)", schema="bucket", order_by="1"),
                               _terms("3", "unit", 50, "Unit", schema="bucket", order_by="1"),
                               _terms("4", "action", 20, "Action", schema="bucket", order_by="1")])),
        # The explorer's scoreboard, as far as Kibana can: exact cuts summed by class; restated figures are not folded.
        _visualization("provnews-scoreboard", "Scoreboard: exact reductions by class and province (after 2025)",
                       "provnews-metrics",
                       _table([{"id": "1", "enabled": True, "type": "sum", "schema": "metric",
                                "params": {"field": "value", "customLabel": "Reductions"}},
                               {"id": "4", "enabled": True, "type": "count", "schema": "metric",
                                "params": {"customLabel": "Figures"}},
                               {"id": "5", "enabled": True, "type": "max", "schema": "metric",
                                "params": {"field": "published", "customLabel": "Latest"}},
                               _terms("2", "province_2025", 34, "Province (after 2025)", schema="bucket", order_by="1"),
                               _terms("3", "metric_class", 10, "Class", schema="bucket", order_by="1")]),
                       query='reduces : true and qualifier : "exact" and metric_class : *'),
        _search("provnews-latest-mentions", "Latest reform mentions", "provnews-mentions",
                columns=["kind", "topic", "province_2025", "persons", "title", "published", "evidence",
                         "article_id"],
                sort=[[TIME_FIELD, "desc"]]),
    ]
    for topic in TOPIC_IDS:
        objects.append(_search(f"provnews-topic-{topic}", f"Topic: {TOPIC_LABELS.get(topic, topic)} ({topic})",
                               "provnews-articles",
                               columns=["title", "published", "provinces", "provinces_2025", "source", "id"],
                               query=f'topics : "{topic}"'))
    panels = [("provnews-articles-over-time", "visualization", 0, 0, 24, 14),
              ("provnews-articles-by-publication-date", "visualization", 24, 0, 24, 14),
              ("provnews-topics-by-province", "visualization", 0, 14, 24, 16),
              ("provnews-officials-most-mentioned", "visualization", 24, 14, 24, 16),
              ("provnews-metrics-by-unit-and-province", "visualization", 0, 30, 24, 18),
              ("provnews-latest-mentions", "search", 24, 30, 24, 18),
              ("provnews-scoreboard", "visualization", 0, 48, 48, 16)]
    objects.append(_dashboard(panels))
    return objects


def to_ndjson(objects: list[dict]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in objects)


def ndjson_path(settings: Settings) -> Path:
    base = settings.deploy_dir or Path(__file__).resolve().parents[1] / "deploy"
    return base / "kibana" / "provnews.ndjson"


def _data_view(object_id: str, title: str, name: str, formats: dict, hide: tuple | list = ()) -> dict:
    return {"type": "index-pattern", "id": object_id, "typeMigrationVersion": "8.0.0", **_CORE, "references": [],
            "attributes": {"title": title, "name": name, "timeFieldName": TIME_FIELD,
                           "fieldFormatMap": json.dumps(formats), "sourceFilters": json.dumps([{"value": h} for h in hide]),
                           "fields": "[]", "runtimeFieldMap": "{}", "allowNoIndex": True}}


def _search_source(query: str = "") -> str:
    return json.dumps({"query": {"query": query, "language": "kuery"}, "filter": [], "indexRefName": _SEARCH_SOURCE_REF})


def _visualization(object_id: str, title: str, data_view: str, vis: dict, query: str = "") -> dict:
    return {"type": "visualization", "id": object_id, "typeMigrationVersion": "8.5.0", **_CORE,
            "references": [{"type": "index-pattern", "id": data_view, "name": _SEARCH_SOURCE_REF}],
            "attributes": {"title": title, "description": "", "uiStateJSON": "{}", "version": 1,
                           "visState": json.dumps({"title": title, **vis}, ensure_ascii=False),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)}}}


def _search(object_id: str, title: str, data_view: str, *, columns: list[str], query: str = "",
            sort: list[list[str]] | None = None) -> dict:
    return {"type": "search", "id": object_id, "typeMigrationVersion": "8.0.0", **_CORE,
            "references": [{"type": "index-pattern", "id": data_view, "name": _SEARCH_SOURCE_REF}],
            "attributes": {"title": title, "description": "", "columns": columns,
                           "sort": sort or [["published", "desc"], [TIME_FIELD, "desc"]],
                           "grid": {}, "hideChart": False,
                           "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)}}}


def _dashboard(panels: list[tuple[str, str, int, int, int, int]]) -> dict:
    panels_json, references = [], []
    for n, (object_id, kind, x, y, w, h) in enumerate(panels, 1):
        index = str(n)
        panels_json.append({"version": "8.8.0", "type": kind, "panelIndex": index, "embeddableConfig": {},
                            "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index}, "panelRefName": f"panel_{index}"})
        references.append({"type": kind, "id": object_id, "name": f"{index}:panel_{index}"})
    return {"type": "dashboard", "id": DASHBOARD_ID, "typeMigrationVersion": "8.7.0", **_CORE, "references": references,
            "attributes": {"title": DASHBOARD_TITLE, "version": 1, "timeRestore": True, "timeFrom": "now-10y",
                           "timeTo": "now", "refreshInterval": {"pause": True, "value": 60000},
                           "description": "Articles, reform topics, officials and reform metrics by province "
                                          "(names before and after the July 2025 merger).",
                           "panelsJSON": json.dumps(panels_json),
                           "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "hidePanelTitles": False}),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                               {"query": {"query": "", "language": "kuery"}, "filter": []})}}}


def _count(label: str) -> dict:
    return {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {"customLabel": label}}


def _terms(agg_id: str, field: str, size: int, label: str, *, schema: str = "segment", order_by: str = "1") -> dict:
    return {"id": agg_id, "enabled": True, "type": "terms", "schema": schema,
            "params": {"field": field, "size": size, "order": "desc", "orderBy": order_by, "otherBucket": False,
                       "missingBucket": False, "customLabel": label}}


def _date_histogram(agg_id: str, field: str, label: str) -> dict:
    return {"id": agg_id, "enabled": True, "type": "date_histogram", "schema": "segment",
            "params": {"field": field, "interval": "M", "min_doc_count": 1, "extended_bounds": {},
                       "customLabel": label}}


def _bars(buckets: list[dict], metric_label: str) -> dict:
    return {"type": "histogram", "aggs": [_count(metric_label), *buckets], "params": {
        "type": "histogram", "addTooltip": True, "addLegend": True, "legendPosition": "right", "times": [],
        "addTimeMarker": False, "grid": {"categoryLines": False},
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True, "style": {},
                          "scale": {"type": "linear"}, "labels": {"show": True, "filter": True, "truncate": 100},
                          "title": {}}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True,
                       "style": {}, "scale": {"type": "linear", "mode": "normal"},
                       "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                       "title": {"text": metric_label}}],
        "seriesParams": [{"show": True, "type": "histogram", "mode": "stacked", "data": {"label": metric_label, "id": "1"},
                          "valueAxis": "ValueAxis-1", "drawLinesBetweenPoints": True, "showCircles": True}],
    }}


def _table(aggs: list[dict]) -> dict:
    return {"type": "table", "aggs": aggs, "params": {
        "perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
        "totalFunc": "sum", "percentageCol": "", "sort": {"columnIndex": None, "direction": None}}}


# -- import --------------------------------------------------------------------------------------------

class KibanaRefused(RuntimeError):
    """Kibana answered, but provnews cannot use it: waiting longer will not help."""


def _auth(settings: Settings) -> dict:
    if settings.es_api_key:
        return {"headers": {"Authorization": f"ApiKey {settings.es_api_key.get_secret_value()}"}}
    if settings.es_username:
        return {"auth": (settings.es_username, settings.es_password.get_secret_value() if settings.es_password else "")}
    return {}


@dataclass(frozen=True)
class KibanaStatus:
    """What /api/status said: the overall level, the version (absent from the redacted answer Kibana
    gives a request without credentials), and each core service or plugin not available, with its summary."""

    level: str
    version: str | None = None
    not_available: tuple[str, ...] = ()

    @classmethod
    def of(cls, body: dict) -> KibanaStatus:
        status = body.get("status") or {}
        groups = (("core", status.get("core") or {}), ("plugin", status.get("plugins") or {}))
        problems = [f"{kind} {name}: {service.get('level')} ({service.get('summary', '')})"
                    for kind, group in groups for name, service in sorted(group.items())
                    if isinstance(service, dict) and service.get("level") != "available"]
        return cls(level=str((status.get("overall") or {}).get("level")),
                   version=(body.get("version") or {}).get("number"), not_available=tuple(problems))

    def describe(self) -> str:
        return f"level {self.level}" + (f"; {'; '.join(self.not_available)}" if self.not_available else "")


async def wait_for_kibana(client: httpx.AsyncClient, timeout_s: float, poll_s: float = 2.0) -> KibanaStatus:
    """Until Kibana can take the import: /api/status answers 200 (its core services are up, as the compose
    healthcheck asks) with the overall level available or degraded. Overall includes every plugin, so one
    degraded plugin keeps it at degraded on a Kibana that works; the status returned names it."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    last = "no answer"
    while asyncio.get_running_loop().time() < deadline:
        try:
            response = await client.get("/api/status")
            status = KibanaStatus.of(response.json())
            if status.version and (problem := unsupported("Kibana", status.version)):
                raise KibanaRefused(f"{problem} (at {client.base_url})")
            if response.status_code == 200 and status.level in READY_LEVELS:
                return status
            last = f"HTTP {response.status_code}, {status.describe()}"
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            last = str(exc) or type(exc).__name__
        await asyncio.sleep(poll_s)
    raise TimeoutError(f"Kibana at {client.base_url} was not ready within {timeout_s:.0f}s ({last})")


async def import_saved_objects(settings: Settings, ndjson: str, *, timeout_s: float = 300.0,
                               poll_s: float = 2.0,
                               on_ready: Callable[[KibanaStatus], None] = lambda status: None) -> dict:
    """POST the objects to /api/saved_objects/_import?overwrite=true once Kibana is ready (`on_ready` hears
    its status first); raises if any failed."""
    ca = settings.kibana_ca_cert
    verify = ssl.create_default_context(cafile=str(ca)) if ca else True
    async with httpx.AsyncClient(base_url=settings.kibana_url, timeout=60, verify=verify, **_auth(settings)) as client:
        on_ready(await wait_for_kibana(client, timeout_s, poll_s))
        response = await client.post("/api/saved_objects/_import", params={"overwrite": "true"},
                                     headers={"kbn-xsrf": "provnews"},
                                     files={"file": ("provnews.ndjson", ndjson.encode(), "application/ndjson")})
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or not body.get("success"):
        raise RuntimeError(f"Kibana refused the saved objects (HTTP {response.status_code}): "
                           f"{json.dumps(body.get('errors') or body or response.text, ensure_ascii=False)[:2000]}")
    return body
