"""The fault suite: the whole stack on Apache Kafka under a steady load, one component SIGKILLed at a random point.

For each of broker, ingest, extract, indexer, alerts and query: every article answered 202 is indexed exactly once
(one row and one full-text row per id in the SQLite file), every story of those articles reaches the alert
subscription once, and after the restart the stream takes new articles again. `provnews bench faults` runs the
same scenarios longer and prints the table. Nothing here asserts on timing.
"""
from __future__ import annotations

import pytest

from provnews.faults import COMPONENTS, Receiver, UpProcess, format_table, run_scenario, subscribe

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    process = UpProcess(tmp_path_factory.mktemp("faults") / "data").start()
    try:
        assert process.broker_kind == "kafka", "the fault suite runs on Apache Kafka:\n" + "\n".join(process.output)
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def receiver(up):
    with Receiver() as r:
        subscribe(up, r)
        yield r


@pytest.mark.parametrize("component", COMPONENTS)
def test_a_killed_component_loses_nothing_acknowledged(up, receiver, component):
    result = run_scenario(up, receiver, component, rate=8.0, duration_s=10.0, settle_s=240.0)
    table = format_table([result], up.broker_kind)
    assert result.acknowledged > 20, table
    assert result.lost == 0 and result.duplicated == 0, table
    assert result.alerts_missing == 0 and result.alerts_duplicated == 0, table
    assert result.new_after_recovery, table + "\n" + "\n".join(up.output[-20:])
