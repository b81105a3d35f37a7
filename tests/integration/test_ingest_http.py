"""The ingest service on a real loopback HTTP server, publishing to a real broker."""
from __future__ import annotations

import gzip
import http.client
import json

import httpx
import pytest

from services.ingest.app import create_app
from tests.kafka_helpers import end_offsets, read_topic

ARTICLE = {"text": "Tỉnh đã giảm 81 phòng, ban, chi cục và tương đương cấp tỉnh.", "title": "Tinh gọn bộ máy",
           "url": "https://baoyenbai.vn/tin/1", "source": "baoyenbai.vn", "published_at": "2018-03-09",
           "province_hint": "Yên Bái"}


@pytest.fixture
def ingest(settings, serve):
    return serve(create_app(settings)).url


def published(settings) -> int:
    return sum(end_offsets(settings.kafka_bootstrap, settings.topic_raw).values())


def test_accepted_article_is_on_the_topic_keyed_by_its_id(ingest, settings):
    response = httpx.post(f"{ingest}/v1/articles", json=ARTICLE)
    assert response.status_code == 202
    article_id = response.json()["id"]
    messages = read_topic(settings.kafka_bootstrap, settings.topic_raw, want=lambda m: len(m) >= 1)
    assert [m.key for m in messages] == [article_id.encode()]
    event = json.loads(messages[0].value)
    assert event["type"] == "org.provnews.article.received.v1" and event["subject"] == article_id
    assert event["data"]["text"] == ARTICLE["text"] and event["data"]["province_hint"] == "Yên Bái"
    assert dict(messages[0].headers)["content-type"] == b"application/cloudevents+json"


def test_same_article_twice_gets_the_same_id(ingest):
    first = httpx.post(f"{ingest}/v1/articles", json=ARTICLE).json()["id"]
    second = httpx.post(f"{ingest}/v1/articles", json={**ARTICLE, "url": "http://www.baoyenbai.vn/tin/1#x"}).json()["id"]
    assert first == second


@pytest.mark.parametrize("body,status,error,detail", [
    (b'{"text": ""}', 422, "invalid_article", "text: String should have at least 1 character"),
    (b'{"text": 5}', 422, "invalid_article", "text: Input should be a valid string"),
    (b'{"text": "x", "url": "ftp//nope"}', 422, "invalid_article", "url:"),
    (b'{"text": "x", "extra": true}', 422, "invalid_article", "extra: Extra inputs are not permitted"),
    (b'[1, 2]', 422, "invalid_article", "the body must be a JSON object"),
    (b'{"text": "x"', 400, "invalid_json", "the body is not valid JSON"),
    (b'{"text": "\xff\xfe"}', 400, "undecodable_body", "the body is not UTF-8"),
])
def test_bad_input_is_refused_with_a_reason_and_nothing_is_published(ingest, settings, body, status, error, detail):
    before = published(settings)
    response = httpx.post(f"{ingest}/v1/articles", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"] == error
    assert detail in response.json()["detail"]
    assert published(settings) == before


def test_wrong_content_type_is_415(ingest, settings):
    before = published(settings)
    response = httpx.post(f"{ingest}/v1/articles", content=b"text", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json() == {"status": 415, "error": "unsupported_media_type",
                               "detail": "content type 'text/plain' is not accepted here; send application/json"}
    assert published(settings) == before


def test_body_over_one_mebibyte_is_413(ingest, settings):
    before = published(settings)
    response = httpx.post(f"{ingest}/v1/articles", json={"text": "a" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert published(settings) == before


def test_batch_answers_per_line(ingest, settings):
    lines = [json.dumps(ARTICLE), "", '{"text": ""}', "not json", json.dumps({"text": "Xã giảm 2 thôn."})]
    response = httpx.post(f"{ingest}/v1/articles:batch", content="\n".join(lines).encode(),
                          headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 207
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    assert [(r["line"], r["status"]) for r in body["results"]] == [(1, 202), (3, 422), (4, 400), (5, 202)]
    assert body["results"][1]["error"] == "invalid_article"
    keys = {m.key for m in read_topic(settings.kafka_bootstrap, settings.topic_raw, want=lambda m: len(m) >= 2)}
    assert keys == {body["results"][0]["id"].encode(), body["results"][3]["id"].encode()}


def test_batch_all_good_is_202_and_empty_batch_is_422(ingest):
    ok = httpx.post(f"{ingest}/v1/articles:batch", content=json.dumps(ARTICLE).encode() + b"\n",
                    headers={"content-type": "application/x-ndjson"})
    assert ok.status_code == 202 and ok.json()["accepted"] == 1
    empty = httpx.post(f"{ingest}/v1/articles:batch", content=b"\n\n", headers={"content-type": "application/x-ndjson"})
    assert empty.status_code == 422 and empty.json()["error"] == "empty_batch"
    wrong = httpx.post(f"{ingest}/v1/articles:batch", content=b"{}", headers={"content-type": "application/json"})
    assert wrong.status_code == 415


def test_broker_unreachable_is_503_with_retry_after(tmp_path, serve, closed_port):
    from common.settings import Settings

    nowhere = Settings(data_dir=tmp_path, kafka_bootstrap=f"127.0.0.1:{closed_port}", publish_timeout_s=2.0)
    url = serve(create_app(nowhere)).url
    response = httpx.post(f"{url}/v1/articles", json=ARTICLE, timeout=30)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == "broker_unavailable"
    assert httpx.get(f"{url}/readyz", timeout=30).status_code == 503
    assert httpx.get(f"{url}/healthz").status_code == 200


def test_ready_and_documented(ingest):
    assert httpx.get(f"{ingest}/readyz").json() == {"status": "ready"}
    spec = httpx.get(f"{ingest}/openapi.json").json()
    assert "/v1/articles" in spec["paths"] and "/v1/articles:batch" in spec["paths"]
    assert "ArticleSubmission" in spec["components"]["schemas"]
    assert httpx.get(f"{ingest}/docs").status_code == 200


def test_each_batch_line_is_answered_with_what_happened_to_it(tmp_path, serve, settings):
    """A deadline too short for the broker to acknowledge everything: a line answered refused must not be
    on the topic, an accepted one must be, and a send whose acknowledgement did not come in time is
    `unknown`, with its id (before, such lines were answered 503 and then published anyway)."""
    hurried = settings.model_copy(update={"publish_timeout_s": 0.2, "ingest_max_in_flight": 2000})
    url = serve(create_app(hurried)).url
    lines = [json.dumps({"text": f"Xã số {i} giảm {i % 90 + 2} thôn, tổ dân phố."}) for i in range(5000)]
    lines[7] = '{"text": ""}'
    response = httpx.post(f"{url}/v1/articles:batch", content="\n".join(lines).encode(), timeout=120,
                          headers={"content-type": "application/x-ndjson"})
    body = response.json()
    assert response.status_code in (202, 207, 503), body
    results = body["results"]
    refused = {r["id"] for r in results if r["status"] == 503}
    accepted = {r["id"] for r in results if r["status"] == 202}
    sent = sum(r["status"] in (202, 504) for r in results)  # 504: not acknowledged in time, may still arrive
    on_topic = {m.key.decode() for m in read_topic(settings.kafka_bootstrap, settings.topic_raw, timeout=10,
                                                   want=lambda m: len(m) >= sent)}
    assert accepted <= on_topic
    assert not (refused & on_topic), f"{len(refused & on_topic)} lines answered refused were published"
    outcomes = {r["outcome"] for r in results}
    assert outcomes <= {"accepted", "refused", "unknown", "invalid"}
    assert len(results) == body["lines"] == 5000  # every line answered (under the listing bound here)
    assert [r["line"] for r in results if r["outcome"] == "invalid"] == [8] and body["invalid"] == 1
    unknown = [r for r in results if r["outcome"] == "unknown"]
    assert all(r["id"] and r["status"] == 504 for r in unknown) and body["unknown"] == len(unknown)
    assert body["accepted"] == len(accepted) and body["refused"] == len(refused)
    assert on_topic <= accepted | {r["id"] for r in unknown}


def test_a_batch_of_invalid_lines_gets_a_bounded_answer(ingest, settings):
    before = published(settings)
    response = httpx.post(f"{ingest}/v1/articles:batch", content=b'{"text": 1}\n' * 50_000, timeout=60,
                          headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 207
    body = response.json()
    assert (body["lines"], body["invalid"], body["accepted"], body["rejected"]) == (50_000, 50_000, 0, 50_000)
    assert len(body["results"]) == 100 and body["not_listed"] == 49_900
    assert body["results"][0] == {"line": 1, "status": 422, "outcome": "invalid", "error": "invalid_article",
                                  "detail": "text: Input should be a valid string",
                                  "errors": [{"loc": ["text"], "msg": "Input should be a valid string",
                                              "type": "string_type"}]}
    assert len(response.content) < 50_000
    assert published(settings) == before


def test_a_gzip_body_is_decoded(ingest, settings):
    response = httpx.post(f"{ingest}/v1/articles", content=gzip.compress(json.dumps(ARTICLE).encode()),
                          headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert response.status_code == 202, response.text
    batch = httpx.post(f"{ingest}/v1/articles:batch", content=gzip.compress(json.dumps(ARTICLE).encode() + b"\n"),
                       headers={"content-type": "application/x-ndjson", "content-encoding": "gzip"})
    assert batch.status_code == 202 and batch.json()["accepted"] == 1


@pytest.mark.parametrize("body,encoding,status,error,detail", [
    # 2 MiB of one letter compresses to about 2 KB: the limit holds for what it becomes.
    (gzip.compress(b'{"text": "' + b"a" * (2 * 1024 * 1024) + b'"}'), "gzip", 413, "too_large",
     "the body is over 1048576 bytes once decompressed"),
    (b"not gzip at all", "gzip", 400, "undecodable_body", "the gzip body cannot be decompressed"),
    (gzip.compress(json.dumps(ARTICLE).encode())[:20], "gzip", 400, "undecodable_body", "the gzip body is cut short"),
    (json.dumps(ARTICLE).encode(), "br", 415, "unsupported_encoding", "content encoding 'br' is not accepted"),
    (json.dumps(ARTICLE).encode(), "deflate", 415, "unsupported_encoding", "send gzip or no encoding"),
])
def test_encoded_bodies_that_cannot_be_taken_are_refused_with_a_reason(ingest, settings, body, encoding, status,
                                                                        error, detail):
    before = published(settings)
    response = httpx.post(f"{ingest}/v1/articles", content=body,
                          headers={"content-type": "application/json", "content-encoding": encoding})
    assert response.status_code == status, response.text
    assert response.json()["error"] == error and detail in response.json()["detail"]
    assert published(settings) == before


def test_an_over_long_url_is_414(settings):
    from common.http import SERVER_OPTIONS
    from tests.conftest import ServerThread

    server = ServerThread(create_app(settings))
    for option, value in SERVER_OPTIONS.items():  # as `provnews serve` runs it
        setattr(server.server.config, option, value)
    with server:
        for length in (9 * 1024, 128 * 1024, 900 * 1024):  # httpx refuses to send such URLs: http.client does
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", "/healthz?q=" + "x" * length)
            response = connection.getresponse()
            assert response.status == 414, length
            assert json.loads(response.read()) == {"status": 414, "error": "uri_too_long",
                                                   "detail": "the URL's path and query are over 8192 bytes"}
            connection.close()
        assert httpx.get(f"{server.url}/healthz", params={"q": "x" * 4000}).status_code == 200


def test_white_space_only_text_is_documented_as_refused(ingest):
    schema = httpx.get(f"{ingest}/openapi.json").json()["components"]["schemas"]["ArticleSubmission"]
    assert schema["properties"]["text"]["pattern"] == r"[^\s\x1c-\x1f\x85]"
    response = httpx.post(f"{ingest}/v1/articles", json={"text": "\t"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_article"


def test_writers_need_a_key_when_ingest_has_keys(settings, serve):
    from pydantic import SecretStr

    url = serve(create_app(settings.model_copy(update={"ingest_api_keys": {"crawler": SecretStr("k-crawler")}}))).url
    before = published(settings)
    for headers, error in (({}, "unauthorized"), ({"authorization": "Bearer nope"}, "invalid_api_key")):
        for path, body, kind in (("/v1/articles", json.dumps(ARTICLE), "application/json"),
                                 ("/v1/articles:batch", json.dumps(ARTICLE) + "\n", "application/x-ndjson")):
            response = httpx.post(f"{url}{path}", content=body, headers={"content-type": kind, **headers})
            assert (response.status_code, response.json()["error"]) == (401, error), path
            assert response.headers["www-authenticate"] == "Bearer"
    assert published(settings) == before
    ok = httpx.post(f"{url}/v1/articles", json=ARTICLE, headers={"authorization": "Bearer k-crawler"})
    assert ok.status_code == 202


def test_keys_required_but_none_configured_says_so(settings, serve):
    url = serve(create_app(settings.model_copy(update={"ingest_require_keys": True}))).url
    response = httpx.post(f"{url}/v1/articles", json=ARTICLE, headers={"authorization": "Bearer anything"})
    assert response.status_code == 401
    assert response.json()["detail"] == "no API keys are configured: set PROVNEWS_INGEST_API_KEYS"


def test_wrong_keys_are_limited_per_address(settings, serve):
    from pydantic import SecretStr

    limited = settings.model_copy(update={"ingest_api_keys": {"crawler": SecretStr("k-crawler")},
                                          "auth_max_failures": 5, "auth_failure_window_s": 600})
    url = serve(create_app(limited)).url
    answers = [httpx.post(f"{url}/v1/articles", json=ARTICLE, headers={"authorization": f"Bearer guess-{n}"})
               for n in range(7)]
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
    assert answers[-1].json()["error"] == "too_many_failed_keys"
    assert 590 <= int(answers[-1].headers["retry-after"]) <= 600
    held = httpx.post(f"{url}/v1/articles", json=ARTICLE, headers={"authorization": "Bearer k-crawler"})
    assert held.status_code == 429  # while held, even the right key waits: guessing gains nothing
