"""From an extracted article to pending deliveries: which subscriptions, what they are told, under which id."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jsonschema

from common.mention_filters import Filter, checked
from schemas.events import AlertDelivered, ExtractedArticle
from schemas.extraction import Evidence, Extraction, Province, Topic
from schemas.generate import SCHEMA_DIR
from services.alerts.policies import matches_for
from services.alerts.ports import Subscription

NOW = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)
SENTENCE = "Quảng Ninh sắp xếp tổ chức bộ máy tinh gọn."


def article(article_id: str = "a1", story_id: str = "s1", received_at: datetime = NOW, topics=("sap_xep_bo_may",)):
    extraction = Extraction(
        engine_version="test", title="Quảng Ninh tinh gọn bộ máy", clean_text=SENTENCE,
        provinces=[Province(name="Quảng Ninh", name_2025="Quảng Ninh")],
        topics=[Topic(id=t, evidence=[Evidence(start=0, end=10, sentence=SENTENCE)]) for t in topics],
    )
    return ExtractedArticle(article_id=article_id, story_id=story_id, raw_text=SENTENCE, url="https://baoquangninh.vn/1",
                            received_at=received_at, extraction=extraction)


def subscription(sub_id: str, created_at: datetime = NOW - timedelta(minutes=1), mode="instant", **filter_):
    return Subscription(id=sub_id, owner="o", name=f"name {sub_id}", webhook_url="https://hooks.example.com/",
                        filter=checked(Filter(**filter_)), mode=mode, created_at=created_at, updated_at=created_at)


def test_only_matching_subscriptions_get_a_delivery_with_a_valid_signed_event_body():
    subs = [subscription("topic", topics=["sap_xep_bo_may"]), subscription("province", provinces=["Quảng Ninh"]),
            subscription("elsewhere", provinces=["Cà Mau"])]
    found = matches_for(article(), subs, link_base="http://query:8001", now=NOW)
    assert [m.subscription_id for m in found] == ["topic", "province"]
    event = json.loads(found[0].body)
    jsonschema.validate(event, json.loads((SCHEMA_DIR / "reform.alert.v1.schema.json").read_text()))
    alert = AlertDelivered.model_validate(event)
    assert alert.type == "org.provnews.reform.alert.v1" and alert.id == found[0].delivery_id
    assert alert.data.subscription_id == "topic" and alert.data.mode == "instant"
    [alerted] = alert.data.articles
    assert alerted.article_id == "a1" and alerted.link == "http://query:8001/v1/articles/a1"
    assert alerted.provinces == ["Quảng Ninh"] and alerted.url == "https://baoquangninh.vn/1"
    assert [(m.kind, m.topic, m.evidence) for m in alerted.matches] == [("topic", "sap_xep_bo_may", [SENTENCE])]


def test_one_delivery_id_per_subscription_and_story():
    subs = [subscription("topic", topics=["sap_xep_bo_may"])]
    first = matches_for(article("a1", "s1"), subs, link_base="http://q", now=NOW)
    replayed = matches_for(article("a1", "s1"), subs, link_base="http://q", now=NOW + timedelta(hours=1))
    other_outlet = matches_for(article("a2", "s1"), subs, link_base="http://q", now=NOW)
    other_story = matches_for(article("a3", "s3"), subs, link_base="http://q", now=NOW)
    assert first[0].delivery_id == replayed[0].delivery_id == other_outlet[0].delivery_id
    assert other_story[0].delivery_id != first[0].delivery_id


def test_articles_received_before_a_subscription_existed_are_not_news_to_it():
    late = subscription("late", created_at=NOW + timedelta(seconds=1), topics=["sap_xep_bo_may"])
    assert matches_for(article(), [late], link_base="http://q", now=NOW) == []


def test_an_article_without_reform_mentions_alerts_no_one():
    assert matches_for(article(topics=()), [subscription("p", provinces=["Quảng Ninh"])], link_base="http://q", now=NOW) == []


def test_digest_subscriptions_get_the_match_without_an_instant_body():
    [found] = matches_for(article(), [subscription("d", mode="digest", provinces=["Quảng Ninh"])],
                          link_base="http://q", now=NOW)
    assert found.body == b"" and found.article.story_id == "s1"


def test_keywords_are_looked_for_in_the_whole_text():
    subs = [subscription("k", keywords=["tinh gon"]), subscription("none", keywords=["hợp tác công tư"])]
    found = matches_for(article(), subs, link_base="http://q", now=NOW)
    assert [m.subscription_id for m in found] == ["k"]
    assert found[0].article.matches[-1].keyword == "tinh gon"
