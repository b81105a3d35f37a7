"""The live stream's events from a source in memory: the filter as understood, the source's connection,
then the mentions the filter lets through (provinces by any name, before or after the 2025 merger)."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from common.fanout import MentionHub
from common.mention_filters import Filter, checked
from common.mention_stream import FedHub, mention_events
from schemas.events import ReformMention, ReformMentioned


def mention(article_id: str, province: str, province_2025: str) -> ReformMentioned:
    data = ReformMention(mention_id=f"m-{article_id}", article_id=article_id, story_id=article_id, kind="topic",
                         topic="sap_xep_bo_may", provinces=[province], provinces_2025=[province_2025])
    return ReformMentioned.wrap(data, subject=article_id, event_id=f"e-{article_id}", time=datetime.now(UTC))


async def test_events_say_the_filter_then_the_connection_then_what_matches():
    hub, connected = MentionHub(), [False]
    events = mention_events(FedHub(hub, lambda: connected[0]), checked(Filter(provinces=["Đăk Lắk"]), allow_empty=True),
                            status_every_s=0.01)
    assert await anext(events) == {"event": "ready", "data": json.dumps({"filter": {"provinces": ["Đắk Lắk"]}})}
    assert await anext(events) == {"event": "status", "data": json.dumps({"connected": False})}
    assert hub.listeners == 1
    connected[0] = True
    assert await asyncio.wait_for(anext(events), 5) == {"event": "status", "data": json.dumps({"connected": True})}
    for published in (mention("qn", "Quảng Ninh", "Quảng Ninh"), mention("py", "Phú Yên", "Đắk Lắk")):
        hub.publish(published)
    event = await asyncio.wait_for(anext(events), 5)
    assert event["event"] == "reform.mention" and event["id"] == "e-py"
    assert json.loads(event["data"])["data"]["article_id"] == "py"
    await events.aclose()
    assert hub.listeners == 0


async def test_an_empty_filter_lets_everything_through():
    hub = MentionHub()
    events = mention_events(FedHub(hub, lambda: True), Filter(), status_every_s=0.01)
    assert [(await anext(events))["event"] for _ in range(2)] == ["ready", "status"]
    hub.publish(mention("qn", "Quảng Ninh", "Quảng Ninh"))
    assert (await asyncio.wait_for(anext(events), 5))["id"] == "e-qn"
    await events.aclose()
