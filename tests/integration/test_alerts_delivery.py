"""The alerts service in-process on a real broker, delivering to a real receiver on loopback.

Articles are built by hand and put on `articles.extracted` as the extract stream would, so what each
subscription should get is known. Backoff is shortened; nothing here asserts on how long things take.
"""
from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from common.public_urls import system_resolver
from schemas.events import ArticleExtracted, ExtractedArticle, ReformMentioned, derive_id
from schemas.extraction import Evidence, Extraction, Metric, Province, Topic
from services.alerts.app import create_app
from services.alerts.consumer import GROUP_ID
from tests.alerts_helpers import Receiver, consumed
from tests.conftest import ServerThread, wait_until
from tests.kafka_helpers import produce, read_topic

KEY = {"Authorization": "Bearer key-test"}
PROVINCES = {"Quảng Ninh": "Quảng Ninh", "Hà Tĩnh": "Hà Tĩnh", "Yên Bái": "Lào Cai", "Cà Mau": "Cà Mau"}


def extracted(article_id: str, *, province: str, topics=("sap_xep_bo_may",), story_id: str | None = None,
              metric: float | None = None) -> ExtractedArticle:
    sentence = f"Tỉnh {province} sắp xếp tổ chức bộ máy, giảm {metric or 3} phòng, ban."
    ev = [Evidence(start=0, end=len(sentence), sentence=sentence)]
    return ExtractedArticle(
        article_id=article_id, story_id=story_id or article_id, raw_text=sentence, url=f"https://news.example/{article_id}",
        received_at=datetime.now(UTC),
        extraction=Extraction(
            engine_version="test", title=f"{province}: tin {article_id}", clean_text=sentence,
            provinces=[Province(name=province, name_2025=PROVINCES[province], evidence=ev)],
            topics=[Topic(id=t, evidence=ev) for t in topics],
            metrics=[Metric(action="giảm", value=metric, unit="phòng, ban", evidence=ev)] if metric else [],
        ),
    )


def publish(settings, article: ExtractedArticle) -> None:
    event = ArticleExtracted.wrap(article, subject=article.article_id, event_id=derive_id("extracted", article.article_id))
    produce(settings.kafka_bootstrap, settings.topic_extracted, event.to_bytes(), key=article.article_id.encode())


# One alerts service for the module: joining a consumer group takes the broker a few seconds.
@pytest.fixture(scope="module")
def settings(broker, tmp_path_factory):
    from common.kafka import ensure_topics
    from common.settings import Settings

    suffix = os.urandom(4).hex()
    s = Settings(data_dir=tmp_path_factory.mktemp("alerts") / "data", kafka_bootstrap=broker, topic_partitions=1,
                 topic_raw=f"raw-{suffix}", topic_extracted=f"extracted-{suffix}", topic_mentions=f"mentions-{suffix}",
                 topic_dlq=f"dlq-{suffix}", publish_timeout_s=5.0, query_port=8801,
                 alerts_api_keys={"tester": SecretStr("key-test")}, alerts_webhook_allowlist=["127.0.0.1"],
                 alerts_max_attempts=3, alerts_backoff_base_s=0.05, alerts_backoff_max_s=0.2,
                 alerts_delivery_timeout_s=2.0, alerts_poll_interval_s=0.1, alerts_digest_min_interval_s=1)
    asyncio.run(ensure_topics(s))
    return s


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    with ServerThread(r.app) as server:
        r.base_url = server.url
        yield r


async def resolve(host: str, port: int) -> list[str]:
    """DNS for the tests: `*.test` names from RESOLVES (what they point at can change), the rest as usual."""
    if host.endswith(".test"):
        return list(RESOLVES[host])
    return await system_resolver(host, port)


RESOLVES: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def alerts(settings) -> Iterator[str]:
    with ServerThread(create_app(settings, resolver=resolve)) as server:
        wait_until(lambda: httpx.get(f"{server.url}/readyz").status_code == 200, timeout=60, message="alerts ready")
        yield server.url


@pytest.fixture(autouse=True)
def unsubscribe_afterwards(alerts):
    yield
    for sub in httpx.get(f"{alerts}/v1/subscriptions", headers=KEY).json()["subscriptions"]:
        httpx.delete(f"{alerts}/v1/subscriptions/{sub['id']}", headers=KEY)


def subscribe(alerts: str, receiver: Receiver, hook: str, **filter_) -> dict:
    body = {"name": hook, "webhook_url": receiver.url(hook), "filter": filter_}
    if "mode" in filter_:
        body["mode"] = filter_.pop("mode")
    response = httpx.post(f"{alerts}/v1/subscriptions", json=body, headers=KEY)
    assert response.status_code == 201, response.text
    return response.json()


def deliveries(alerts: str, sub: dict, **params) -> list[dict]:
    response = httpx.get(f"{alerts}/v1/subscriptions/{sub['id']}/deliveries", params=params, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def settled(alerts: str, sub: dict, count: int) -> list[dict]:
    """Wait until the subscription has `count` deliveries and none is still pending."""
    def done():
        found = deliveries(alerts, sub)
        return found if len(found) == count and all(d["status"] != "pending" for d in found) else None
    return wait_until(done, timeout=30, message=f"{count} settled deliveries for {sub['name']}")


def test_matching_articles_are_delivered_once_each_signed(alerts, receiver, settings):
    by_topic = subscribe(alerts, receiver, "topic", topics=["sap_xep_bo_may"])
    by_province = subscribe(alerts, receiver, "province", provinces=["Quảng Ninh"])
    by_new_name = subscribe(alerts, receiver, "lao-cai", provinces=["Lào Cai"])
    never = subscribe(alerts, receiver, "never", provinces=["Cà Mau"], topics=["sap_xep_bo_may"])
    articles = [extracted("qn-1", province="Quảng Ninh"), extracted("ht-1", province="Hà Tĩnh"),
                extracted("yb-1", province="Yên Bái"), extracted("cm-1", province="Cà Mau", topics=("kinh_te_xa_hoi",))]
    for article in articles:
        publish(settings, article)

    settled(alerts, by_topic, 3)
    settled(alerts, by_province, 1)
    settled(alerts, by_new_name, 1)
    wait_until(lambda: consumed(settings.kafka_bootstrap, GROUP_ID, settings.topic_extracted), message="all consumed")
    assert sorted(r.event["data"]["articles"][0]["article_id"] for r in receiver.received("topic")) == ["ht-1", "qn-1", "yb-1"]
    assert [r.event["data"]["articles"][0]["article_id"] for r in receiver.received("province")] == ["qn-1"]
    assert [r.event["data"]["articles"][0]["article_id"] for r in receiver.received("lao-cai")] == ["yb-1"]
    assert receiver.received("never") == [] and deliveries(alerts, never) == []

    [alert] = receiver.received("province")
    assert alert.signed_by(by_province["secret"]) and not alert.signed_by(by_topic["secret"])
    assert alert.headers["content-type"] == "application/cloudevents+json"
    assert alert.headers["x-provnews-delivery"] == alert.event["id"] == alert.delivery_id
    event = alert.event
    assert event["type"] == "org.provnews.reform.alert.v1" and event["specversion"] == "1.0"
    data = event["data"]
    assert data["subscription_id"] == by_province["id"] and data["mode"] == "instant"
    article = data["articles"][0]
    assert article["title"] == "Quảng Ninh: tin qn-1" and article["url"] == "https://news.example/qn-1"
    assert article["provinces"] == ["Quảng Ninh"] and article["link"] == "http://127.0.0.1:8801/v1/articles/qn-1"
    assert article["matches"][0]["topic"] == "sap_xep_bo_may"
    assert article["matches"][0]["evidence"] == ["Tỉnh Quảng Ninh sắp xếp tổ chức bộ máy, giảm 3 phòng, ban."]
    [record] = deliveries(alerts, by_province)
    assert record["status"] == "delivered" and record["article_ids"] == ["qn-1"]
    assert [(a["number"], a["outcome"], a["status_code"]) for a in record["attempts"]] == [(1, "delivered", 200)]
    assert record["attempts"][0]["latency_ms"] >= 0


def test_replays_reposts_and_other_outlets_do_not_deliver_again(alerts, receiver, settings):
    sub = subscribe(alerts, receiver, "once", provinces=["Quảng Ninh"])
    first = extracted("qn-2", province="Quảng Ninh")
    publish(settings, first)
    settled(alerts, sub, 1)
    publish(settings, first)  # replayed as is
    publish(settings, extracted("qn-2", province="Quảng Ninh"))  # posted again: same article, new event
    publish(settings, extracted("qn-2-other-outlet", province="Quảng Ninh", story_id="qn-2"))  # same story elsewhere
    publish(settings, extracted("qn-3", province="Quảng Ninh"))  # a new story: the only new delivery
    settled(alerts, sub, 2)
    wait_until(lambda: consumed(settings.kafka_bootstrap, GROUP_ID, settings.topic_extracted), message="all consumed")
    assert sorted(r.event["data"]["articles"][0]["article_id"] for r in receiver.received("once")) == ["qn-2", "qn-3"]
    assert len(deliveries(alerts, sub)) == 2


def test_a_receiver_failing_twice_gets_the_alert_on_the_third_attempt(alerts, receiver, settings):
    receiver.script("flaky", 500, 500)
    sub = subscribe(alerts, receiver, "flaky", provinces=["Hà Tĩnh"])
    publish(settings, extracted("ht-2", province="Hà Tĩnh"))
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "delivered"
    assert [(a["outcome"], a["status_code"]) for a in record["attempts"]] == [
        ("failed", 500), ("failed", 500), ("delivered", 200)]
    assert all(a["next_retry_at"] for a in record["attempts"][:2]) and record["attempts"][2]["next_retry_at"] is None
    got = receiver.received("flaky")
    assert [r.status for r in got] == [500, 500, 200]
    assert len({r.body for r in got}) == 1 and len({r.delivery_id for r in got}) == 1  # the same alert each time
    assert all(r.signed_by(sub["secret"]) for r in got)


def test_a_dead_receiver_ends_dead_is_listed_and_can_be_redelivered(alerts, receiver, settings):
    receiver.always("down", 503)
    sub = subscribe(alerts, receiver, "down", provinces=["Hà Tĩnh"])
    publish(settings, extracted("ht-3", province="Hà Tĩnh"))
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "dead"
    assert record["dead_reason"] == "gave up after 3 attempts: HTTP 503"
    assert [(a["number"], a["outcome"], a["status_code"]) for a in record["attempts"]] == [
        (1, "failed", 503), (2, "failed", 503), (3, "failed", 503)]
    assert deliveries(alerts, sub, status="dead")[0]["id"] == record["id"]
    assert deliveries(alerts, sub, status="delivered") == []

    receiver.always("down", 200)
    again = httpx.post(f"{alerts}/v1/deliveries/{record['id']}/redeliver", headers=KEY)
    assert again.status_code == 202 and again.json() == {"id": record["id"], "status": "pending"}
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "delivered" and record["attempts"][-1]["outcome"] == "delivered"
    assert len(record["attempts"]) == 4
    assert receiver.acknowledged("down")[0].delivery_id == record["id"]
    not_dead = httpx.post(f"{alerts}/v1/deliveries/{record['id']}/redeliver", headers=KEY)
    assert not_dead.status_code == 409 and not_dead.json()["error"] == "not_dead"


@pytest.mark.parametrize("status", [400, 404, 410])
def test_a_4xx_answer_is_not_retried(alerts, receiver, settings, status):
    receiver.always(f"refuses-{status}", status)
    sub = subscribe(alerts, receiver, f"refuses-{status}", provinces=["Hà Tĩnh"])
    publish(settings, extracted(f"ht-4-{status}", province="Hà Tĩnh"))
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "dead" and record["dead_reason"] == f"not retried: HTTP {status}"
    assert len(record["attempts"]) == 1 and len(receiver.received(f"refuses-{status}")) == 1


def test_retry_after_is_honoured(alerts, receiver, settings):
    receiver.script("busy", (429, {"Retry-After": "1"}))
    sub = subscribe(alerts, receiver, "busy", provinces=["Hà Tĩnh"])
    publish(settings, extracted("ht-5", province="Hà Tĩnh"))
    [record] = settled(alerts, sub, 1)
    first, second = record["attempts"]
    assert (first["status_code"], second["status_code"]) == (429, 200)
    scheduled = datetime.fromisoformat(first["next_retry_at"]) - datetime.fromisoformat(first["started_at"])
    assert scheduled.total_seconds() >= 1.0  # what was planned, not how long it took


def test_a_slow_receiver_does_not_hold_up_the_others(alerts, receiver, settings):
    receiver.hold("slow")
    slow = subscribe(alerts, receiver, "slow", provinces=["Quảng Ninh"])
    fast = subscribe(alerts, receiver, "fast", provinces=["Quảng Ninh"])
    publish(settings, extracted("qn-4", province="Quảng Ninh"))
    publish(settings, extracted("qn-5", province="Quảng Ninh"))
    settled(alerts, fast, 2)
    assert receiver.waiting("slow") >= 1 and receiver.received("slow") == []
    receiver.release("slow")
    assert [d["status"] for d in settled(alerts, slow, 2)] == ["delivered", "delivered"]


def test_a_timeout_is_retried(alerts, receiver, settings):
    receiver.hold("stuck")
    sub = subscribe(alerts, receiver, "stuck", provinces=["Quảng Ninh"])
    publish(settings, extracted("qn-6", province="Quảng Ninh"))

    def timed_out():
        found = deliveries(alerts, sub)
        return found and any("timeout" in (a["error"] or "") for a in found[0]["attempts"])
    wait_until(timed_out, timeout=30, message="an attempt timed out")
    receiver.release("stuck")
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "delivered"
    assert record["attempts"][0]["outcome"] == "failed" and record["attempts"][0]["error"] == "timeout after 2 s"


def test_a_name_pointed_at_a_private_address_later_is_refused_at_delivery(alerts, settings):
    RESOLVES["hooks.rebind.test"] = ["93.184.216.34"]
    response = httpx.post(f"{alerts}/v1/subscriptions", headers=KEY, json={
        "name": "rebind", "webhook_url": "https://hooks.rebind.test/alerts", "filter": {"provinces": ["Quảng Ninh"]}})
    assert response.status_code == 201, response.text
    sub = response.json()
    RESOLVES["hooks.rebind.test"] = ["10.0.0.1"]  # DNS now says: somewhere inside
    publish(settings, extracted("qn-7", province="Quảng Ninh"))
    [record] = settled(alerts, sub, 1)
    assert record["status"] == "dead" and len(record["attempts"]) == 1
    assert record["attempts"][0]["error"].startswith("webhook_url_refused: hooks.rebind.test resolves to 10.0.0.1")


def test_digest_mode_batches_an_interval_into_one_delivery(alerts, receiver, settings):
    sub = subscribe(alerts, receiver, "digest", provinces=["Quảng Ninh"], mode="digest")
    for n in range(3):
        publish(settings, extracted(f"qn-d{n}", province="Quảng Ninh"))
    wait_until(lambda: consumed(settings.kafka_bootstrap, GROUP_ID, settings.topic_extracted), message="all consumed")
    assert deliveries(alerts, sub) == []  # an hour's interval has not passed
    changed = httpx.patch(f"{alerts}/v1/subscriptions/{sub['id']}", json={"digest_interval": 1}, headers=KEY)
    assert changed.status_code == 200, changed.text
    [record] = settled(alerts, sub, 1)
    assert record["mode"] == "digest" and sorted(record["article_ids"]) == ["qn-d0", "qn-d1", "qn-d2"]
    [alert] = receiver.received("digest")
    assert alert.signed_by(sub["secret"])
    assert alert.event["data"]["mode"] == "digest"
    assert sorted(a["article_id"] for a in alert.event["data"]["articles"]) == ["qn-d0", "qn-d1", "qn-d2"]


def test_an_undecodable_event_goes_to_the_dlq_and_the_rest_is_delivered(alerts, receiver, settings):
    sub = subscribe(alerts, receiver, "after-poison", provinces=["Quảng Ninh"])
    produce(settings.kafka_bootstrap, settings.topic_extracted, b"\x00 not an event", key=b"poison")
    publish(settings, extracted("qn-8", province="Quảng Ninh"))
    settled(alerts, sub, 1)
    letters = read_topic(settings.kafka_bootstrap, settings.topic_dlq, want=lambda m: any(x.key == b"poison" for x in m),
                         timeout=10)
    letter = next(json.loads(m.value) for m in letters if m.key == b"poison")
    assert letter["data"]["stage"] == "alerts" and letter["data"]["error"] == "undecodable_event"
    assert letter["data"]["original_topic"] == settings.topic_extracted


def test_mentions_stream_live_filtered_by_province(alerts, settings):
    from common.mentions import reform_mentions

    with httpx.Client(timeout=30) as client, client.stream(
            "GET", f"{alerts}/v1/mentions/stream", params={"province": "lao cai"}) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines) == "event: ready"
        for article in (extracted("cm-s", province="Cà Mau"), extracted("yb-s", province="Yên Bái")):
            for mention in reform_mentions(article):
                event = ReformMentioned.wrap(mention, subject=article.article_id, event_id=mention.mention_id)
                produce(settings.kafka_bootstrap, settings.topic_mentions, event.to_bytes(), key=article.article_id.encode())
        assert next(line for line in lines if line.startswith("event: ")) == "event: status"
        assert next(line for line in lines if line.startswith("event: ")) == "event: reform.mention"
        data = next(line for line in lines if line.startswith("data: "))
    mention = json.loads(data.removeprefix("data: "))
    assert mention["type"] == "org.provnews.reform.mentioned.v1"
    assert mention["data"]["article_id"] == "yb-s" and mention["data"]["provinces_2025"] == ["Lào Cai"]


def test_a_stream_with_an_unknown_topic_is_refused(alerts):
    response = httpx.get(f"{alerts}/v1/mentions/stream", params={"topic": "nope"})
    assert response.status_code == 422 and response.json()["error"] == "unknown_topic"
