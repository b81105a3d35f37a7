"""Publishing that fails mid-article, and articles at the size limit: indexed or dead-lettered, never dropped.

The failures are made on the real broker under the running stack: with `reform.mentions` deleted, every
send to it fails with a retriable error (the extracted event of the same article goes through) until the
topic is back; with a tiny `max.message.bytes` on it, the sends fail for good.
"""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from common.kafka import topic_configs
from tests.conftest import make_stack, wait_until
from tests.kafka_helpers import read_topic

MENTIONS = "reform.mentions"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = make_stack(tmp_path_factory.mktemp("stream-failures"))
    s.env["PROVNEWS_PUBLISH_RETRY_S"] = "600"  # the retriable failure below lasts as long as the test makes it
    s.start("--no-seeds")
    try:
        yield s
    finally:
        s.stop()


def set_topic_config(bootstrap: str, topic: str, **changes: str) -> None:
    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            configs = {**topic_configs(settings_for(bootstrap)), **{k.replace("_", "."): v for k, v in changes.items()}}
            for response in await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=configs)]):
                assert all(code == 0 for code, *_ in response.resources), response
        finally:
            await admin.close()

    asyncio.run(run())


def settings_for(bootstrap: str):
    from common.settings import Settings

    return Settings(kafka_bootstrap=bootstrap)


def post(stack, text: str, **extra) -> str:
    response = httpx.post(f"{stack.url('ingest')}/v1/articles", json={"text": text, **extra}, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def indexed(stack, article_id: str) -> bool:
    return httpx.get(f"{stack.url('query')}/v1/articles/{article_id}", timeout=5).status_code == 200


def log_lines(stack, service: str) -> list[dict]:
    path = stack.data_dir / "logs" / f"{service}.log"
    out = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def dead_letters(stack, article_id: str) -> list[dict]:
    messages = read_topic(stack.bootstrap, "articles.dlq")  # up to its end
    letters = [json.loads(m.value)["data"] for m in messages]
    return [d for d in letters if d.get("article_id") == article_id]


def delete_topic(bootstrap: str, topic: str) -> None:
    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topic])
            for _ in range(100):
                if topic not in await admin.list_topics():
                    return
                await asyncio.sleep(0.1)
            raise AssertionError(f"{topic} was not deleted")
        finally:
            await admin.close()

    asyncio.run(run())


def test_a_send_that_fails_for_a_while_is_retried_until_the_article_is_indexed(stack):
    from common.kafka import ensure_topics

    delete_topic(stack.bootstrap, MENTIONS)  # every send to it now fails, retriably, until it is back
    try:
        article_id = post(stack, "Tỉnh Hà Giang giảm 19 phòng, ban, chi cục và tinh giản 340 biên chế sau sắp xếp.")
        wait_until(lambda: any(e.get("event") == "publish.retry" and e.get("article_id") == article_id
                               for e in log_lines(stack, "extract")),
                   timeout=120, message="the extract worker retrying the article's sends",
                   explain=lambda: stack.log_tail("extract"))
        assert not dead_letters(stack, article_id)
    finally:
        asyncio.run(ensure_topics(settings_for(stack.bootstrap)))
    wait_until(lambda: indexed(stack, article_id), timeout=180, message="indexed once the sends go through",
               explain=lambda: stack.log_tail("extract", "indexer"))
    ours = lambda ms: any(m.key == article_id.encode() for m in ms)  # noqa: E731
    wait_until(lambda: ours(read_topic(stack.bootstrap, MENTIONS, want=ours, timeout=2)),
               timeout=120, message="the article's mentions published", explain=lambda: stack.log_tail("extract"))
    assert not dead_letters(stack, article_id)


def test_a_send_that_can_never_succeed_dead_letters_the_article_and_the_stream_goes_on(stack):
    set_topic_config(stack.bootstrap, MENTIONS, max_message_bytes="256")  # every mention event is too large
    try:
        article_id = post(stack, "Tỉnh Lai Châu giảm 12 phòng, ban, chi cục và tinh giản 210 biên chế sau sắp xếp.")
        wait_until(lambda: dead_letters(stack, article_id), timeout=120, message="the article dead-lettered",
                   explain=lambda: stack.log_tail("extract"))
        letter = dead_letters(stack, article_id)[0]
        assert letter["stage"] == "extract" and letter["error"] == "unpublishable"
        assert "MessageSizeTooLarge" in letter["reason"] or "RecordTooLarge" in letter["reason"], letter["reason"]
    finally:
        set_topic_config(stack.bootstrap, MENTIONS)
    after = post(stack, "Tỉnh Điện Biên giảm 15 phòng, ban, chi cục và tinh giản 180 biên chế sau sắp xếp.")
    wait_until(lambda: indexed(stack, after), timeout=120, message="the next article indexed",
               explain=lambda: stack.log_tail("extract", "indexer"))


def test_an_article_at_the_size_limit_is_indexed_and_one_byte_more_is_refused(stack):
    from common.settings import Settings

    limit = Settings().max_article_bytes
    sentence = "Tỉnh Quảng Trị giảm 11 phòng, ban và tinh giản 95 biên chế sau khi sắp xếp tổ chức bộ máy. "

    def body(size: int) -> bytes:
        head = json.dumps({"text": ""}, ensure_ascii=False).encode()
        text = (sentence * (size // len(sentence.encode()) + 1)).encode()[: size - len(head)]
        text = text.decode("utf-8", "ignore")
        text += " " * (size - len(head) - len(text.encode()))
        raw = json.dumps({"text": text}, ensure_ascii=False).encode()
        assert len(raw) == size
        return raw

    headers = {"content-type": "application/json"}
    at_limit = httpx.post(f"{stack.url('ingest')}/v1/articles", content=body(limit), headers=headers, timeout=60)
    assert at_limit.status_code == 202, at_limit.text
    article_id = at_limit.json()["id"]
    over = httpx.post(f"{stack.url('ingest')}/v1/articles", content=body(limit + 1), headers=headers, timeout=60)
    assert over.status_code == 413, over.text
    wait_until(lambda: indexed(stack, article_id), timeout=180, message="the article at the limit indexed",
               explain=lambda: stack.log_tail("extract", "indexer"))
    assert not dead_letters(stack, article_id)


def test_an_article_over_the_time_budget_is_dead_lettered_and_the_stream_goes_on(tmp_path):
    s = make_stack(tmp_path)
    s.env["PROVNEWS_EXTRACT_BUDGET_S"] = "0.2"  # far below what the engine needs for the article below
    s.start("--no-seeds")
    try:
        slow = post(s, "Bài thử. " + "giảm 12 phòng, ban " * 30000)
        wait_until(lambda: dead_letters(s, slow), timeout=120, message="the slow article dead-lettered",
                   explain=lambda: s.log_tail("extract"))
        letter = dead_letters(s, slow)[0]
        assert letter["error"] == "over_budget" and "0.2 s" in letter["reason"]
        after = post(s, "Tỉnh Sơn La giảm 4 sở và tinh giản 120 biên chế sau sắp xếp tổ chức bộ máy.")
        wait_until(lambda: indexed(s, after), timeout=120, message="the next article indexed",
                   explain=lambda: s.log_tail("extract", "indexer"))
        assert not indexed(s, slow)
        wait_until(lambda: httpx.get(f"{s.url('extract')}/readyz", timeout=5).status_code == 200, timeout=30,
                   message="the worker ready again")
    finally:
        s.stop()
