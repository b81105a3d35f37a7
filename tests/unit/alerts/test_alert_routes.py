"""The alerts routes with their dependencies overridden: an in-memory store (tests.fakes_alerts), DNS that
answers a public address, and a recorded delivery poke. No lifespan, no SQLite, no port: httpx calls the
app in-process, so whatever a route reaches beyond its dependencies fails these tests."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from common.mention_filters import Filter
from common.public_urls import Allowlist
from common.settings import Settings
from schemas.events import AlertedArticle
from services.alerts.app import create_app
from services.alerts.dependencies import WebhookRules, poke_of, store_of, webhook_rules_of
from services.alerts.ports import NewMatch, Subscription
from services.alerts.retry import AttemptResult
from tests.fakes_alerts import FakeAlertStore

ALICE, BOB = {"Authorization": "Bearer key-alice"}, {"Authorization": "Bearer key-bob"}
NOW = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)


async def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]  # what DNS would answer; nothing connects to it


@pytest.fixture
def store() -> FakeAlertStore:
    return FakeAlertStore()


@pytest.fixture
def pokes() -> list[str]:
    return []


@pytest.fixture
async def client(tmp_path, store, pokes):
    app = create_app(Settings(data_dir=tmp_path / "data", alerts_max_subscriptions_per_key=2,
                              alerts_api_keys={"alice": SecretStr("key-alice"), "bob": SecretStr("key-bob")}))
    app.dependency_overrides[store_of] = lambda: store
    app.dependency_overrides[webhook_rules_of] = lambda: WebhookRules(Allowlist.parse([]), public)
    app.dependency_overrides[poke_of] = lambda: lambda: pokes.append("poked")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://alerts") as http:
        yield http


def subscription(sub_id: str, owner: str) -> Subscription:
    return Subscription(id=sub_id, owner=owner, name=sub_id, webhook_url="https://hooks.example.com/in",
                        filter=Filter(topics=["sap_xep_bo_may"]), mode="instant", created_at=NOW, updated_at=NOW)


async def dead_delivery(store: FakeAlertStore, sub_id: str) -> str:
    """A delivery that failed for good, made through the store's own calls as the loops make it."""
    article = AlertedArticle(article_id="qn-1", story_id="qn-1", link="http://query/v1/articles/qn-1")
    assert await store.record_matches([NewMatch(sub_id, article, f"dlv-{sub_id}", b"{}")], 1.0) == [True]
    [claimed] = await store.claim_due(2.0, 10, {}, 1)
    await store.finish_attempt(claimed, AttemptResult(status_code=410), 3.0, status="dead", due_at=None,
                               dead_reason="not retried: HTTP 410")
    return claimed.id


async def test_a_subscription_is_created_in_the_store_the_app_is_handed(client, store):
    created = await client.post("/v1/subscriptions", headers=ALICE, json={
        "name": "Đắk Lắk", "webhook_url": "https://hooks.example.com/in", "filter": {"provinces": ["Đăk Lắk"]}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["filter"] == {"topics": [], "provinces": ["Đắk Lắk"], "persons": [], "documents": [], "keywords": [],
                              "metric": None}
    assert store.subscriptions[body["id"]].owner == "alice" and store.secrets[body["id"]] == body["secret"]
    listed = await client.get("/v1/subscriptions", headers=ALICE)
    assert [s["id"] for s in listed.json()["subscriptions"]] == [body["id"]]
    assert (await client.get("/v1/subscriptions", headers=BOB)).json() == {"subscriptions": []}


async def test_the_subscription_limit_comes_from_the_settings(client, store):
    for n in range(2):
        await store.create_subscription(subscription(f"sub_{n}", "alice"), "secret")
    refused = await client.post("/v1/subscriptions", headers=ALICE, json={
        "name": "third", "webhook_url": "https://hooks.example.com/in", "filter": {"topics": ["sap_xep_bo_may"]}})
    assert refused.status_code == 409 and refused.json()["error"] == "too_many_subscriptions"
    assert len(store.subscriptions) == 2


async def test_another_owners_subscription_is_not_found(client, store):
    await store.create_subscription(subscription("sub_a", "alice"), "secret")
    assert (await client.get("/v1/subscriptions/sub_a", headers=ALICE)).json()["name"] == "sub_a"
    for call in (client.get("/v1/subscriptions/sub_a", headers=BOB),
                 client.patch("/v1/subscriptions/sub_a", headers=BOB, json={"name": "mine now"}),
                 client.delete("/v1/subscriptions/sub_a", headers=BOB),
                 client.get("/v1/subscriptions/sub_a/deliveries", headers=BOB)):
        response = await call
        assert response.status_code == 404
        assert response.json() == {"status": 404, "error": "not_found", "detail": "no subscription with id 'sub_a'"}
    assert store.subscriptions["sub_a"].name == "sub_a"


async def test_a_deleted_subscription_is_gone_with_its_deliveries(client, store):
    await store.create_subscription(subscription("sub_a", "alice"), "secret")
    await dead_delivery(store, "sub_a")
    assert (await client.delete("/v1/subscriptions/sub_a", headers=ALICE)).status_code == 204
    assert store.subscriptions == {} and store.deliveries_by_id == {}
    assert (await client.get("/v1/subscriptions/sub_a", headers=ALICE)).status_code == 404


async def test_only_a_dead_delivery_is_redelivered_and_the_loop_is_woken(client, store, pokes):
    await store.create_subscription(subscription("sub_a", "alice"), "secret")
    delivery_id = await dead_delivery(store, "sub_a")
    assert (await client.post(f"/v1/deliveries/{delivery_id}/redeliver", headers=BOB)).status_code == 404
    again = await client.post(f"/v1/deliveries/{delivery_id}/redeliver", headers=ALICE)
    assert again.status_code == 202 and again.json() == {"id": delivery_id, "status": "pending"}
    assert pokes == ["poked"]
    twice = await client.post(f"/v1/deliveries/{delivery_id}/redeliver", headers=ALICE)
    assert twice.status_code == 409 and twice.json()["error"] == "not_dead"
    assert pokes == ["poked"]
    listed = (await client.get("/v1/subscriptions/sub_a/deliveries", headers=ALICE)).json()["deliveries"]
    assert [(d["id"], d["status"], d["article_ids"]) for d in listed] == [(delivery_id, "pending", ["qn-1"])]
    assert [a["outcome"] for a in listed[0]["attempts"]] == ["failed"]
