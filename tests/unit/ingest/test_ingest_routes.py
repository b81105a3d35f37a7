"""The ingest app's POST /v1/articles over the in-memory publisher, through httpx's ASGI transport (no port, no
broker): what is published where, under which key, and what the writer is told when the broker is down."""
from __future__ import annotations

import json
from contextlib import asynccontextmanager

import httpx

from common.settings import Settings
from services.ingest.app import create_app
from tests.fakes_stores import FakePublisher

ARTICLE = {"text": "Tỉnh Yên Bái đã tinh giản biên chế và giảm 12 phòng, ban theo Nghị quyết 18.",
           "url": "https://baoyenbai.vn/tin/1", "title": "Yên Bái tinh giản biên chế"}


@asynccontextmanager
async def client(publisher: FakePublisher, tmp_path):
    app = create_app(Settings(data_dir=tmp_path), publisher=publisher)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as c:
            yield c


async def test_an_accepted_article_is_published_to_articles_raw_under_its_id(tmp_path):
    publisher = FakePublisher()
    async with client(publisher, tmp_path) as api:
        first = await api.post("/v1/articles", json=ARTICLE)
        again = await api.post("/v1/articles", json=ARTICLE)

    assert first.status_code == 202 and first.json()["status"] == "accepted"
    article_id = first.json()["id"]
    assert again.json()["id"] == article_id  # the id is derived from the article: posting again is safe
    [(topic, key, value), _] = publisher.sent
    event = json.loads(value)
    assert topic == Settings().topic_raw and key == article_id.encode()
    assert event["data"]["article_id"] == article_id and event["data"]["text"] == ARTICLE["text"]
    assert publisher.closed


async def test_a_broker_that_is_down_is_a_503_and_nothing_is_published(tmp_path):
    publisher = FakePublisher(down=True)
    async with client(publisher, tmp_path) as api:
        response = await api.post("/v1/articles", json=ARTICLE)

    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json()["error"] == "broker_unavailable"
    assert publisher.sent == []
