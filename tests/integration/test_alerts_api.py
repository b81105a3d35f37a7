"""The subscription API on a real loopback server over its SQLite file: input checks, keys, ownership."""
from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from common.settings import Settings
from services.alerts.app import create_app

ALICE = {"Authorization": "Bearer key-alice"}
BOB = {"Authorization": "Bearer key-bob"}
PUBLIC_HOOK = "https://93.184.216.34/hooks/provnews"  # an address literal: no DNS needed to check it


def alerts_settings(tmp_path, **overrides) -> Settings:
    return Settings(data_dir=tmp_path / "data", **{
        "alerts_api_keys": {"alice": SecretStr("key-alice"), "bob": SecretStr("key-bob")},
        "alerts_digest_min_interval_s": 60, **overrides})


@pytest.fixture
def api(tmp_path, serve) -> str:
    return serve(create_app(alerts_settings(tmp_path), run_workers=False)).url


def subscription(**overrides) -> dict:
    return {"name": "Quảng Ninh reform", "webhook_url": PUBLIC_HOOK,
            "filter": {"topics": ["sap_xep_bo_may"], "provinces": ["quang ninh"]}, **overrides}


def test_create_read_change_delete(api):
    created = httpx.post(f"{api}/v1/subscriptions", json=subscription(), headers=ALICE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["filter"]["provinces"] == ["Quảng Ninh"]  # stored under its canonical name
    assert body["mode"] == "instant" and body["digest_interval"] is None
    sub_id = body["id"]

    got = httpx.get(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE).json()
    assert "secret" not in got and got["name"] == "Quảng Ninh reform"
    assert [s["id"] for s in httpx.get(f"{api}/v1/subscriptions", headers=ALICE).json()["subscriptions"]] == [sub_id]

    changed = httpx.patch(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE,
                          json={"mode": "digest", "filter": {"provinces": ["Lào Cai"]}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["mode"] == "digest" and changed.json()["digest_interval"] == 3600
    assert changed.json()["filter"]["topics"] == [] and changed.json()["name"] == "Quảng Ninh reform"
    back = httpx.patch(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE, json={"mode": "instant"}).json()
    assert back["digest_interval"] is None

    assert httpx.get(f"{api}/v1/subscriptions/{sub_id}/deliveries", headers=ALICE).json() == {"deliveries": []}
    assert httpx.delete(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE).status_code == 204
    gone = httpx.get(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE)
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"


def test_subscriptions_survive_a_restart(tmp_path, serve):
    first = serve(create_app(alerts_settings(tmp_path), run_workers=False))
    sub_id = httpx.post(f"{first.url}/v1/subscriptions", json=subscription(), headers=ALICE).json()["id"]
    first.__exit__(None, None, None)
    second = serve(create_app(alerts_settings(tmp_path), run_workers=False)).url
    assert httpx.get(f"{second}/v1/subscriptions/{sub_id}", headers=ALICE).json()["id"] == sub_id


@pytest.mark.parametrize("headers,error,detail", [
    ({}, "unauthorized", "send an API key as 'Authorization: Bearer <key>'"),
    ({"Authorization": "Basic a2V5"}, "unauthorized", "send an API key as 'Authorization: Bearer <key>'"),
    ({"Authorization": "Bearer wrong"}, "invalid_api_key", "the API key is not valid"),
])
def test_every_management_call_needs_a_valid_key(api, headers, error, detail):
    calls = [("POST", "/v1/subscriptions", subscription()), ("GET", "/v1/subscriptions", None),
             ("GET", "/v1/subscriptions/sub_x", None), ("PATCH", "/v1/subscriptions/sub_x", {"name": "x"}),
             ("DELETE", "/v1/subscriptions/sub_x", None), ("GET", "/v1/subscriptions/sub_x/deliveries", None),
             ("POST", "/v1/deliveries/d1/redeliver", None)]
    for method, path, body in calls:
        response = httpx.request(method, f"{api}{path}", json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.json() == {"status": 401, "error": error, "detail": detail}
        assert response.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{api}/v1/subscriptions", headers=ALICE).json() == {"subscriptions": []}


def test_no_configured_keys_means_no_access(tmp_path, serve):
    url = serve(create_app(Settings(data_dir=tmp_path), run_workers=False)).url
    response = httpx.get(f"{url}/v1/subscriptions", headers=ALICE)
    assert response.status_code == 401
    assert response.json()["detail"] == "no API keys are configured: set PROVNEWS_ALERTS_API_KEYS"


def test_a_key_sees_and_changes_only_its_own_subscriptions(api):
    mine = httpx.post(f"{api}/v1/subscriptions", json=subscription(), headers=ALICE).json()["id"]
    theirs = httpx.post(f"{api}/v1/subscriptions", json=subscription(name="Bob's"), headers=BOB).json()["id"]
    assert [s["id"] for s in httpx.get(f"{api}/v1/subscriptions", headers=BOB).json()["subscriptions"]] == [theirs]
    for method, path, body in [("GET", f"/v1/subscriptions/{mine}", None),
                               ("PATCH", f"/v1/subscriptions/{mine}", {"name": "taken"}),
                               ("DELETE", f"/v1/subscriptions/{mine}", None),
                               ("GET", f"/v1/subscriptions/{mine}/deliveries", None)]:
        response = httpx.request(method, f"{api}{path}", json=body, headers=BOB)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"status": 404, "error": "not_found", "detail": f"no subscription with id {mine!r}"}
    assert httpx.get(f"{api}/v1/subscriptions/{mine}", headers=ALICE).json()["name"] == "Quảng Ninh reform"


@pytest.mark.parametrize("body,error,detail", [
    (subscription(filter={"topics": ["sap_xep_bo_may", "tax_cuts"]}), "unknown_topic", "unknown topic id(s): tax_cuts"),
    (subscription(filter={"provinces": ["Atlantis"]}), "unknown_province", "unknown province(s): Atlantis"),
    (subscription(filter={}), "empty_filter", "the filter is empty"),
    (subscription(filter={"metric": {}}), "empty_filter", "the filter is empty"),
    (subscription(filter={"topic": ["sap_xep_bo_may"]}), "invalid_request", "filter.topic: Extra inputs are not permitted"),
    (subscription(webhook_url="not a url"), "invalid_webhook_url", "spaces"),
    (subscription(webhook_url="ftp://93.184.216.34/x"), "invalid_webhook_url", "must be http(s)://"),
    (subscription(webhook_url="http://93.184.216.34/x"), "webhook_url_refused", "plain HTTP to 93.184.216.34 is refused"),
    (subscription(webhook_url="https://10.0.0.7/x"), "webhook_url_refused", "10.0.0.7, which is private"),
    (subscription(webhook_url="https://169.254.169.254/latest"), "webhook_url_refused", "which is link-local"),
    (subscription(webhook_url="https://localhost:9/x"), "webhook_url_refused", "which is loopback"),
    (subscription(mode="digest", digest_interval=5), "invalid_digest_interval", "between 60 and 604800"),
    (subscription(digest_interval=600), "invalid_digest_interval", "only for mode 'digest'"),
    (subscription(mode="hourly"), "invalid_request", "mode: Input should be 'instant' or 'digest'"),
    ({"webhook_url": PUBLIC_HOOK, "filter": {"topics": ["sap_xep_bo_may"]}}, "invalid_request", "name: Field required"),
])
def test_bad_subscriptions_are_refused_with_the_reason(api, body, error, detail):
    response = httpx.post(f"{api}/v1/subscriptions", json=body, headers=ALICE)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == error
    assert detail in response.json()["detail"]
    assert httpx.get(f"{api}/v1/subscriptions", headers=ALICE).json() == {"subscriptions": []}


def test_a_change_is_checked_like_a_creation(api):
    sub_id = httpx.post(f"{api}/v1/subscriptions", json=subscription(), headers=ALICE).json()["id"]
    bad = httpx.patch(f"{api}/v1/subscriptions/{sub_id}", json={"webhook_url": "https://127.0.0.1/x"}, headers=ALICE)
    assert bad.status_code == 422 and bad.json()["error"] == "webhook_url_refused"
    null = httpx.patch(f"{api}/v1/subscriptions/{sub_id}", json={"filter": None}, headers=ALICE)
    assert null.status_code == 422 and null.json()["error"] == "invalid_request"
    assert httpx.get(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE).json()["webhook_url"] == PUBLIC_HOOK


def test_loopback_plain_http_is_accepted_only_when_allowlisted(tmp_path, serve):
    url = serve(create_app(alerts_settings(tmp_path, alerts_webhook_allowlist=["127.0.0.1"]), run_workers=False)).url
    ok = httpx.post(f"{url}/v1/subscriptions", json=subscription(webhook_url="http://127.0.0.1:9/hook"), headers=ALICE)
    assert ok.status_code == 201, ok.text
    other = httpx.post(f"{url}/v1/subscriptions", json=subscription(webhook_url="http://10.0.0.1/hook"), headers=ALICE)
    assert other.status_code == 422 and other.json()["error"] == "webhook_url_refused"


def test_redelivering_what_does_not_exist_is_404(api):
    response = httpx.post(f"{api}/v1/deliveries/nope/redeliver", headers=ALICE)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_documented(api):
    spec = httpx.get(f"{api}/openapi.json").json()
    assert {"/v1/subscriptions", "/v1/subscriptions/{subscription_id}", "/v1/subscriptions/{subscription_id}/deliveries",
            "/v1/deliveries/{delivery_id}/redeliver", "/v1/mentions/stream"} <= spec["paths"].keys()


_FILTER_START = '{"name": "n", "webhook_url": "' + PUBLIC_HOOK + '", "filter": '


@pytest.mark.parametrize("filter_json,error,detail", [
    ('{"metric": {"min_value": NaN}}', "invalid_request", "filter.metric.min_value: Input should be a finite number"),
    ('{"metric": {"min_value": Infinity}}', "invalid_request", "filter.metric.min_value: Input should be a finite number"),
    ('{"metric": {"min_value": -Infinity}}', "invalid_request", "filter.metric.min_value: Input should be a finite number"),
    ('{"metric": {"min_value": 1e309}}', "invalid_request", "filter.metric.min_value: Input should be a finite number"),
    ('{"topics": ["sap_xep_bo_may"], "metric": {"min_value": NaN}}', "invalid_request", "finite number"),
    ('{"metric": {"unit_contains": null, "min_value": null}}', "empty_filter", "the filter is empty"),
    ('{"topics": [], "provinces": [], "keywords": []}', "empty_filter", "the filter is empty"),
    ('{"topics": ["sap_xep_bo_may"], "metric": {}}', "empty_filter", "the metric filter is empty"),
    ('{"metric": {"unit_contains": "   "}}', "invalid_request", "unit_contains must not be blank"),
    ('{"metric": {"min_value": false}}', "invalid_request", "min_value must be a number, not true or false"),
])
def test_filters_that_would_match_everything_are_refused(api, filter_json, error, detail):
    """Non-finite thresholds used to be stored as null, which emptied the filter: every article matched."""
    body = _FILTER_START + filter_json + "}"
    response = httpx.post(f"{api}/v1/subscriptions", content=body,
                          headers={**ALICE, "content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == error and detail in response.json()["detail"]
    sub_id = httpx.post(f"{api}/v1/subscriptions", json=subscription(), headers=ALICE).json()["id"]
    change = httpx.patch(f"{api}/v1/subscriptions/{sub_id}", content='{"filter": ' + filter_json + "}",
                         headers={**ALICE, "content-type": "application/json"})
    assert change.status_code == 422 and change.json()["error"] == error
    assert httpx.get(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE).json()["filter"]["topics"] == ["sap_xep_bo_may"]
    httpx.delete(f"{api}/v1/subscriptions/{sub_id}", headers=ALICE)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e309"])
def test_the_mention_stream_refuses_non_finite_thresholds(api, value):
    response = httpx.get(f"{api}/v1/mentions/stream", params={"min_value": value})
    assert response.status_code == 422 and "finite number" in response.json()["detail"]


@pytest.mark.parametrize("body,headers,status,error,detail", [
    (b'{"name": "x"}', {}, 415, "unsupported_media_type",
     "content type '(none)' is not accepted here; send application/json"),
    (b'{"name": "x"}', {"content-type": "text/plain"}, 415, "unsupported_media_type",
     "content type 'text/plain' is not accepted here"),
    (b'{"name": ', {"content-type": "application/json"}, 400, "invalid_json", "the body is not valid JSON: "),
    (b"[1]", {"content-type": "application/json"}, 422, "invalid_request", "the body must be a JSON object"),
    (b'{"name": "\xff"}', {"content-type": "application/json"}, 400, "undecodable_body", "the body is not UTF-8"),
    (b"x" * 70_000, {"content-type": "application/json"}, 413, "too_large", "the body is over 65536 bytes"),
])
def test_bodies_are_refused_in_the_same_words_as_ingest(api, body, headers, status, error, detail):
    response = httpx.post(f"{api}/v1/subscriptions", content=body, headers={**ALICE, **headers})
    assert response.status_code == status, response.text
    assert response.json()["error"] == error and response.json()["detail"].startswith(detail)


def test_a_gzip_subscription_is_decoded(api):
    import gzip
    import json

    response = httpx.post(f"{api}/v1/subscriptions", content=gzip.compress(json.dumps(subscription()).encode()),
                          headers={**ALICE, "content-type": "application/json", "content-encoding": "gzip"})
    assert response.status_code == 201, response.text


def test_a_key_has_at_most_so_many_subscriptions(tmp_path, serve):
    url = serve(create_app(alerts_settings(tmp_path, alerts_max_subscriptions_per_key=3), run_workers=False)).url
    made = [httpx.post(f"{url}/v1/subscriptions", json=subscription(name=f"s{n}"), headers=ALICE) for n in range(4)]
    assert [m.status_code for m in made] == [201, 201, 201, 409]
    assert made[3].json() == {"status": 409, "error": "too_many_subscriptions",
                              "detail": "this API key already has 3 subscriptions, the most allowed; delete one first"}
    assert len(httpx.get(f"{url}/v1/subscriptions", headers=ALICE).json()["subscriptions"]) == 3
    assert httpx.post(f"{url}/v1/subscriptions", json=subscription(), headers=BOB).status_code == 201
    httpx.delete(f"{url}/v1/subscriptions/{made[0].json()['id']}", headers=ALICE)
    assert httpx.post(f"{url}/v1/subscriptions", json=subscription(), headers=ALICE).status_code == 201


def test_wrong_keys_are_answered_429_with_retry_after(tmp_path, serve):
    url = serve(create_app(alerts_settings(tmp_path, auth_max_failures=4, auth_failure_window_s=300),
                           run_workers=False)).url
    answers = [httpx.get(f"{url}/v1/subscriptions", headers={"Authorization": f"Bearer wrong-{n}"}) for n in range(6)]
    assert [a.status_code for a in answers] == [401] * 4 + [429] * 2
    assert answers[-1].json()["error"] == "too_many_failed_keys" and 290 <= int(answers[-1].headers["retry-after"]) <= 300
    assert httpx.get(f"{url}/v1/subscriptions", headers=ALICE).status_code == 429


def test_wrong_keys_are_counted_per_client_behind_a_trusted_proxy(tmp_path, serve):
    """The query API passes the explorer's calls on with X-Forwarded-For; only a peer uvicorn trusts
    (FORWARDED_ALLOW_IPS, by default 127.0.0.1) may name the client so."""
    from tests.conftest import ServerThread

    url = serve(create_app(alerts_settings(tmp_path, auth_max_failures=2), run_workers=False)).url

    def wrong(base: str, client: str | None):
        headers = {"Authorization": "Bearer wrong", **({"X-Forwarded-For": client} if client else {})}
        return httpx.get(f"{base}/v1/subscriptions", headers=headers).status_code

    assert [wrong(url, "203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert wrong(url, "203.0.113.8") == 401 and wrong(url, None) == 401  # others are not held up
    untrusting = ServerThread(create_app(alerts_settings(tmp_path / "b", auth_max_failures=2), run_workers=False))
    untrusting.server.config.forwarded_allow_ips = ""
    with untrusting:
        statuses = [wrong(untrusting.url, f"203.0.113.{n}") for n in range(3)]
    assert statuses == [401, 401, 429]  # a header anyone could send does not split the count
