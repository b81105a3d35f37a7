"""The supervisor's plan of the children `provnews up` starts, and the listening sockets it binds for them."""
from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from common.settings import Settings
from provnews.supervisor import StartupError, Supervisor, unused_port


@pytest.fixture
def supervisor(tmp_path):
    made = []

    def make(**settings) -> Supervisor:
        s = Supervisor(Settings(data_dir=tmp_path, embedded_broker=False, **settings), out=lambda line: None)
        s.children = s.plan()
        made.append(s)
        return s

    yield make
    for s in made:
        s.close_sockets(s.children)


def extract_workers(supervisor: Supervisor):
    return [c for c in supervisor.children if c.argv[-1] == "extract"]


def test_up_runs_as_many_extract_workers_as_the_setting_each_on_its_own_port_sharing_one_log(supervisor):
    s = supervisor(extract_workers=3, extract_port=0)
    s.bind(s.children)
    extract = extract_workers(s)
    assert [c.name for c in extract] == ["extract", "extract-2", "extract-3"]
    assert len({c.port for c in extract}) == 3 and 0 not in {c.port for c in extract}
    assert all(c.env.get("PROVNEWS_EXTRACT_PORT", str(s.settings.extract_port)) == str(c.port) for c in extract)
    assert all(c.log_name == "extract" and c.ready_url.endswith(f":{c.port}/readyz") for c in extract)


def test_each_service_listens_before_it_starts_on_the_port_it_was_given_or_one_the_kernel_picked(supervisor):
    with socket.socket() as probe:  # a port that was free a moment ago, as a user's configured port would be
        probe.bind(("127.0.0.1", 0))
        given = probe.getsockname()[1]
    s = supervisor(extract_workers=1, query_port=given, ingest_port=0, indexer_port=0, alerts_port=0, extract_port=0)
    s.bind(s.children)
    ports = {c.name: c.port for c in s.children}
    assert ports["query"] == given and 0 not in ports.values() and len(set(ports.values())) == len(ports)
    for c in s.children:  # the children get the real ports: query's proxy finds alerts, the seeds find ingest
        assert c.socket.getsockname()[1] == c.port
        assert getattr(s.settings, f"{c.name}_port") == c.port
        with socket.create_connection(("127.0.0.1", c.port), timeout=2):  # already accepting: the backlog holds it
            pass
    s.write_ports()
    assert json.loads((s.run_dir / "ports.json").read_text()) == ports


def test_a_port_in_use_is_refused_by_name_and_nothing_stays_bound(supervisor):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        s = supervisor(extract_workers=1, alerts_port=taken, ingest_port=0, query_port=0, indexer_port=0,
                       extract_port=0)
        with pytest.raises(StartupError, match=f"port {taken} \\(alerts\\) is already in use.*PROVNEWS_ALERTS_PORT"):
            s.bind(s.children)
    assert all(c.socket is None for c in s.children)


@pytest.mark.broker
def test_a_broker_port_taken_before_kafka_binds_it_is_picked_again(tmp_path):
    lines: list[str] = []
    with socket.socket() as squatter:  # another process gets the port picked for the broker first
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter([taken])
        s = Supervisor(Settings(data_dir=tmp_path / "data", broker_port=0, kafka_controller_port=0, extract_workers=1,
                                **{f"{name}_port": 0 for name in ("ingest", "query", "extract", "indexer", "alerts")}),
                       out=lines.append, pick_port=lambda host: next(picks, None) or unused_port(host))
        try:
            asyncio.run(s.start())
            if s.broker_kind != "kafka":
                pytest.skip("the local broker is Tansu here (no Java 17)")
            assert any(line.startswith(f"broker: port {taken} or ") for line in lines), lines  # lost it once
            assert s.settings.broker_port not in (taken, 0), lines
            ports = json.loads((s.run_dir / "ports.json").read_text())
            assert ports["broker"] == s.settings.broker_port and ports["kafka_controller"] == s.settings.kafka_controller_port
            assert httpx.get(s.settings.url(ports["ingest"]) + "/readyz", timeout=10).status_code == 200
        finally:
            s.stop()
