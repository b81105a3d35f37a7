"""The Kibana saved objects in deploy/kibana/: complete, self-consistent, and charting fields that exist.

The import itself goes to a stand-in Kibana on loopback over real HTTP (multipart, headers, retries).
"""
from __future__ import annotations

import asyncio
import json
import re
from email import policy
from email.parser import BytesParser

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from provnews.kibana import DASHBOARD_ID, import_saved_objects, ndjson_path, saved_objects, to_ndjson
from provnews.schemas.extraction import TOPIC_IDS
from provnews.settings import Settings
from tests.conftest import ROOT
from tests.unit.test_elasticsearch_templates import field_paths, mapping_of

NDJSON = ROOT / "deploy" / "kibana" / "provnews.ndjson"


def objects() -> list[dict]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]


def by_id() -> dict[tuple[str, str], dict]:
    return {(o["type"], o["id"]): o for o in objects()}


def test_the_committed_file_is_the_build_of_the_saved_objects():
    assert NDJSON.read_text(encoding="utf-8") == to_ndjson(saved_objects()), \
        "regenerate with: provnews kibana-setup --print > deploy/kibana/provnews.ndjson"
    assert ndjson_path(Settings()) == NDJSON


def test_ids_are_unique_and_every_reference_resolves_to_an_earlier_object():
    seen: set[tuple[str, str]] = set()
    for o in objects():
        assert {"type", "id", "attributes", "references"} <= set(o), o.get("id")
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in seen, f"{o['id']} refers to {ref['type']} {ref['id']} not defined before it"
        assert (o["type"], o["id"]) not in seen
        seen.add((o["type"], o["id"]))


def test_there_are_data_views_for_the_three_indices():
    views = {o["attributes"]["title"]: o for o in objects() if o["type"] == "index-pattern"}
    assert set(views) == {"provnews-articles", "provnews-metrics", "provnews-mentions"}
    for view in views.values():
        assert view["attributes"]["timeFieldName"] == "published"


def data_view_of(o: dict) -> str:
    [ref] = [r for r in o["references"] if r["type"] == "index-pattern"]
    return by_id()[("index-pattern", ref["id"])]["attributes"]["title"]


def referenced_fields(o: dict) -> set[str]:
    """The fields a saved object names: aggregations, queries, columns, sorting, formats."""
    attributes, fields = o["attributes"], set()
    if o["type"] == "index-pattern":
        fields |= set(json.loads(attributes["fieldFormatMap"])) | {attributes["timeFieldName"]}
        fields |= {f["value"] for f in json.loads(attributes["sourceFilters"])}
        return fields
    if "visState" in attributes:
        fields |= {agg["params"]["field"] for agg in json.loads(attributes["visState"])["aggs"] if "field" in agg["params"]}
    if "columns" in attributes:
        fields |= set(attributes["columns"]) | {field for field, _ in attributes["sort"]}
    meta = attributes.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
    if meta:
        fields |= set(re.findall(r"([A-Za-z_][\w.]*)\s*:", json.loads(meta)["query"]["query"]))
    return fields


def test_every_field_a_saved_object_uses_exists_in_the_mapping_of_its_data_views_index():
    checked = 0
    for o in objects():
        if o["type"] == "dashboard":
            continue
        title = o["attributes"]["title"] if o["type"] == "index-pattern" else data_view_of(o)
        mapping = field_paths(mapping_of(title)["properties"])
        for field in referenced_fields(o):
            assert field in mapping, f"{o['type']} {o['id']} uses {field}, which {title} does not map"
            checked += 1
        if o["type"] == "visualization":
            for agg in json.loads(o["attributes"]["visState"])["aggs"]:
                if agg["type"] == "terms":  # Kibana aggregates keyword fields only, and never nested ones
                    assert mapping[agg["params"]["field"]]["type"] == "keyword", agg["params"]["field"]
                    assert "." not in agg["params"]["field"]
    assert checked > 30


def test_the_dashboard_shows_what_the_issue_asks_for():
    dashboard = by_id()[("dashboard", DASHBOARD_ID)]
    assert dashboard["attributes"]["title"] == "Reform in the provinces"
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {r["name"]: (r["type"], r["id"]) for r in dashboard["references"]}
    shown = [refs[f"{p['panelIndex']}:{p['panelRefName']}"] for p in panels]
    assert [kind for kind, _ in shown] == ["visualization"] * 4 + ["search"]
    titles = [by_id()[ref]["attributes"]["title"] for ref in shown]
    assert titles == ["Articles over time by province (after 2025)", "Reform topics by province (after 2025)",
                      "Officials most mentioned", "Reform metrics summed by unit and province", "Latest reform mentions"]
    metrics = json.loads(by_id()[shown[3]]["attributes"]["visState"])["aggs"]
    assert {"sum"} <= {a["type"] for a in metrics} and {"province_2025", "unit"} <= {
        a["params"].get("field") for a in metrics}
    latest = by_id()[shown[4]]
    assert latest["attributes"]["sort"] == [["published", "desc"]] and "article_id" in latest["attributes"]["columns"]
    link = json.loads(by_id()[("index-pattern", "provnews-mentions")]["attributes"]["fieldFormatMap"])["article_id"]
    assert link["id"] == "url" and link["params"]["urlTemplate"] == "http://localhost:8001/v1/articles/{{value}}"
    for panel in panels:
        grid = panel["gridData"]
        assert grid["x"] + grid["w"] <= 48 and grid["i"] == panel["panelIndex"]


def test_one_saved_search_per_reform_topic():
    searches = {o["id"]: o for o in objects() if o["type"] == "search" and o["id"].startswith("provnews-topic-")}
    assert sorted(searches) == sorted(f"provnews-topic-{t}" for t in TOPIC_IDS) and len(searches) == 12
    for topic in TOPIC_IDS:
        query = json.loads(searches[f"provnews-topic-{topic}"]["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert query["query"] == {"query": f'topics : "{topic}"', "language": "kuery"}


def test_another_prefix_and_query_url_are_built_in():
    built = saved_objects("pnx", "https://news.example.vn/api/")
    titles = {o["attributes"]["title"] for o in built if o["type"] == "index-pattern"}
    assert titles == {"pnx-articles", "pnx-metrics", "pnx-mentions"}
    link = json.loads(built[0]["attributes"]["fieldFormatMap"])["id"]["params"]["urlTemplate"]
    assert link == "https://news.example.vn/api/v1/articles/{{value}}"


class FakeKibana:
    """Answers /api/status (unavailable at first) and the saved objects import, recording what it got."""

    def __init__(self, refuse: bool = False):
        self.status_calls = 0
        self.imports: list[dict] = []
        self.refuse = refuse

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/status", self.status), Route("/api/saved_objects/_import", self.upload,
                                                                          methods=["POST"])])

    async def status(self, request: Request) -> JSONResponse:
        self.status_calls += 1
        level = "available" if self.status_calls >= 2 else "unavailable"
        return JSONResponse({"status": {"overall": {"level": level}}}, status_code=200 if level == "available" else 503)

    async def upload(self, request: Request) -> JSONResponse:
        raw = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + await request.body()
        [part] = BytesParser(policy=policy.HTTP).parsebytes(raw).iter_parts()  # multipart/form-data, one file
        assert part.get_param("name", header="content-disposition") == "file"
        content = part.get_payload(decode=True).decode()
        self.imports.append({"query": dict(request.query_params), "xsrf": request.headers.get("kbn-xsrf"),
                             "filename": part.get_filename(), "content": content,
                             "authorization": request.headers.get("authorization")})
        count = len(content.splitlines())
        if self.refuse:
            return JSONResponse({"success": False, "successCount": count - 1, "errors": [
                {"id": DASHBOARD_ID, "type": "dashboard", "error": {"type": "missing_references"}}]})
        return JSONResponse({"success": True, "successCount": count})


def test_import_waits_for_kibana_then_posts_the_ndjson_with_overwrite_and_xsrf(serve):
    kibana = FakeKibana()
    url = serve(kibana.app()).url
    ndjson = to_ndjson(saved_objects())
    result = asyncio.run(import_saved_objects(Settings(kibana_url=url, es_api_key="a2V5"), ndjson, timeout_s=30, poll_s=0.01))
    assert result == {"success": True, "successCount": len(objects())}
    assert kibana.status_calls == 2
    [sent] = kibana.imports
    assert sent["query"] == {"overwrite": "true"} and sent["xsrf"] and sent["filename"].endswith(".ndjson")
    assert sent["content"] == ndjson and sent["authorization"] == "ApiKey a2V5"


def test_a_refused_import_is_an_error_with_kibanas_reasons(serve):
    url = serve(FakeKibana(refuse=True).app()).url
    with pytest.raises(RuntimeError, match="missing_references"):
        asyncio.run(import_saved_objects(Settings(kibana_url=url), to_ndjson(saved_objects()), timeout_s=30, poll_s=0.01))
