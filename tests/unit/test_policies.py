"""Story ids and reform mentions, from plain values."""
from __future__ import annotations

from datetime import UTC, date, datetime

from common.mentions import reform_mentions
from schemas.events import ReceivedArticle
from schemas.extraction import Evidence, Extraction, Metric, Person, Province, Topic
from services.extract.policies import assign_story, extracted_article


def test_a_new_article_starts_its_own_story_and_records_its_keys():
    table: dict[str, str] = {}
    story, new = assign_story("a1", ["k2", "k1", "k1"], table.get)
    assert story == "a1" and new == ["k1", "k2"]


def test_a_near_duplicate_joins_the_earlier_story_and_replays_agree():
    table = {"k1": "a1", "k2": "a1"}
    story, new = assign_story("b2", ["k2", "k9"], table.get)
    assert story == "a1" and new == ["k9"]
    table["k9"] = story
    assert assign_story("b2", ["k2", "k9"], table.get) == ("a1", [])


def test_no_keys_means_its_own_story():
    assert assign_story("a1", [], {}.get) == ("a1", [])


def _article():
    ev = Evidence(start=0, end=10, sentence="Tỉnh giảm 81 phòng, ban.")
    extraction = Extraction(
        engine_version="t", title="Tinh gọn bộ máy", published=date(2018, 3, 9),
        persons=[Person(name="Nguyễn Văn A", roles=["Bí thư Tỉnh ủy"])],
        provinces=[Province(name="Yên Bái", name_2025="Lào Cai")],
        metrics=[Metric(action="giảm", value=81, unit="phòng, ban", evidence=[ev])],
        topics=[Topic(id="sap_xep_bo_may", evidence=[ev])],
    )
    received = ReceivedArticle(article_id="a1", text="raw", received_at=datetime.now(UTC), url="https://x.vn/a")
    return extracted_article(received, extraction, "s1")


def test_one_mention_per_topic_and_metric_with_filterable_fields():
    mentions = reform_mentions(_article())
    assert [(m.kind, m.topic) for m in mentions] == [("topic", "sap_xep_bo_may"), ("metric", None)]
    metric = mentions[1]
    assert metric.metric.value == 81
    assert metric.provinces == ["Yên Bái"] and metric.provinces_2025 == ["Lào Cai"]
    assert metric.persons == ["Nguyễn Văn A"] and metric.story_id == "s1"
    assert metric.evidence[0].sentence.startswith("Tỉnh giảm 81")


def test_mention_ids_are_stable_across_replays():
    assert [m.mention_id for m in reform_mentions(_article())] == [m.mention_id for m in reform_mentions(_article())]


def test_posted_title_fills_in_when_the_engine_found_none():
    received = ReceivedArticle(article_id="a1", text="x", title="Tiêu đề gửi kèm", received_at=datetime.now(UTC))
    article = extracted_article(received, Extraction(engine_version="t"), "a1")
    assert article.extraction.title == "Tiêu đề gửi kèm"
