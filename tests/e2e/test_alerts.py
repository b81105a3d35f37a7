"""Articles in by HTTP, alerts out to a webhook receiver on loopback, with every service running as `provnews up` runs them.

What each subscription should get is computed from the engine's own output on the seeds, so these
tests follow the engine as it improves. Backoff is shortened; nothing here asserts on timing.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Iterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from schemas.extraction import TOPIC_IDS
from services.alerts.consumer import GROUP_ID
from services.extract.engine import extract
from tests.alerts_helpers import Receiver, consumed
from tests.conftest import SEEDS, ServerThread, make_stack, wait_until
from tests.kafka_helpers import end_offsets, read_topic

KEY = {"Authorization": "Bearer key-e2e"}
TOPIC = "sap_xep_bo_may"
PROVINCE = "Quảng Ninh"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = make_stack(tmp_path_factory.mktemp("alerts-stack"))
    s.env.update({
        "PROVNEWS_ALERTS_API_KEYS": json.dumps({"e2e": "key-e2e"}),
        "PROVNEWS_ALERTS_WEBHOOK_ALLOWLIST": json.dumps(["127.0.0.1"]),
        "PROVNEWS_ALERTS_MAX_ATTEMPTS": "3",
        "PROVNEWS_ALERTS_BACKOFF_BASE_S": "0.05",
        "PROVNEWS_ALERTS_BACKOFF_MAX_S": "0.2",
        "PROVNEWS_ALERTS_POLL_INTERVAL_S": "0.1",
        "PROVNEWS_ALERTS_DELIVERY_TIMEOUT_S": "10",
    })
    s.start("--no-seeds")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    with ServerThread(r.app) as server:
        r.base_url = server.url
        yield r


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}


def subscribe(stack, receiver: Receiver, hook: str, filter_: dict) -> dict:
    response = httpx.post(f"{stack.url('alerts')}/v1/subscriptions", headers=KEY, timeout=30,
                          json={"name": hook, "webhook_url": receiver.url(hook), "filter": filter_})
    assert response.status_code == 201, response.text
    return response.json()


def deliveries(stack, sub: dict) -> list[dict]:
    response = httpx.get(f"{stack.url('alerts')}/v1/subscriptions/{sub['id']}/deliveries", headers=KEY, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def post(stack, text: str) -> str:
    response = httpx.post(f"{stack.url('ingest')}/v1/articles", json={"text": text}, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def indexed(stack, article_id: str) -> dict | None:
    response = httpx.get(f"{stack.url('query')}/v1/articles/{article_id}", timeout=10)
    return response.json() if response.status_code == 200 else None


def all_consumed(stack) -> bool:
    return consumed(stack.bootstrap, GROUP_ID, stack.settings().topic_extracted)


def delivered_articles(receiver: Receiver, hook: str) -> list[str]:
    return sorted(a["article_id"] for r in receiver.acknowledged(hook) for a in r.event["data"]["articles"])


def replay(bootstrap: str, topic: str, messages) -> None:
    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
        await producer.start()
        try:
            for m in messages:
                await producer.send_and_wait(topic, value=m.value, key=m.key)
        finally:
            await producer.stop()

    asyncio.run(run())


class TestSeeds:
    """One scenario in steps: subscribe, ingest the seeds, then post them again and replay the topic."""

    subs: dict[str, dict] = {}
    ids: dict[str, str] = {}

    def test_subscriptions_get_exactly_the_matching_seed_articles_signed(self, stack, receiver, seeds):
        extractions = {name: extract(text) for name, text in seeds.items()}
        topics = {name: {t.id for t in ex.topics} for name, ex in extractions.items()}
        provinces = {name: {p.name for p in ex.provinces} | {p.name_2025 for p in ex.provinces}
                     for name, ex in extractions.items()}
        expected_topic = {name for name in seeds if TOPIC in topics[name]}
        expected_province = {name for name in seeds if PROVINCE in provinces[name]}
        assert expected_topic and expected_province, "the seeds no longer mention the topic or the province"
        absent_topics = sorted(set(TOPIC_IDS) - set().union(*topics.values()))
        absent_province = next(p for p in ("Cà Mau", "Điện Biên", "Kon Tum") if not any(p in v for v in provinces.values()))

        subs = TestSeeds.subs
        subs["topic"] = subscribe(stack, receiver, "topic", {"topics": [TOPIC]})
        subs["province"] = subscribe(stack, receiver, "province", {"provinces": [PROVINCE.lower()]})
        subs["elsewhere"] = subscribe(stack, receiver, "elsewhere", {"provinces": [absent_province]})
        subs["both"] = subscribe(stack, receiver, "both", {"topics": [TOPIC], "provinces": [absent_province]})
        if absent_topics:
            subs["absent-topic"] = subscribe(stack, receiver, "absent-topic", {"topics": absent_topics})

        ids = TestSeeds.ids
        for name, text in seeds.items():
            ids[name] = post(stack, text)
        for name, article_id in ids.items():
            wait_until(lambda: indexed(stack, article_id), timeout=60, message=f"{name} indexed")
        stories = {indexed(stack, article_id)["story_id"] for article_id in ids.values()}
        assert len(stories) == len(seeds), "two seeds are one story: one delivery per story would be expected"

        want_topic = sorted(ids[name] for name in expected_topic)
        want_province = sorted(ids[name] for name in expected_province)
        wait_until(lambda: delivered_articles(receiver, "topic") == want_topic, timeout=60, message="topic alerts")
        wait_until(lambda: delivered_articles(receiver, "province") == want_province, timeout=60,
                   message="province alerts")
        wait_until(lambda: all_consumed(stack), timeout=60, message="alerts consumed every extracted article")

        for hook in ("elsewhere", "both", "absent-topic"):
            assert receiver.received(hook) == [], hook
            if hook in subs:
                assert deliveries(stack, subs[hook]) == [], hook
        for hook in ("topic", "province"):
            for alert in receiver.received(hook):
                assert alert.signed_by(subs[hook]["secret"]), hook
                article = alert.event["data"]["articles"][0]
                assert article["link"] == f"{stack.url('query')}/v1/articles/{article['article_id']}"
                assert article["matches"] and all(m["evidence"] for m in article["matches"] if m["kind"] == "topic")
            assert all(d["status"] == "delivered" for d in deliveries(stack, subs[hook]))
        for alert in receiver.received("topic"):
            assert TOPIC in [m["topic"] for m in alert.event["data"]["articles"][0]["matches"]]
        for alert in receiver.received("province"):
            article = alert.event["data"]["articles"][0]
            assert PROVINCE in article["provinces"] + article["provinces_2025"]

    def test_posting_again_and_replaying_the_topic_deliver_nothing_new(self, stack, receiver, seeds):
        if not TestSeeds.ids:
            pytest.skip("needs the previous step")
        topic = stack.settings().topic_extracted
        before = {hook: len(receiver.received(hook)) for hook in TestSeeds.subs}
        published = sum(end_offsets(stack.bootstrap, topic).values())

        for text in seeds.values():
            assert post(stack, text) in TestSeeds.ids.values()  # the same ids: the same articles
        wait_until(lambda: sum(end_offsets(stack.bootstrap, topic).values()) >= published + len(seeds), timeout=60,
                   message="re-posted articles extracted again")
        everything = read_topic(stack.bootstrap, topic, want=lambda m: len(m) >= published + len(seeds), timeout=20)
        replay(stack.bootstrap, topic, everything)  # the whole topic again, from the start
        wait_until(lambda: sum(end_offsets(stack.bootstrap, topic).values()) >= 2 * len(everything), timeout=30,
                   message="replayed")
        wait_until(lambda: all_consumed(stack), timeout=60, message="alerts consumed the replay")

        assert {hook: len(receiver.received(hook)) for hook in TestSeeds.subs} == before
        for sub in TestSeeds.subs.values():
            assert all(d["status"] == "delivered" for d in deliveries(stack, sub))


def test_killed_between_match_and_delivery_it_delivers_after_restart_once(stack, receiver):
    text = "Tỉnh Quảng Ninh đã giảm 12 phòng, ban, chi cục sau khi sắp xếp tổ chức bộ máy. Mã kiểm thử zebra42."
    assert extract(text).topics, "the engine no longer finds a reform topic here"
    receiver.hold("killed")
    sub = subscribe(stack, receiver, "killed", {"keywords": ["zebra42"]})
    article_id = post(stack, text)
    wait_until(lambda: receiver.waiting("killed") == 1, timeout=60, message="the alert is on its way")

    old_pid = stack.pid("alerts")
    os.kill(old_pid, signal.SIGKILL)  # the match is in the outbox; the receiver has not answered yet
    receiver.release("killed")
    wait_until(lambda: stack.pid("alerts") != old_pid, timeout=60, message="the supervisor restarts alerts")

    def settled():
        try:
            found = deliveries(stack, sub)
        except httpx.HTTPError:
            return None
        return found if found and found[0]["status"] == "delivered" else None

    [record] = wait_until(settled, timeout=60, message="delivered after the restart")
    assert record["article_ids"] == [article_id]
    assert [a["outcome"] for a in record["attempts"]] == ["interrupted", "delivered"]
    wait_until(lambda: all_consumed(stack), timeout=60, message="alerts consumed everything")
    assert [a["outcome"] for a in deliveries(stack, sub)[0]["attempts"]] == ["interrupted", "delivered"]
    got = receiver.received("killed")
    assert {r.delivery_id for r in got} == {record["id"]}  # one alert; the interrupted try is the same one
    assert len(receiver.acknowledged("killed")) <= 2 and len(got) == 2
    assert all(r.signed_by(sub["secret"]) for r in got)


def test_a_private_webhook_address_is_refused(stack):
    response = httpx.post(f"{stack.url('alerts')}/v1/subscriptions", headers=KEY, timeout=30, json={
        "name": "intranet", "webhook_url": "https://192.168.1.20/hook", "filter": {"topics": [TOPIC]}})
    assert response.status_code == 422
    assert response.json()["error"] == "webhook_url_refused"
    assert "192.168.1.20, which is private" in response.json()["detail"]
    unauthorised = httpx.get(f"{stack.url('alerts')}/v1/subscriptions", timeout=30)
    assert unauthorised.status_code == 401 and unauthorised.json()["error"] == "unauthorized"
