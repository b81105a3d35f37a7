"""Live feeds (Server-Sent Events) on a whole `provnews up`: they come back after the broker restarts."""
from __future__ import annotations

import os
import signal
import socket

import httpx
from aiokafka.errors import KafkaError

from tests.conftest import wait_until
from tests.kafka_helpers import read_topic
from tests.sse_helpers import Stream


def post(stack, text: str) -> str:
    def accepted():
        try:
            response = httpx.post(f"{stack.url('ingest')}/v1/articles", json={"text": text}, timeout=30)
        except httpx.HTTPError:
            return None
        return response.json()["id"] if response.status_code == 202 else None

    return wait_until(accepted, timeout=60, interval=1, message="ingest accepts the article",
                      explain=lambda: stack.log_tail("ingest"))


def mentioned(stream: Stream, article_id: str) -> bool:
    return any(e["data"]["article_id"] == article_id for e in stream.of("reform.mention"))


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def extracted_after_restart(stack) -> str | None:
    article_id = post(stack, "Tỉnh Hà Tĩnh sáp nhập 30 xã, tinh giản biên chế sau khi sắp xếp tổ chức bộ máy.")
    try:
        mentions = read_topic(stack.bootstrap, "reform.mentions", timeout=15,
                              want=lambda ms: any(m.key and m.key.decode() == article_id for m in ms))
    except (AssertionError, OSError, KafkaError):  # the topic is not there again yet
        return None
    return article_id if any(m.key and m.key.decode() == article_id for m in mentions) else None


def test_every_live_feed_resumes_after_a_broker_restart(stack):
    feeds = {"query": Stream(f"{stack.url('query')}/v1/mentions/stream"),
             "alerts": Stream(f"{stack.url('alerts')}/v1/mentions/stream")}
    later: list[Stream] = []
    try:
        wait_until(lambda: {"connected": True} in feeds["query"].of("status") and feeds["alerts"].of("ready"),
                   timeout=60, message="both feeds open and connected", explain=lambda: stack.log_tail("query"))
        # More mentions before the restart than after it: a memory-only broker starts its log again at 0,
        # and a reader still waiting at its old offset would see nothing until the new log got that far.
        before = [post(stack, f"Huyện {n} của tỉnh Quảng Ninh giảm {n + 2} phòng, ban sau khi sắp xếp tổ chức bộ máy, "
                              "tinh giản biên chế.") for n in range(6)]
        for name, feed in feeds.items():
            wait_until(lambda: all(mentioned(feed, a) for a in before), timeout=60,
                       message=f"the {name} feed before the restart", explain=lambda: stack.log_tail("extract", name))

        old = stack.pid("broker")
        os.kill(old, signal.SIGKILL)
        wait_until(lambda: stack.pid("broker") != old and listening(stack.ports["broker"]), timeout=60,
                   message="the supervisor restarts the broker", explain=lambda: stack.log_tail("broker"))

        # Whatever the extract stage needs to rejoin its group, an article it extracts after the restart
        # puts a mention on the new log; every feed must show it.
        after = wait_until(lambda: extracted_after_restart(stack), timeout=240, interval=0, message="a mention "
                           "on the restarted broker", explain=lambda: stack.log_tail("extract"))
        for name, feed in feeds.items():  # the streams that stayed open
            wait_until(lambda: mentioned(feed, after), timeout=60, message=f"the open {name} feed after the restart",
                       explain=lambda: stack.log_tail(name))
        later = [Stream(f"{stack.url(name)}/v1/mentions/stream") for name in feeds]  # and new connections
        wait_until(lambda: all(s.events for s in later), timeout=30, message="new streams open")
        last = post(stack, "Tỉnh Nghệ An giảm 20 đơn vị sự nghiệp công lập, tinh giản biên chế.")
        for stream in later:
            wait_until(lambda: mentioned(stream, last), timeout=120, message="a new connection after the restart",
                       explain=lambda: stack.log_tail("query", "alerts"))
    finally:
        for stream in [*feeds.values(), *later]:
            stream.close()
