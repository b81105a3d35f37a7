"""Crashes and restarts lose nothing that was acknowledged; `provnews up` reports and cleans up."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx

from tests.conftest import ROOT, make_stack, search, wait_until
from tests.kafka_helpers import end_offsets


def indexed(stack, article_id: str) -> bool:
    return httpx.get(f"{stack.url('query')}/v1/articles/{article_id}", timeout=5).status_code == 200


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_indexer_killed_loses_nothing_acknowledged(stack):
    old_pid = stack.pid("indexer")
    os.kill(old_pid, signal.SIGKILL)
    accepted = []
    for i in range(5):  # acknowledged while the indexer is down
        response = httpx.post(f"{stack.url('ingest')}/v1/articles", timeout=30,
                              json={"text": f"Huyện thứ {i} giảm {i + 2} phòng, ban sau khi sắp xếp tổ chức bộ máy."})
        assert response.status_code == 202
        accepted.append(response.json()["id"])
    wait_until(lambda: stack.pid("indexer") != old_pid, timeout=30, message="supervisor restarts the indexer",
               explain=lambda: stack.log_tail("indexer"))
    for article_id in accepted:
        wait_until(lambda: indexed(stack, article_id), timeout=120, message=f"{article_id} indexed after restart",
                   explain=lambda: stack.log_tail("indexer", "extract"))


def test_extract_killed_mid_stream_loses_nothing(stack):
    accepted = []
    for i in range(20):
        response = httpx.post(f"{stack.url('ingest')}/v1/articles", timeout=30,
                              json={"text": f"Bài số {i}: tỉnh giảm {i + 1} đơn vị sự nghiệp công lập, tinh giản biên chế."})
        accepted.append(response.json()["id"])
        if i == 3:
            os.kill(stack.pid("extract"), signal.SIGKILL)
    for article_id in accepted:
        # A SIGKILLed faust member leaves the group only when its session times out, then the group rebalances.
        wait_until(lambda: indexed(stack, article_id), timeout=180, message=f"{article_id} indexed after extract restart",
                   explain=lambda: stack.log_tail("extract", "indexer"))
    assert search(stack.url("query"), q="don vi su nghiep", size=50)["total"] == 20


def test_second_up_keeps_the_data_and_the_event_log_of_the_first(tmp_path):
    text = "Tỉnh Bắc Kạn sáp nhập 122 thôn, tổ dân phố, giảm 45 đầu mối và tinh giản 120 biên chế trong năm nay."
    first = make_stack(tmp_path)
    first.start("--no-seeds")
    try:
        assert "Tansu" not in "\n".join(first.output), "the local broker is Apache Kafka here"
        article_id = httpx.post(f"{first.url('ingest')}/v1/articles", timeout=30, json={"text": text}).json()["id"]
        wait_until(lambda: indexed(first, article_id), message="indexed")
        story_id = httpx.get(f"{first.url('query')}/v1/articles/{article_id}", timeout=10).json()["story_id"]
        logged = {t: end_offsets(first.bootstrap, t) for t in ("articles.raw", "articles.extracted", "reform.mentions")}
        pids = [first.pid(name) for name in ("broker", "ingest", "extract", "indexer", "query")]
    finally:
        first.stop()
    assert first.process.returncode == 0
    assert not [pid for pid in pids if alive(pid)], "Ctrl-C left processes behind"
    assert all(sum(offsets.values()) > 0 for offsets in logged.values()), logged

    second = make_stack(tmp_path)
    second.ports = first.ports
    # The same broker address (the first run's, picked by its supervisor): the record is in the data dir.
    second.env = {**first.env, "PROVNEWS_BROKER_PORT": str(first.ports["broker"]),
                  "PROVNEWS_KAFKA_CONTROLLER_PORT": str(first.ports["kafka_controller"])}
    second.start("--no-seeds")
    try:
        # Every earlier event is still in the topics: the record survived the restart.
        for topic, offsets in logged.items():
            assert end_offsets(second.bootstrap, topic) == offsets, topic
        assert indexed(second, article_id)
        assert search(second.url("query"), q="bac kan")["total"] == 1
        # The story index was rebuilt from the topic: the same story posted again from another outlet joins it.
        again = httpx.post(f"{second.url('ingest')}/v1/articles", timeout=30,
                           json={"text": text, "url": "https://other.example.vn/bac-kan"}).json()["id"]
        wait_until(lambda: indexed(second, again), message="the republished story indexed")
        assert httpx.get(f"{second.url('query')}/v1/articles/{again}", timeout=10).json()["story_id"] == story_id
        # And `provnews reindex` rebuilds from the event log by default.
        done = subprocess.run([sys.executable, "-m", "provnews.cli", "reindex"], cwd=ROOT, env=second.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "source: topics: articles.extracted" in done.stdout, done.stdout
        assert search(second.url("query"), q="bac kan")["total"] == 2
    finally:
        second.stop()


def test_a_taken_port_is_reported_by_name(tmp_path):
    stack = make_stack(tmp_path)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        stack.env["PROVNEWS_QUERY_PORT"] = str(taken)
        result = subprocess.run([sys.executable, "-m", "provnews.cli", "up", "--no-seeds"], cwd=ROOT, env=stack.env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"port {taken} (query) is already in use" in result.stderr
    assert "PROVNEWS_QUERY_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
