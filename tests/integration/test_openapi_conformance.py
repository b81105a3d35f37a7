"""Schemathesis over the ingest, query and alerts OpenAPI, against real servers on loopback.

Every check schemathesis has (server errors, status codes, content types, headers, response schemas,
negative data refused, positive data accepted, …) on generated requests, a bounded number per
operation. The live feeds (Server-Sent Events) are left out: a stream never ends, so there is no
response to check; tests/integration/test_explorer_api.py and tests/e2e/test_live_feeds.py cover them.
"""
from __future__ import annotations

import asyncio
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode

from common.stores.sqlite_store import SqliteStore
from services.alerts.app import create_app as alerts_app
from services.ingest.app import create_app as ingest_app
from services.query.app import create_app as query_app
from tests.article_helpers import ARTICLES

EXAMPLES = 50
BOTH = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# The query API takes no body: its negative data would be query strings, where every value is text and
# schemathesis counts `true` for a string, or a repeated parameter, as schema-violating.
MODES = {"ingest": BOTH, "query": (GenerationMode.POSITIVE,), "alerts": BOTH}
KEY = {"Authorization": "Bearer key-schemathesis"}
BOUNDED = hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                              suppress_health_check=list(HealthCheck))


async def public_address(host: str, port: int) -> list[str]:
    """DNS for generated webhook hosts, without asking anyone: a public documentation address."""
    return ["93.184.216.34"]


@schemathesis.hook
def filter_query(ctx, query) -> bool:
    """`from` after `to` is refused (422 invalid_range), a rule between two fields JSON Schema cannot state."""
    return not (query and query.get("from") and query.get("to") and str(query["from"]) > str(query["to"]))


@pytest.fixture(scope="module")
def servers(tmp_path_factory, broker):
    """The three services, each on its own loopback port (ingest publishes to the test broker)."""
    from common.kafka import ensure_topics
    from common.settings import Settings
    from tests.conftest import ServerThread

    tmp = tmp_path_factory.mktemp("conformance")
    settings = Settings(data_dir=tmp / "data", kafka_bootstrap=broker, topic_partitions=1,
                        topic_raw="conformance-raw", topic_extracted="conformance-extracted",
                        topic_mentions="conformance-mentions", topic_dlq="conformance-dlq", publish_timeout_s=5.0,
                        alerts_api_keys={"tester": SecretStr("key-schemathesis")}, auth_max_failures=10_000)
    asyncio.run(ensure_topics(settings))
    store = SqliteStore(tmp / "query.sqlite3")
    assert asyncio.run(store.write(ARTICLES)) == []
    alerts = ServerThread(alerts_app(settings, run_workers=False, resolver=public_address)).__enter__()
    settings = settings.model_copy(update={"alerts_port": alerts.port})
    running = {"alerts": alerts, "ingest": ServerThread(ingest_app(settings)).__enter__(),
               "query": ServerThread(query_app(settings, store=store, live=False)).__enter__()}
    yield {name: server.url for name, server in running.items()}
    for server in running.values():
        server.__exit__(None, None, None)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value) -> bytes:
    """A batch body as generated: text as UTF-8, anything else as one JSON line."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else json.dumps(value).encode()


@schemathesis.hook
def filter_body(ctx, body) -> bool:
    """An NDJSON batch is text: a negative case that is not text (an array, a number) cannot be sent as one.
    A generated `html` is rarely a page with an article in it (422 no_article_text), which JSON Schema cannot
    state: pages are tested with real ones (tests/integration/test_ingest_pages.py)."""
    if ctx.operation is not None and ctx.operation.path == "/v1/articles" and isinstance(body, dict) and "html" in body:
        return False
    return not (ctx.operation is not None and ctx.operation.path == "/v1/articles:batch" and not isinstance(body, str))


def conformance_failures(url: str, headers: dict[str, str], modes) -> list[str]:
    """Every operation, with generated requests, through every check."""
    # The query API's /v1/subscriptions routes pass requests on to the alerts service: checked there.
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json").exclude(path_regex="/stream$") \
        .exclude(tag="alerts (passed on)")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            @given(case=operation.as_strategy(generation_mode=mode))
            @BOUNDED
            def check(case):
                case.call_and_validate(headers=headers, timeout=30)

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported; every operation still runs
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:3000])
    return failures


@pytest.mark.parametrize("service", ["ingest", "query", "alerts"])
def test_every_service_answers_as_its_openapi_says(servers, service):
    failures = conformance_failures(servers[service], KEY, MODES[service])
    assert not failures, "\n\n".join(failures)
