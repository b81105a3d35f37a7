"""The test broker's start survives losing its port to another process between choosing and binding it."""
from __future__ import annotations

import asyncio
import socket

from common.kafka import ensure_topics
from tests.conftest import KafkaNode
from tests.kafka_helpers import produce, read_topic


def test_a_broker_whose_port_was_taken_starts_on_another(tmp_path):
    with socket.socket() as squatter:  # another process got the chosen port first
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        node = KafkaNode(tmp_path / "kafka", port=taken)
        try:
            node.start()
            assert node.starts == 2 and node.port != taken
            assert "Address already in use" in node.log_path.read_text(errors="replace")
            settings = node.settings().model_copy(update={"topic_partitions": 1})
            asyncio.run(ensure_topics(settings))
            produce(node.bootstrap, settings.topic_raw, b"after the retry")
            assert [m.value for m in read_topic(node.bootstrap, settings.topic_raw, want=bool, timeout=20)] == \
                [b"after the retry"]
        finally:
            node.stop()
