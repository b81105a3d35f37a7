"""How a send's fate is told: refused only when the message never left, unknown when it left unacknowledged.

A fake producer stands in for the broker's timing, which a healthy loopback broker cannot be made to show."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from aiokafka.errors import MessageSizeTooLargeError, RequestTimedOutError

from common.settings import Settings
from services.ingest.app import create_app
from services.ingest.publisher import BrokerUnavailable, KafkaPublisher, OutcomeUnknown


class FakeProducer:
    def __init__(self, *, enqueue_hangs: bool = False, ack: BaseException | None = None, never_acked: bool = False):
        self.enqueue_hangs, self.ack, self.never_acked = enqueue_hangs, ack, never_acked
        self.enqueued = 0

    async def send(self, topic, value=None, key=None, headers=None):
        if self.enqueue_hangs:
            await asyncio.Event().wait()  # waiting for room in the buffer; cancelled, nothing is sent
        self.enqueued += 1
        future = asyncio.get_running_loop().create_future()
        if self.ack is not None:
            future.set_exception(self.ack)
        elif not self.never_acked:
            future.set_result(type("Meta", (), {"partition": 0, "offset": 7})())
        return future


def publisher(producer: FakeProducer) -> KafkaPublisher:
    p = KafkaPublisher(Settings(publish_timeout_s=0.05))
    p._producer = producer  # noqa: SLF001 - connected already
    return p


@pytest.mark.parametrize("producer,outcome", [
    (FakeProducer(), None),
    (FakeProducer(enqueue_hangs=True), BrokerUnavailable),
    (FakeProducer(never_acked=True), OutcomeUnknown),
    (FakeProducer(ack=RequestTimedOutError()), OutcomeUnknown),
    (FakeProducer(ack=MessageSizeTooLargeError()), BrokerUnavailable),
])
async def test_each_fate_is_told_apart(producer, outcome):
    if outcome is None:
        assert await publisher(producer).publish("t", b"k", b"v") == (0, 7)
        return
    with pytest.raises(outcome):
        await publisher(producer).publish("t", b"k", b"v")
    if outcome is BrokerUnavailable and producer.enqueue_hangs:
        assert producer.enqueued == 0  # refused means never handed over


async def test_a_single_article_whose_fate_is_unknown_is_504_with_its_id():
    app = create_app(Settings())
    app.state.publisher = publisher(FakeProducer(never_acked=True))  # what the lifespan would set
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        response = await client.post("/v1/articles", json={"text": "Xã giảm 2 thôn."})
    assert response.status_code == 504 and response.headers["retry-after"] == "5"
    body = response.json()
    assert body["error"] == "outcome_unknown" and len(body["id"]) == 24
    assert "posting it again is safe (same id)" in body["detail"]
