"""The bulk actions the adapter sends for the seed articles: ids, target indices and bodies."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from common.mentions import reform_mentions
from common.stores.elasticsearch_store import IndexNames, bulk_actions, doc_version
from common.stores.search_layout import facet_values
from schemas.events import ExtractedArticle
from tests.elasticsearch_helpers import field_paths, mapping_of
from tests.seed_helpers import SEED_ARTICLES

NAMES = IndexNames.aliases("provnews")
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def by_index(actions: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for action in actions:
        grouped.setdefault(action["_index"], []).append(action)
    return grouped


@pytest.mark.parametrize("article", SEED_ARTICLES, ids=lambda a: a.article_id)
def test_article_document_has_the_id_the_index_and_the_extraction(article):
    actions = by_index(bulk_actions(article, NAMES, indexed_at=NOW))
    [action] = actions["provnews-articles"]
    assert action["_op_type"] == "index" and action["_id"] == article.article_id
    assert action["version"] == doc_version(article) == int(article.received_at.timestamp() * 1e6)
    assert action["version_type"] == "external_gte"
    body, ex, facets = action["_source"], article.extraction, facet_values(article)
    assert body["id"] == article.article_id and body["story_id"] == article.story_id
    assert body["title"] == ex.title and body["title"]
    assert body["text"] == ex.clean_text
    assert body["provinces"] == facets["province"] and body["provinces_2025"] == facets["province_2025"]
    assert body["topics"] == [t.id for t in ex.topics]
    assert body["person_names"] == facets["person"] and body["documents"] == facets["document"]
    assert [p["name"] for p in body["persons"]] == [p.name for p in ex.persons]
    assert [m["value"] for m in body["metrics"]] == [m.value for m in ex.metrics]
    assert body["published"] == (article.published.isoformat() if article.published else None)
    assert body["indexed_at"] == NOW.isoformat()
    assert ExtractedArticle.model_validate(body["doc"]) == article  # GET /v1/articles/{id} answers from this


@pytest.mark.parametrize("article", SEED_ARTICLES, ids=lambda a: a.article_id)
def test_one_flat_document_per_metric_and_per_mention(article):
    actions = by_index(bulk_actions(article, NAMES, indexed_at=NOW))
    metrics = actions.get("provnews-metrics", [])
    assert [a["_id"] for a in metrics] == [f"{article.article_id}-m{i}" for i in range(len(article.extraction.metrics))]
    for action, metric in zip(metrics, article.extraction.metrics):
        body = action["_source"]
        assert (body["action"], body["value"], body["unit"]) == (metric.action, metric.value, metric.unit)
        assert body["province_2025"] == facet_values(article)["province_2025"]
        assert body["evidence"] == metric.evidence[0].sentence
        assert action["version"] == doc_version(article)
    mentions = actions.get("provnews-mentions", [])
    expected = reform_mentions(article)
    assert [a["_id"] for a in mentions] == [m.mention_id for m in expected]
    assert [(a["_source"]["kind"], a["_source"]["topic"]) for a in mentions] == [(m.kind, m.topic) for m in expected]
    derived = actions["provnews-articles"][0]["_source"]["derived_ids"]
    assert derived == {"metrics": [a["_id"] for a in metrics], "mentions": [a["_id"] for a in mentions]}


def test_the_seeds_exercise_metrics_topics_and_people():
    actions = [a for article in SEED_ARTICLES for a in bulk_actions(article, NAMES, indexed_at=NOW)]
    counts = {index: len(group) for index, group in by_index(actions).items()}
    assert counts["provnews-articles"] == 5
    assert counts["provnews-metrics"] >= 3 and counts["provnews-mentions"] >= 5
    assert any(a["_source"].get("person_names") for a in actions if a["_index"] == "provnews-articles")


def test_every_body_fits_the_strict_mapping_of_its_index():
    """A field the mapping lacks would be refused (dynamic: strict) and dead-lettered: catch it here."""
    for article in SEED_ARTICLES:
        for action in bulk_actions(article, NAMES, indexed_at=NOW):
            fields = field_paths(mapping_of(action["_index"])["properties"])
            check_against(action["_source"], fields, action["_index"])


def check_against(body: dict, fields: dict, where: str, prefix: str = "") -> None:
    for key, value in body.items():
        path = f"{prefix}{key}"
        assert path in fields, f"{where}: {path} is not in the mapping"
        spec = fields[path]
        if spec.get("enabled") is False or value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            kind = spec.get("type", "object")
            if kind in ("nested", "object"):
                check_against(v, fields, where, f"{path}.")
            elif kind == "keyword" or kind == "text":
                assert isinstance(v, str), f"{where}: {path}={v!r}"
            elif kind in ("double", "integer"):
                assert isinstance(v, (int, float)) and not isinstance(v, bool), f"{where}: {path}={v!r}"
            elif kind == "date" and spec.get("format") == "strict_date":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v), f"{where}: {path}={v!r}"
            elif kind == "date":
                assert datetime.fromisoformat(v), f"{where}: {path}={v!r}"


def test_a_shorter_extraction_deletes_the_flat_documents_it_no_longer_has():
    article = next(a for a in SEED_ARTICLES if len(a.extraction.metrics) >= 2)
    before = bulk_actions(article, NAMES, indexed_at=NOW)[0]["_source"]["derived_ids"]
    shorter = article.model_copy(update={"extraction": article.extraction.model_copy(
        update={"metrics": article.extraction.metrics[:1], "topics": []})})
    actions = bulk_actions(shorter, NAMES, indexed_at=NOW, stale=before)
    deletes = [(a["_index"], a["_id"]) for a in actions if a["_op_type"] == "delete"]
    assert ("provnews-metrics", f"{article.article_id}-m1") in deletes
    assert ("provnews-metrics", f"{article.article_id}-m0") not in deletes
    kept = {a["_id"] for a in actions if a["_op_type"] == "index"}
    assert {doc_id for _, doc_id in deletes}.isdisjoint(kept)
    assert len(deletes) == len(before["metrics"]) - 1 + len(before["mentions"]) - len(
        [a for a in actions if a["_op_type"] == "index" and a["_index"] == "provnews-mentions"])


def test_flat_metric_documents_carry_the_class_for_kibana():
    metrics = [a["_source"] for article in SEED_ARTICLES
               for a in bulk_actions(article, NAMES, indexed_at=NOW) if a["_index"] == NAMES.metrics]
    by_unit = {(m["unit"], m["action"]): m for m in metrics}
    assert by_unit[("phòng, ban, chi cục", "giảm")]["metric_class"] == "departments"
    assert by_unit[("phòng, ban, chi cục", "giảm")]["reduces"] is True
    assert by_unit[("phòng, ban, chi cục", "giảm")]["class_rule"] == "class.departments"
    assert by_unit[("tỷ đồng thu ngân sách", "đạt")]["metric_class"] is None
