"""GET /v1/mentions/stream is one endpoint: the query API and the alerts service, each fed by its own
consumer of a real broker, let the same mentions through for the same filter, provinces named in any
spelling, before or after the July 2025 merger."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.stores.sqlite_store import SqliteStore
from schemas.events import ReformMention, ReformMentioned
from services.alerts.app import create_app as alerts_app
from services.query.app import create_app as query_app
from tests.conftest import wait_until
from tests.kafka_helpers import produce
from tests.sse_helpers import Stream

pytestmark = pytest.mark.broker

# (article id, the province at the time, the same after the 2025 merger): Phú Yên joined Đắk Lắk.
PUBLISHED = (("py-1", "Phú Yên", "Đắk Lắk"), ("qn-1", "Quảng Ninh", "Quảng Ninh"),
             ("dl-1", "Đắk Lắk", "Đắk Lắk"), ("py-2", "Phú Yên", "Đắk Lắk"))
# What a stream asked for, what it says it follows, and what it must let through (the last one published).
FILTERS = {"Đăk Lắk": ("Đắk Lắk", ["py-1", "dl-1", "py-2"]),  # a variant spelling of the 2025 province
           "phu yen": ("Phú Yên", ["py-1", "py-2"])}  # the name before the merger, without diacritics


def mention(article_id: str, province: str, province_2025: str) -> ReformMentioned:
    data = ReformMention(mention_id=f"m-{article_id}", article_id=article_id, story_id=article_id, kind="topic",
                         topic="sap_xep_bo_may", title=f"Bài {article_id}", provinces=[province],
                         provinces_2025=[province_2025])
    return ReformMentioned.wrap(data, subject=article_id, event_id=f"e-{article_id}", time=datetime.now(UTC))


def test_a_province_in_any_spelling_filters_the_same_on_both_ports(settings, tmp_path, serve):
    query = query_app(settings, store=SqliteStore(tmp_path / "query.sqlite3"))
    alerts = alerts_app(settings)
    urls = {"query": serve(query).url, "alerts": serve(alerts).url}
    # The query's feed starts at the topic's end: it must be there before anything is published.
    wait_until(lambda: query.state.mention_feed.connected and alerts.state.alerts.consumer.assigned.is_set(),
               timeout=60, message="both consumers at the mentions topic")
    streams = {(port, wanted): Stream(f"{url}/v1/mentions/stream?province={wanted}")
               for port, url in urls.items() for wanted in FILTERS}
    try:
        wait_until(lambda: all(s.of("status") for s in streams.values()), message="every stream open")
        for (port, wanted), stream in streams.items():
            assert stream.of("ready") == [{"filter": {"provinces": [FILTERS[wanted][0]]}}], (port, wanted)
        for article_id, province, province_2025 in PUBLISHED:
            produce(settings.kafka_bootstrap, settings.topic_mentions,
                    mention(article_id, province, province_2025).to_bytes(), key=article_id.encode())
        last = PUBLISHED[-1][0]  # one partition: whatever a stream lets through arrives before it
        wait_until(lambda: all(any(e["data"]["article_id"] == last for e in s.of("reform.mention"))
                               for s in streams.values()), timeout=30, message="the last mention on every stream")
        seen = {key: [e["data"]["article_id"] for e in s.of("reform.mention")] for key, s in streams.items()}
        assert seen == {(port, wanted): FILTERS[wanted][1] for port in urls for wanted in FILTERS}
    finally:
        for stream in streams.values():
            stream.close()
