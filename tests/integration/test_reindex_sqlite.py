"""`provnews reindex` on the embedded store: a real SQLite file, and the real broker for the topics source."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from common.settings import Settings
from common.stores.ports import SearchQuery
from common.stores.sqlite_store import SqliteRebuild, SqliteStore
from provnews.reindex import ReindexError, reindex
from schemas.events import ArticleExtracted, ArticleReceived, ReceivedArticle
from services.extract.engine import ENGINE_VERSION
from tests.article_helpers import ARTICLES, article
from tests.kafka_helpers import produce
from tests.seed_helpers import SEED_ARTICLES


def outdated(a):
    """The article as an older engine would have left it."""
    return a.model_copy(update={"extraction": a.extraction.model_copy(update={"engine_version": "0-old"})})


def write(path, articles):
    async def run():
        store = SqliteStore(path)
        try:
            assert await store.write(articles) == []
        finally:
            await store.close()

    asyncio.run(run())


def age(path) -> None:
    """As if every article had been indexed long before the rebuild started."""
    db = sqlite3.connect(path)
    try:
        db.execute("UPDATE articles SET indexed_at = '2020-01-01T00:00:00+00:00'")
        db.commit()
    finally:
        db.close()


def engine_versions(path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT id, engine_version FROM articles"))
    finally:
        db.close()


def test_rebuild_from_the_store_reextracts_outdated_articles_and_keeps_searches_answering(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path)
    write(settings.sqlite_file, [outdated(a) for a in SEED_ARTICLES] + ARTICLES)
    age(settings.sqlite_file)
    live_before = len(SEED_ARTICLES) + len(ARTICLES)
    late = article("late", title="Bài đến muộn", text="Huyện sáp nhập 5 xã trong lúc dựng lại chỉ mục.")
    seen, errors, done = [], [], threading.Event()

    def search_loop():
        async def loop():
            store = SqliteStore(settings.sqlite_file)
            try:
                while not done.is_set():
                    try:
                        seen.append((await store.search(SearchQuery(q="tinh gian bien che"))).total)
                    except Exception as exc:  # noqa: BLE001 - recorded, asserted below
                        errors.append(exc)
            finally:
                await store.close()

        asyncio.run(loop())

    finish = SqliteRebuild.finish

    async def indexer_writes_then_finish(self, **kwargs):
        # The running indexer writes one more article after the rebuild has read everything, before the swap.
        writer = threading.Thread(target=write, args=(settings.sqlite_file, [late]))
        writer.start()
        writer.join()
        return await finish(self, **kwargs)

    monkeypatch.setattr(SqliteRebuild, "finish", indexer_writes_then_finish)
    lines: list[str] = []
    searcher = threading.Thread(target=search_loop)
    searcher.start()
    try:
        outcome = asyncio.run(reindex(settings, source="store", progress=False, out=lines.append))
    finally:
        done.set()
        searcher.join()

    assert lines[0] == f"source: store: the articles in {settings.sqlite_file}"
    assert outcome.reextracted == len(SEED_ARTICLES) + len(ARTICLES)  # "test" is not the installed engine either
    assert outcome.carried_over == 1
    versions = engine_versions(settings.sqlite_file)
    assert len(versions) == live_before + 1 and versions["late"] == ENGINE_VERSION  # carried over, re-extracted
    assert set(versions.values()) == {ENGINE_VERSION}
    assert not errors and seen and min(seen) > 0
    assert not list(tmp_path.glob("*.rebuild-*"))  # the build file is gone


def test_rebuild_keeps_an_article_the_engine_cannot_handle(tmp_path, monkeypatch):
    import provnews.reindex as module

    settings = Settings(data_dir=tmp_path)
    write(settings.sqlite_file, [outdated(SEED_ARTICLES[0])])
    monkeypatch.setattr(module, "extract", lambda *a, **k: (_ for _ in ()).throw(ValueError("engine bug")))
    outcome = asyncio.run(reindex(settings, source="store", progress=False, out=lambda line: None))
    assert outcome.failed_extractions == 1
    assert engine_versions(settings.sqlite_file) == {SEED_ARTICLES[0].article_id: "0-old"}


def extracted_event(a) -> bytes:
    return ArticleExtracted.wrap(a, subject=a.article_id, event_id=f"x-{a.article_id}").to_bytes()


def received_event(a) -> bytes:
    received = ReceivedArticle(article_id=a.article_id, text=a.raw_text, url=a.url, received_at=a.received_at)
    return ArticleReceived.wrap(received, subject=a.article_id, event_id=f"r-{a.article_id}").to_bytes()


@pytest.mark.broker
def test_topics_with_an_older_engine_replay_articles_raw_through_the_extractor(settings):
    for a in SEED_ARTICLES[:3]:
        produce(settings.kafka_bootstrap, settings.topic_raw, received_event(a), key=a.article_id.encode())
        produce(settings.kafka_bootstrap, settings.topic_extracted, extracted_event(outdated(a)), key=a.article_id.encode())
    produce(settings.kafka_bootstrap, settings.topic_raw, b"not an event", key=b"poison")
    lines: list[str] = []
    outcome = asyncio.run(reindex(settings, source="topics", progress=False, out=lines.append))
    assert lines[0] == (f"source: topics: {settings.topic_raw} through the extractor "
                        f"(extracted by engine 0-old, installed {ENGINE_VERSION})")
    assert outcome.written == 3 and outcome.reextracted == 3 and outcome.skipped == 1
    assert set(engine_versions(settings.sqlite_file).values()) == {ENGINE_VERSION}


@pytest.mark.broker
def test_topics_with_the_installed_engine_replay_articles_extracted_and_refuse_to_shrink(settings):
    write(settings.sqlite_file, SEED_ARTICLES)  # the live store has five
    age(settings.sqlite_file)
    current = [a.model_copy(update={"received_at": datetime(2026, 1, 1, tzinfo=UTC)}) for a in SEED_ARTICLES[:2]]
    for a in current:
        produce(settings.kafka_bootstrap, settings.topic_extracted, extracted_event(a), key=a.article_id.encode())
    lines: list[str] = []
    with pytest.raises(ReindexError, match="the rebuild has 2 articles, the live store 5"):
        asyncio.run(reindex(settings, source="topics", progress=False, out=lines.append))
    assert lines[0] == f"source: topics: {settings.topic_extracted} (engine {ENGINE_VERSION} throughout)"
    assert len(engine_versions(settings.sqlite_file)) == 5  # untouched

    outcome = asyncio.run(reindex(settings, source="topics", allow_fewer=True, progress=False, out=lines.append))
    assert outcome.reextracted == 0
    assert sorted(engine_versions(settings.sqlite_file)) == sorted(a.article_id for a in current)


@pytest.mark.broker
def test_empty_topics_say_to_rebuild_from_the_store(settings):
    with pytest.raises(ReindexError, match="--source store"):
        asyncio.run(reindex(settings, source="topics", progress=False, out=lambda line: None))
