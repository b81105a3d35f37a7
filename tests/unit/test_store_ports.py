"""The ports and who answers them: both storage adapters and the in-memory fakes answer every method the same
way (checked on the classes, nothing is opened), so a handler test on a fake exercises the shape a real
adapter gives."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import pytest

from common.stores.elasticsearch_store import ElasticsearchRebuild, ElasticsearchStore
from common.stores.ports import ArticleStore, RebuildableStore, StoreRebuild
from common.stores.sqlite_store import SqliteRebuild, SqliteStore
from services.ingest.publisher import KafkaPublisher, Publisher
from tests.fakes_stores import FakeArticleStore, FakePublisher
from tests.port_checks import port_methods, port_mismatches


@pytest.mark.parametrize("cls", [SqliteStore, ElasticsearchStore, FakeArticleStore])
def test_every_store_answers_the_whole_storage_port(cls):
    assert port_mismatches(ArticleStore, cls) == []


@pytest.mark.parametrize("cls", [SqliteStore, ElasticsearchStore])
def test_both_adapters_rebuild_themselves(cls):
    assert port_mismatches(RebuildableStore, cls) == []


@pytest.mark.parametrize("cls", [SqliteRebuild, ElasticsearchRebuild])
def test_both_rebuilds_answer_the_rebuild_port(cls):
    assert port_mismatches(StoreRebuild, cls) == []


@pytest.mark.parametrize("cls", [KafkaPublisher, FakePublisher])
def test_the_publishers_answer_the_publisher_port(cls):
    assert port_mismatches(Publisher, cls) == []


def test_the_storage_port_declares_what_the_services_call():
    # What the query service and the indexer call on a store: none of it optional any more.
    assert {"write", "search", "get", "stats", "timeline", "list_metrics", "stream_hits", "stream_metrics",
            "refresh", "ping", "close"} <= set(port_methods(ArticleStore))
    assert set(port_methods(RebuildableStore)) == set(port_methods(ArticleStore)) | {"rebuild"}


class _Port(Protocol):
    async def read(self, key: str) -> str: ...
    def rows(self, chunk: int = 10) -> AsyncIterator[list]: ...


class _Answers:
    async def read(self, key: str) -> str:
        return key

    async def rows(self, chunk: int = 10):
        yield []


class _Wrong:
    def read(self, key: str) -> str:  # not a coroutine
        return key

    async def rows(self, size: int = 10):  # another parameter name
        yield []


def test_the_check_finds_a_missing_method_another_kind_and_other_parameters():
    assert port_mismatches(_Port, _Answers) == []
    problems = port_mismatches(_Port, _Wrong)
    assert len(problems) == 2 and "read is a function" in problems[0] and "rows(self, size" in problems[1]
    assert port_mismatches(_Port, object) == ["object.read is missing", "object.rows is missing"]
