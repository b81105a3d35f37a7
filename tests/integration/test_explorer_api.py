"""What the explorer page asks the query API beyond search: the page itself, /v1/timeline, /v1/metrics,
/v1/subscriptions passed on to the alerts service, and /v1/mentions/stream fed from a real broker.

The store is a real SQLite file holding the hand-made articles of tests.article_helpers.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from common.settings import Settings
from common.stores.sqlite_store import SqliteStore
from schemas.events import ReformMention, ReformMentioned
from schemas.extraction import Evidence, Metric
from services.query.app import create_app
from services.query.explorer import alerts_base_url
from tests.article_helpers import ARTICLES
from tests.conftest import wait_until
from tests.sse_helpers import Stream


def _store(tmp_path) -> SqliteStore:
    store = SqliteStore(tmp_path / "explorer.sqlite3")
    assert asyncio.run(store.write(ARTICLES)) == []
    return store


@pytest.fixture
def api(tmp_path, serve):
    return serve(create_app(Settings(data_dir=tmp_path / "data"), store=_store(tmp_path), live=False)).url


def test_the_page_and_its_assets_are_served_with_a_strict_policy(api):
    page = httpx.get(f"{api}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script type="module" src="/static/explorer.js">' in page.text
    for asset, kind in (("explorer.js", "javascript"), ("i18n.js", "javascript"), ("explorer.css", "text/css"),
                        ("favicon.svg", "image/svg+xml")):
        response = httpx.get(f"{api}/static/{asset}")
        assert response.status_code == 200, asset
        assert kind in response.headers["content-type"], asset
    assert httpx.get(f"{api}/static/../app.py").status_code == 404
    linked = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert linked and all(url.startswith(("/", "#")) for url in linked), linked  # nothing from elsewhere: users may be offline


def test_the_timeline_counts_what_search_counts(api):
    for params in ({}, {"q": "tinh gian bien che"}, {"province": "Lào Cai"}, {"topic": "tinh_gian_bien_che"},
                   {"year": 2018}, {"from": "2019-01-01", "to": "2021-12-31"}):
        timeline = httpx.get(f"{api}/v1/timeline", params=params).json()
        total = httpx.get(f"{api}/v1/search", params=params).json()["total"]
        assert sum(c["count"] for c in timeline["by_month"]) + timeline["undated"] == total, params

    everything = httpx.get(f"{api}/v1/timeline").json()
    assert everything["split"] == "topic"
    assert everything["by_month"] == [{"value": "2018-03", "count": 1}, {"value": "2019-10", "count": 1},
                                      {"value": "2021-09", "count": 1}]
    assert everything["undated"] == 1
    series = {s["value"]: s for s in everything["series"]}
    assert series["tinh_gian_bien_che"]["total"] == 2  # a1 and a3
    assert series["tinh_gian_bien_che"]["by_month"] == [{"value": "2018-03", "count": 1}, {"value": "2021-09", "count": 1}]
    assert everything["series"][0]["value"] == "tinh_gian_bien_che"  # largest first

    merged = httpx.get(f"{api}/v1/timeline", params={"split": "province_2025"}).json()
    assert {s["value"]: s["total"] for s in merged["series"]} == {"Lào Cai": 2, "Quảng Ninh": 1}
    assert httpx.get(f"{api}/v1/timeline", params={"split": "person"}).status_code == 422
    assert httpx.get(f"{api}/v1/timeline", params={"topic": "nope"}).json()["error"] == "unknown_topic"


def test_metrics_for_the_current_filter(api):
    everything = httpx.get(f"{api}/v1/metrics").json()
    assert everything["total"] == 4
    first = everything["metrics"][0]
    assert first["article_id"] == "a3"  # newest first
    assert first | {"provinces": None} == first | {
        "position": 0, "action": "giảm", "value": 12.0, "unit": "phòng, ban", "qualifier": "exact", "level": None,
        "published": "2021-09-16", "title": "Quảng Ninh đổi mới bộ máy", "source": "baoquangninh.vn", "provinces": None,
    }
    assert first["provinces"] == ["Quảng Ninh"] and first["provinces_2025"] == ["Quảng Ninh"]
    assert first["sentence"].startswith("Quảng Ninh sắp xếp")
    assert everything["metrics"][-1]["published"] is None  # undated last

    lao_cai = httpx.get(f"{api}/v1/metrics", params={"province": "Lào Cai"}).json()  # Yên Bái is in Lào Cai since 2025
    assert sorted(m["article_id"] for m in lao_cai["metrics"]) == ["a1", "a2"]
    folded = httpx.get(f"{api}/v1/metrics", params={"q": "sap nhap"}).json()
    assert [m["article_id"] for m in folded["metrics"]] == ["a2"]
    paged = httpx.get(f"{api}/v1/metrics", params={"size": 3, "page": 2}).json()
    assert paged["total"] == 4 and len(paged["metrics"]) == 1
    script = httpx.get(f"{api}/v1/metrics", params={"q": "đường sá"}).json()["metrics"][0]
    assert script["sentence"] == "Nội dung <script>alert(1)</script> về đường sá."  # JSON as stored; the page escapes


class Upstream:
    """Stands in for the alerts service: records what reaches it, answers as the real one would."""

    def __init__(self):
        self.requests: list[tuple[str, str, str, dict, bytes]] = []
        self.app = Starlette(routes=[Route("/{rest:path}", self.handle,
                                           methods=["GET", "POST", "PATCH", "DELETE"])])

    async def handle(self, request: Request) -> Response:
        self.requests.append((request.method, request.url.path, request.url.query, dict(request.headers),
                              await request.body()))
        if request.headers.get("authorization") != "Bearer k1":
            return JSONResponse({"status": 401, "error": "unauthorized", "detail": "no"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        if request.method == "DELETE":
            return Response(status_code=204)
        if request.method == "POST":
            return JSONResponse({"id": "sub_1", **json.loads(await request.body())}, status_code=201)
        return JSONResponse({"subscriptions": []})


def test_subscriptions_are_passed_on_to_the_alerts_service(tmp_path, serve):
    upstream = Upstream()
    alerts = serve(upstream.app)
    settings = Settings(data_dir=tmp_path / "data", alerts_port=alerts.port)
    api = serve(create_app(settings, store=_store(tmp_path), live=False)).url
    key = {"Authorization": "Bearer k1"}

    assert httpx.get(f"{api}/v1/subscriptions", headers=key).json() == {"subscriptions": []}
    created = httpx.post(f"{api}/v1/subscriptions", headers=key, json={"name": "Quảng Ninh", "filter": {}})
    assert created.status_code == 201 and created.json()["name"] == "Quảng Ninh"
    assert httpx.delete(f"{api}/v1/subscriptions/sub_1", headers=key).status_code == 204
    listed = httpx.get(f"{api}/v1/subscriptions/sub_1/deliveries", params={"status": "dead"}, headers=key)
    assert listed.status_code == 200
    refused = httpx.get(f"{api}/v1/subscriptions", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"

    method, path, query, headers, body = upstream.requests[1]
    assert (method, path, json.loads(body)) == ("POST", "/v1/subscriptions", {"name": "Quảng Ninh", "filter": {}})
    assert headers["authorization"] == "Bearer k1" and headers["content-type"] == "application/json"
    assert headers["x-forwarded-for"] == "127.0.0.1"  # whose call it is, for the alerts service's wrong-key count
    assert upstream.requests[3][1:3] == ("/v1/subscriptions/sub_1/deliveries", "status=dead")


def _raw_request(port: int, method: str, path: str) -> tuple[int, dict]:
    """Sends the path exactly as written (an HTTP client would resolve its dot segments first)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"Authorization": "Bearer k1", "content-length": "0"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@pytest.mark.parametrize("method,path,status,error", [
    ("GET", "/v1/subscriptions/..%2F..%2Fhealthz", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/..%2f..%2fhealthz", 400, "invalid_path"),
    ("POST", "/v1/subscriptions/..%2F..%2Fv1%2Fdeliveries%2Fd1%2Fredeliver", 400, "invalid_path"),
    ("POST", "/v1/subscriptions/../../v1/deliveries/d1/redeliver", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/../../healthz", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/..", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/./sub_1", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/%2e%2e/%2e%2e/healthz", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/sub_1%252F..", 400, "invalid_path"),
    ("GET", "/v1/subscriptions/sub_1%5C..%5Chealthz", 400, "invalid_path"),
    ("POST", "/v1/subscriptions/sub_1/redeliver", 404, "not_found"),
    ("GET", "/v1/subscriptions/sub_1/deliveries/x", 404, "not_found"),
    ("GET", "/v1/subscriptions/sub%201", 404, "not_found"),
    ("PUT", "/v1/subscriptions/sub_1", 404, "not_found"),
])
def test_the_proxy_forwards_only_the_subscription_routes(tmp_path, serve, method, path, status, error):
    upstream = Upstream()
    alerts = serve(upstream.app)
    settings = Settings(data_dir=tmp_path / "data", alerts_port=alerts.port)
    api = serve(create_app(settings, store=_store(tmp_path), live=False))
    answered, body = _raw_request(api.port, method, path)
    assert (answered, body.get("error")) == (status, error), body
    assert upstream.requests == []  # nothing reached the alerts service
    assert _raw_request(api.port, "GET", "/v1/subscriptions/sub_1")[0] == 200
    assert [r[1] for r in upstream.requests] == ["/v1/subscriptions/sub_1"]


def test_subscriptions_answer_502_when_the_alerts_service_is_down(tmp_path, serve, closed_port):
    settings = Settings(data_dir=tmp_path / "data", alerts_port=closed_port)
    api = serve(create_app(settings, store=_store(tmp_path), live=False)).url
    response = httpx.get(f"{api}/v1/subscriptions", headers={"Authorization": "Bearer k1"})
    assert response.status_code == 502
    assert response.json()["error"] == "alerts_unavailable"


def test_the_alerts_service_can_live_elsewhere():
    assert alerts_base_url(Settings(host="127.0.0.1", alerts_port=8123)) == "http://127.0.0.1:8123"
    assert alerts_base_url(Settings(host="0.0.0.0", alerts_url="http://alerts:8004")) == "http://alerts:8004"  # noqa: S104


def _mention(article_id: str, topic: str | None = "sap_xep_bo_may", province: str = "Quảng Ninh") -> ReformMentioned:
    data = ReformMention(mention_id=f"m-{article_id}", article_id=article_id, story_id=article_id,
                         kind="topic" if topic else "metric", topic=topic,
                         metric=None if topic else Metric(action="giảm", value=81, unit="phòng, ban",
                                                          evidence=[Evidence(start=0, end=4, sentence="giảm 81")]),
                         title=f"Bài {article_id}", provinces=[province], provinces_2025=[province])
    return ReformMentioned.wrap(data, subject=article_id, event_id=f"e-{article_id}", time=datetime.now(UTC))


@pytest.mark.broker
def test_new_mentions_reach_every_open_stream(settings, tmp_path, serve):
    from aiokafka import AIOKafkaProducer

    app = create_app(settings, store=_store(tmp_path))
    api = serve(app).url
    wait_until(lambda: app.state.mention_feed.connected, timeout=30, message="the feed's consumer at the topic's end")
    everything, quang_ninh = Stream(f"{api}/v1/mentions/stream"), Stream(f"{api}/v1/mentions/stream?province=Quảng Ninh")
    try:
        wait_until(lambda: everything.of("status") and quang_ninh.of("status"), message="both streams open")
        assert everything.of("status")[0] == {"connected": True}

        async def produce():
            producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
            await producer.start()
            try:
                # x3, after x2 on the one partition, marks that the Quảng Ninh stream has seen x2 go by
                for event in (_mention("x1"), _mention("x2", topic=None, province="Hà Tĩnh"), _mention("x3")):
                    await producer.send_and_wait(settings.topic_mentions, event.to_bytes(), key=event.subject.encode())
            finally:
                await producer.stop()

        asyncio.run(produce())
        wait_until(lambda: len(everything.of("reform.mention")) == 3, message="every mention on the open stream")
        assert [e["data"]["article_id"] for e in everything.of("reform.mention")] == ["x1", "x2", "x3"]
        assert everything.of("reform.mention")[1]["data"]["metric"]["value"] == 81
        wait_until(lambda: any(e["data"]["article_id"] == "x3" for e in quang_ninh.of("reform.mention")),
                   message="the later Quảng Ninh mention")
        assert [e["data"]["article_id"] for e in quang_ninh.of("reform.mention")] == ["x1", "x3"]
    finally:
        everything.close()
        quang_ninh.close()


def test_the_query_api_answers_while_the_broker_is_down(tmp_path, serve, closed_port):
    settings = Settings(data_dir=tmp_path / "data", kafka_bootstrap=f"127.0.0.1:{closed_port}")
    app = create_app(settings, store=_store(tmp_path))
    api = serve(app).url
    assert httpx.get(f"{api}/readyz").status_code == 200
    assert httpx.get(f"{api}/v1/search", params={"q": "sap nhap"}).json()["total"] == 1
    stream = Stream(f"{api}/v1/mentions/stream")
    try:
        wait_until(lambda: stream.of("status"), message="the stream's first status")
        assert stream.of("status")[0] == {"connected": False}
    finally:
        stream.close()
    assert app.state.mention_feed.connected is False
