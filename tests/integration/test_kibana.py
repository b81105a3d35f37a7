"""The Kibana saved objects in deploy/kibana/: complete, self-consistent, and charting fields that exist.

The import itself goes to a stand-in Kibana on loopback over real HTTP (multipart, headers, retries).
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme

from common.settings import Settings
from common.stores.elasticsearch_store import IndexNames, bulk_actions
from provnews.kibana import (
    DASHBOARD_ID,
    KibanaRefused,
    KibanaStatus,
    import_saved_objects,
    ndjson_path,
    saved_objects,
    to_ndjson,
)
from schemas.events import ReceivedArticle
from schemas.extraction import TOPIC_IDS
from services.extract.engine import extract
from services.extract.policies import extracted_article
from tests.conftest import ROOT, ServerThread
from tests.elasticsearch_helpers import field_paths, mapping_of
from tests.kibana_helpers import FakeKibana
from tests.seed_helpers import SEED_ARTICLES

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


def undated_article():
    """Like most articles of the genre: no publication date in the text or the request."""
    text = "Tỉnh Yên Bái đã giảm 12 phòng, ban, chi cục sau khi sắp xếp tổ chức bộ máy, tinh giản biên chế."
    received = ReceivedArticle(article_id="undated", text=text, url="https://example.vn/tin/1",
                               received_at=datetime(2025, 7, 1, 8, tzinfo=UTC))
    return extracted_article(received, extract(text), "undated")


def test_there_are_data_views_for_the_three_indices():
    views = {o["attributes"]["title"]: o for o in objects() if o["type"] == "index-pattern"}
    assert set(views) == {"provnews-articles", "provnews-metrics", "provnews-mentions"}


def test_every_document_has_its_data_views_time_field_so_kibanas_time_filter_keeps_undated_articles():
    views = {o["attributes"]["title"]: o["attributes"]["timeFieldName"] for o in objects() if o["type"] == "index-pattern"}
    undated = undated_article()
    assert undated.published is None
    checked = set()
    for article in [undated, *SEED_ARTICLES]:
        for action in bulk_actions(article, IndexNames.aliases("provnews"), indexed_at=datetime.now(UTC)):
            time_field = views[action["_index"]]
            assert action["_source"].get(time_field), f"{action['_index']} {action['_id']} has no {time_field}"
            assert field_paths(mapping_of(action["_index"])["properties"])[time_field]["type"] == "date"
            assert "published" in action["_source"]  # still a field of its own
            checked.add(action["_index"])
    assert checked == set(views)


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
    assert [kind for kind, _ in shown] == ["visualization"] * 5 + ["search", "visualization"]
    titles = [by_id()[ref]["attributes"]["title"] for ref in shown]
    assert titles == ["Articles received over time by province (after 2025)",
                      "Dated articles by publication month and province (after 2025)",
                      "Reform topics by province (after 2025)", "Officials most mentioned",
                      "Reform metrics summed by unit and province", "Latest reform mentions",
                      "Scoreboard: exact reductions by class and province (after 2025)"]
    # Over time both ways: by when articles arrived (all of them) and by publication date (the dated ones).
    histograms = [agg["params"]["field"] for ref in shown[:2]
                  for agg in json.loads(by_id()[ref]["attributes"]["visState"])["aggs"] if agg["type"] == "date_histogram"]
    time_field = by_id()[("index-pattern", "provnews-articles")]["attributes"]["timeFieldName"]
    assert histograms == [time_field, "published"] and time_field != "published"
    metrics = json.loads(by_id()[shown[4]]["attributes"]["visState"])["aggs"]
    assert {"sum"} <= {a["type"] for a in metrics} and {"province_2025", "unit"} <= {
        a["params"].get("field") for a in metrics}
    scoreboard = by_id()[shown[6]]["attributes"]
    board_aggs = json.loads(scoreboard["visState"])["aggs"]
    assert [(a["type"], a["params"].get("field")) for a in board_aggs if a["schema"] == "bucket"] == [
        ("terms", "province_2025"), ("terms", "metric_class")]
    assert {("sum", "value"), ("max", "published")} <= {(a["type"], a["params"].get("field")) for a in board_aggs}
    assert "reduces : true" in json.loads(scoreboard["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
    latest = by_id()[shown[5]]
    assert latest["attributes"]["sort"] == [[time_field, "desc"]]
    assert {"article_id", "published"} <= set(latest["attributes"]["columns"])
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


def import_into(url: str, *, timeout_s: float = 30, **settings) -> tuple[dict, list[KibanaStatus]]:
    heard: list[KibanaStatus] = []
    result = asyncio.run(import_saved_objects(Settings(kibana_url=url, **settings), to_ndjson(saved_objects()),
                                              timeout_s=timeout_s, poll_s=0.01, on_ready=heard.append))
    return result, heard


def test_a_plugin_degraded_does_not_stop_the_import_and_is_named(serve):
    kibana = FakeKibana(plugins={"dashboard": "available", "alerting": "degraded", "taskManager": "degraded"})
    result, [status] = import_into(serve(kibana.app()).url)
    assert result["success"] and len(kibana.imports) == 1
    assert status.level == "degraded" and status.version == "9.5.6"
    assert [p.split(":")[0] for p in status.not_available] == ["plugin alerting", "plugin taskManager"]


def test_kibana_setup_says_which_plugin_is_degraded(serve):
    kibana = FakeKibana(plugins={"dashboard": "available", "alerting": "degraded"})
    url = serve(kibana.app()).url
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")} | {"PROVNEWS_KIBANA_URL": url}
    done = subprocess.run([sys.executable, "-m", "provnews.cli", "kibana-setup", "--timeout", "60"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"kibana 9.5.6 at {url}: degraded"
    assert lines[1].startswith("warning: plugin alerting: degraded (alerting is degraded")
    assert lines[-1].startswith(f"imported {len(objects())} saved objects")


@pytest.mark.parametrize("core, plugins, named", [
    ({"elasticsearch": "available", "savedObjects": "unavailable"}, {}, "core savedObjects: unavailable"),
    ({"elasticsearch": "available", "savedObjects": "available"}, {"dashboard": "unavailable"},
     "plugin dashboard: unavailable"),
])
def test_kibana_that_cannot_take_the_import_times_out_naming_what_is_down(serve, core, plugins, named):
    kibana = FakeKibana(core=core, plugins=plugins)
    with pytest.raises(TimeoutError, match=f"not ready within 1s .*{named}"):
        import_into(serve(kibana.app()).url, timeout_s=1)
    assert kibana.imports == []


def test_an_unsupported_kibana_is_refused_at_once(serve):
    kibana = FakeKibana(version="8.15.3")
    with pytest.raises(KibanaRefused, match="Kibana 8.15.3 is not supported; provnews supports Kibana 8.19"):
        import_into(serve(kibana.app()).url, timeout_s=600)
    assert kibana.imports == []


def test_the_redacted_status_of_a_kibana_that_wants_credentials_is_enough(serve):
    result, [status] = import_into(serve(FakeKibana(redacted=True).app()).url)
    assert result["success"] and status.level == "available" and status.version is None


class TlsServerThread(ServerThread):
    """ServerThread over HTTPS, with a certificate for 127.0.0.1 from a throwaway CA."""

    scheme = "https"

    def __init__(self, app, ca: trustme.CA, tmp: Path):
        chain = tmp / "server.pem"
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(chain))
        super().__init__(app, ssl_certfile=str(chain), ssl_keyfile=str(chain))


def test_kibana_over_tls_is_verified_with_its_own_ca_not_elasticsearchs(tmp_path):
    kibana_ca, es_ca = trustme.CA(), trustme.CA()
    kibana_ca.cert_pem.write_to_path(str(tmp_path / "kibana-ca.pem"))
    es_ca.cert_pem.write_to_path(str(tmp_path / "es-ca.pem"))
    kibana = FakeKibana()
    with TlsServerThread(kibana.app(), kibana_ca, tmp_path) as server:
        result, _ = import_into(server.url, kibana_ca_cert=tmp_path / "kibana-ca.pem", es_ca_cert=tmp_path / "es-ca.pem")
        assert result["success"] and len(kibana.imports) == 1
        with pytest.raises(TimeoutError, match="CERTIFICATE_VERIFY_FAILED"):  # Elasticsearch's CA does not vouch for it
            import_into(server.url, timeout_s=1, es_ca_cert=tmp_path / "es-ca.pem")
    assert len(kibana.imports) == 1
