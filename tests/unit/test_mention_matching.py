"""Matching a filter against the reform mentions of one article: OR within a list, AND across lists."""
from __future__ import annotations

from common.mention_filters import Filter, MetricFilter, checked
from common.mention_matching import keyword_sentences, match
from schemas.events import ReformMention
from schemas.extraction import Evidence, Metric

COMMON = dict(article_id="a1", story_id="s1", title="Yên Bái tinh gọn bộ máy", provinces=["Yên Bái"],
              provinces_2025=["Lào Cai"], persons=["Nguyễn Văn An"], documents=["18-NQ/TW", "nghi_quyet:19"])
TOPIC = ReformMention(mention_id="m1", kind="topic", topic="sap_xep_bo_may",
                      evidence=[Evidence(start=0, end=5, sentence="Tỉnh sắp xếp tổ chức bộ máy.")], **COMMON)
OTHER_TOPIC = ReformMention(mention_id="m2", kind="topic", topic="tinh_gian_bien_che", **COMMON)
METRIC = ReformMention(mention_id="m3", kind="metric",
                       metric=Metric(action="giảm", value=81, unit="phòng, ban, chi cục"),
                       evidence=[Evidence(start=0, end=5, sentence="Tỉnh đã giảm 81 phòng, ban, chi cục.")], **COMMON)
MENTIONS = [TOPIC, OTHER_TOPIC, METRIC]
TEXT = "Yên Bái tinh gọn bộ máy\nTỉnh sắp xếp tổ chức bộ máy. Tỉnh đã giảm 81 phòng, ban, chi cục. Đề án 06 về dữ liệu."


def f(**kwargs) -> Filter:
    return checked(Filter(**kwargs))


def kinds(found) -> list[tuple[str, str | None]]:
    return [(i.kind, i.topic or i.keyword or (i.metric.unit if i.metric else None)) for i in found.items]


def test_a_topic_matches_only_its_own_mention_with_evidence():
    found = match(f(topics=["sap_xep_bo_may"]), MENTIONS, TEXT)
    assert kinds(found) == [("topic", "sap_xep_bo_may")]
    assert found.items[0].mention_id == "m1"
    assert found.items[0].evidence == ["Tỉnh sắp xếp tổ chức bộ máy."]
    assert match(f(topics=["doi_tac_cong_tu"]), MENTIONS, TEXT) is None


def test_values_in_one_list_are_alternatives():
    found = match(f(topics=["doi_tac_cong_tu", "tinh_gian_bien_che"]), MENTIONS, TEXT)
    assert kinds(found) == [("topic", "tinh_gian_bien_che")]


def test_lists_must_all_hold():
    assert match(f(topics=["sap_xep_bo_may"], provinces=["Yên Bái"]), MENTIONS, TEXT) is not None
    assert match(f(topics=["sap_xep_bo_may"], provinces=["Quảng Ninh"]), MENTIONS, TEXT) is None
    assert match(f(topics=["sap_xep_bo_may"], persons=["Nguyễn Văn Bình"]), MENTIONS, TEXT) is None


def test_a_province_matches_by_its_name_then_or_after_2025():
    assert match(f(provinces=["Yên Bái"]), MENTIONS) is not None
    assert match(f(provinces=["lao cai"]), MENTIONS) is not None  # Yên Bái is in Lào Cai since 2025
    assert match(f(provinces=["Quảng Ninh"]), MENTIONS) is None


def test_a_filter_without_topics_or_metrics_takes_every_mention():
    found = match(f(provinces=["Yên Bái"]), MENTIONS)
    assert [i.mention_id for i in found.items] == ["m1", "m2", "m3"]


def test_topic_and_metric_hold_across_the_mentions_of_one_article():
    found = match(f(topics=["sap_xep_bo_may"], metric=MetricFilter(min_value=50)), MENTIONS, TEXT)
    assert kinds(found) == [("topic", "sap_xep_bo_may"), ("metric", "phòng, ban, chi cục")]
    assert match(f(topics=["sap_xep_bo_may"], metric=MetricFilter(min_value=100)), MENTIONS, TEXT) is None


def test_metric_threshold_and_unit_with_or_without_diacritics():
    assert match(f(metric=MetricFilter(unit_contains="chi cuc", min_value=81)), MENTIONS) is not None
    assert match(f(metric=MetricFilter(unit_contains="chi cục")), MENTIONS) is not None
    assert match(f(metric=MetricFilter(unit_contains="biên chế")), MENTIONS) is None
    assert match(f(metric=MetricFilter(min_value=81.5)), MENTIONS) is None
    found = match(f(metric=MetricFilter(min_value=10)), MENTIONS)
    assert found.items[0].metric.value == 81 and found.items[0].evidence == ["Tỉnh đã giảm 81 phòng, ban, chi cục."]


def test_persons_and_documents_match_whole_values_loosely_written():
    assert match(f(persons=["nguyễn văn an"]), MENTIONS) is not None
    assert match(f(persons=["Nguyen Van An"]), MENTIONS) is not None
    assert match(f(persons=["Nguyễn Văn"]), MENTIONS) is None
    assert match(f(documents=["18-nq/tw"]), MENTIONS) is not None
    assert match(f(documents=["nghi_quyet:19"]), MENTIONS) is not None
    assert match(f(documents=["19-NQ/TW"]), MENTIONS) is None


def test_keywords_are_whole_words_of_the_text_with_their_sentence():
    found = match(f(keywords=["đề án 06"]), MENTIONS, TEXT)
    assert kinds(found)[-1] == ("keyword", "đề án 06")
    assert found.items[-1].evidence == ["Đề án 06 về dữ liệu."]
    assert match(f(keywords=["de an 06"]), MENTIONS, TEXT) is not None  # no diacritics: matches either way
    assert match(f(keywords=["đề án 0"]), MENTIONS, TEXT) is None
    assert match(f(keywords=["Đề án 06"], topics=["doi_tac_cong_tu"]), MENTIONS, TEXT) is None


def test_without_the_text_keywords_look_in_the_title_and_evidence():
    assert match(f(keywords=["chi cục"]), [METRIC]) is not None
    assert match(f(keywords=["đề án 06"]), [METRIC]) is None


def test_an_article_without_reform_mentions_matches_nothing():
    assert match(f(provinces=["Yên Bái"]), [], TEXT) is None


def test_keyword_sentences_are_cut_at_sentence_ends():
    text = "Một câu đầu. Tỉnh tinh giản biên chế mạnh! Câu cuối"
    assert keyword_sentences("biên chế", text) == ["Tỉnh tinh giản biên chế mạnh!"]
    assert keyword_sentences("BIEN CHE", text) == ["Tỉnh tinh giản biên chế mạnh!"]
    assert keyword_sentences("cuối", text) == ["Câu cuối"]
