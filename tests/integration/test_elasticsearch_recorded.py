"""The indexer and `provnews reindex` on the real broker, against recorded Elasticsearch answers on loopback.

No cluster needed: tests.elasticsearch_helpers.FakeElasticsearch answers what a cluster answers, so what is
tested is the path around it — dead-lettering, commits, retries, and the order of the reindex steps.
"""
from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from common.stores.elasticsearch_store import ElasticsearchStore
from provnews.reindex import ReindexError, reindex
from schemas.events import ArticleDeadLettered
from services.indexer.consumer import GROUP_ID, Indexer
from tests.conftest import wait_until_async
from tests.elasticsearch_helpers import DOCUMENT_PARSING, REJECTED_EXECUTION, FakeElasticsearch
from tests.kafka_helpers import publish, read_topic
from tests.seed_helpers import SEED_ARTICLES

pytestmark = pytest.mark.broker


@pytest.fixture
def fake_es(serve):
    fake = FakeElasticsearch()
    fake.url = serve(fake.app()).url
    return fake


@pytest.fixture
def es_settings(settings, fake_es):
    return settings.model_copy(update={"storage": "elasticsearch", "es_url": fake_es.url})


async def committed(settings) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=GROUP_ID, enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(settings.topic_extracted, 0))
    finally:
        await consumer.stop()


async def run_indexer(settings, store, until) -> Indexer:
    indexer = Indexer(settings, store)
    task = asyncio.create_task(indexer.run())

    async def there() -> bool:
        return task.done() or await until(indexer)

    try:
        await wait_until_async(there, timeout=30, interval=0.05, message="the indexer to get there")
    finally:
        indexer.stop()
        await task
        await store.close()
    return indexer


def test_a_document_elasticsearch_refuses_goes_to_the_dlq_and_the_stream_goes_on(es_settings, fake_es):
    bad = SEED_ARTICLES[1].article_id
    fake_es.bulk_item = lambda op, meta, source: (400, DOCUMENT_PARSING) if meta["_id"] == bad else None
    events = publish(es_settings, SEED_ARTICLES[:3])

    async def until(indexer):
        return indexer.indexed >= 2

    indexer = asyncio.run(run_indexer(es_settings, ElasticsearchStore(es_settings), until))
    assert indexer.indexed == 2
    [message] = read_topic(es_settings.kafka_bootstrap, es_settings.topic_dlq, want=lambda m: len(m) >= 1, timeout=10)
    letter = ArticleDeadLettered.model_validate_json(message.value).data
    assert (letter.stage, letter.error, letter.article_id) == ("index", "document_parsing_exception", bad)
    assert "failed to parse field [published] of type [date]" in letter.reason
    assert letter.original == events[bad] and letter.offset == 1
    assert asyncio.run(committed(es_settings)) == 3  # past the refused one: it does not block the stream


def test_a_429_keeps_offsets_uncommitted_until_the_write_succeeds(es_settings, fake_es):
    refusing = {"on": True}
    fake_es.bulk_item = lambda op, meta, source: (429, REJECTED_EXECUTION) if refusing["on"] else None
    publish(es_settings, SEED_ARTICLES[:2])
    store = ElasticsearchStore(es_settings)
    store.bulk_retries = 0  # the consumer's own backoff is what this test exercises

    async def until(indexer):
        if refusing["on"] and len(fake_es.bulk_requests()) >= 2:  # refused, and tried again
            assert await committed(es_settings) is None
            refusing["on"] = False
        return indexer.indexed >= 2

    indexer = asyncio.run(run_indexer(es_settings, store, until))
    assert indexer.indexed == 2
    assert asyncio.run(committed(es_settings)) == 2
    assert read_topic(es_settings.kafka_bootstrap, es_settings.topic_dlq) == []  # read to its end


def test_reindex_builds_the_next_versions_and_moves_the_three_aliases_in_one_request(es_settings, fake_es):
    publish(es_settings, SEED_ARTICLES[:3])
    lines: list[str] = []
    outcome = asyncio.run(reindex(es_settings, source="auto", progress=False, out=lines.append))

    assert lines[0].startswith(f"source: topics: {es_settings.topic_extracted}")
    assert outcome.written == 3
    new = ["provnews-articles-v2", "provnews-metrics-v2", "provnews-mentions-v2"]
    for name in ("provnews-text",):
        assert fake_es.calls("PUT", f"/_component_template/{name}")
    for index in new:
        [create] = fake_es.calls("PUT", f"/{index}")
        assert json.loads(create.body)["settings"]["index"]["refresh_interval"] == "-1"
    bulk_targets = {line["index"]["_index"] for r in fake_es.bulk_requests() for line in r.ndjson() if "index" in line}
    assert bulk_targets == set(new)
    assert {tuple(sorted(r.query.items())) for r in fake_es.bulk_requests()} == {(("refresh", "false"), ("require_alias", "false"))}
    [restore] = fake_es.calls("PUT", f"/{','.join(new)}/_settings")
    assert json.loads(restore.body) == {"index": {"refresh_interval": None}}
    [swap] = fake_es.calls("POST", "/_aliases")
    actions = json.loads(swap.body)["actions"]
    assert actions == [step for alias in ("articles", "metrics", "mentions") for step in (
        {"remove": {"index": f"provnews-{alias}-v1", "alias": f"provnews-{alias}"}},
        {"add": {"index": f"provnews-{alias}-v2", "alias": f"provnews-{alias}"}})]
    order = [(r.method, r.path) for r in fake_es.requests]
    assert order.index(("POST", "/_aliases")) > max(i for i, r in enumerate(fake_es.requests) if r.path.endswith("/_bulk")
                                                    and "provnews-articles-v2" in r.body.decode())
    assert not fake_es.calls("DELETE", "/provnews-articles-v1,provnews-metrics-v1,provnews-mentions-v1")


def test_a_rebuild_with_fewer_articles_than_the_live_indices_is_dropped_and_the_aliases_stay(es_settings, fake_es):
    fake_es.counts = {"provnews-articles": 5}  # the live alias; the rebuilt index counts the 0 it was given
    with pytest.raises(ReindexError, match="the rebuild has 0 articles, the live indices 5: not swapped"):
        asyncio.run(reindex(es_settings, source="store", progress=False, out=lambda line: None))

    new = "provnews-articles-v2,provnews-metrics-v2,provnews-mentions-v2"
    assert len(fake_es.calls("PUT", "/provnews-articles-v2")) == 1
    [drop] = fake_es.calls("DELETE", f"/{new}")
    assert drop.query.get("ignore_unavailable") == "true"
    assert not fake_es.calls("POST", "/_aliases")

    fake_es.requests.clear()
    outcome = asyncio.run(reindex(es_settings, source="store", allow_fewer=True, progress=False, out=lambda line: None))
    assert fake_es.calls("POST", "/_aliases") and not fake_es.calls("DELETE", f"/{new}")
    assert outcome.notes[-1] == "kept provnews-articles-v1, provnews-metrics-v1, provnews-mentions-v1 (--delete-old removes them)"


def test_provnews_setup_creates_the_topics_and_the_indices_behind_their_aliases(settings, fake_es):
    import os
    import subprocess
    import sys

    from common.kafka import partitions_of, topic_names
    from tests.conftest import ROOT

    fake_es.aliases_exist = False
    suffix = os.urandom(3).hex()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    env.update(PROVNEWS_KAFKA_BOOTSTRAP=settings.kafka_bootstrap, PROVNEWS_STORAGE="elasticsearch",
               PROVNEWS_ES_URL=fake_es.url, PROVNEWS_TOPIC_PARTITIONS="2", PROVNEWS_TOPIC_RAW=f"raw-{suffix}",
               PROVNEWS_TOPIC_EXTRACTED=f"extracted-{suffix}", PROVNEWS_TOPIC_MENTIONS=f"mentions-{suffix}",
               PROVNEWS_TOPIC_DLQ=f"dlq-{suffix}")
    done = subprocess.run([sys.executable, "-m", "provnews.cli", "setup", "--timeout", "30"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    names = [f"{kind}-{suffix}" for kind in ("raw", "extracted", "mentions", "dlq")]
    assert out[:4] == [f"topics: created {name}" for name in names]
    assert out[4] == f"topics {', '.join(names)} (2 partitions, replication 1, configs checked)"
    assert out[-3:] == [f"created provnews-{kind}-v1 behind alias provnews-{kind}" for kind in
                        ("articles", "metrics", "mentions")]

    async def partitions():
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
        await consumer.start()
        try:
            return {t: len(await partitions_of(consumer, t)) for t in topic_names(
                settings.model_copy(update={k.removeprefix("PROVNEWS_").lower(): v for k, v in env.items()
                                            if k.startswith("PROVNEWS_TOPIC_") and k != "PROVNEWS_TOPIC_PARTITIONS"}))}
        finally:
            await consumer.stop()

    assert set(asyncio.run(partitions()).values()) == {2}

    fake_es.status = 503  # Elasticsearch down: the command says so in one line and fails
    failed = subprocess.run([sys.executable, "-m", "provnews.cli", "setup", "--no-topics", "--timeout", "3"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and failed.stderr.startswith("error: TimeoutError: Elasticsearch at")
