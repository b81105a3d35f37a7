"""The index templates in deploy/elasticsearch/: valid, explicit, and consistent with what the adapter sends."""
from __future__ import annotations

import json
import re

import pytest

from common.settings import Settings
from common.stores.elasticsearch_store import (
    FACET_FIELDS,
    IndexNames,
    load_templates,
    mapping_versions,
    search_request,
    templates_dir,
)
from common.stores.ports import FACETS, SearchQuery
from tests.elasticsearch_helpers import DIR, field_paths, mapping_of, templates

BUILTIN_ANALYZERS = {"standard", "simple", "whitespace", "keyword", "stop"}
BUILTIN_TOKENIZERS = {"standard", "whitespace", "keyword", "letter"}
BUILTIN_FILTERS = {"lowercase", "asciifolding", "trim", "unique"}


def test_every_file_is_json_and_loads_as_a_template():
    files = sorted(DIR.glob("*.json"))
    assert len(files) == 4
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))
    kinds = sorted((t.kind, t.name) for t in templates())
    assert kinds == [("component", "provnews-text"), ("index", "provnews-articles"), ("index", "provnews-mentions"),
                     ("index", "provnews-metrics")]
    assert templates_dir(Settings()) == DIR


def test_every_analyzer_a_mapping_names_is_defined_with_its_parts():
    components = {t.name: t.body for t in templates() if t.kind == "component"}
    for t in (t for t in templates() if t.kind == "index"):
        analysis: dict = {}
        for name in t.body["composed_of"]:
            assert name in components, f"{t.name} is composed of a missing component {name}"
            analysis.update(components[name]["template"]["settings"].get("analysis", {}))
        analyzers = analysis.get("analyzer", {})
        used = {spec[key] for spec in field_paths(t.body["template"]["mappings"]["properties"]).values()
                for key in ("analyzer", "search_analyzer") if key in spec}
        assert used, t.name
        for name in used:
            assert name in analyzers or name in BUILTIN_ANALYZERS, f"{t.name} uses undefined analyzer {name}"
        for name, analyzer in analyzers.items():
            assert analyzer["tokenizer"] in BUILTIN_TOKENIZERS | set(analysis.get("tokenizer", {})), name
            for f in analyzer.get("filter", []):
                assert f in BUILTIN_FILTERS | set(analysis.get("filter", {})), f"{name}: filter {f}"
            for c in analyzer.get("char_filter", []):
                assert c in set(analysis.get("char_filter", {})), f"{name}: char_filter {c}"


def test_the_folding_analyzer_is_the_one_the_issue_asks_for():
    analysis = next(t for t in templates() if t.kind == "component").body["template"]["settings"]["analysis"]
    folding = analysis["analyzer"]["vi_folding"]
    assert folding["tokenizer"] == "standard"
    assert folding["filter"][0] == "lowercase"
    assert analysis["filter"][folding["filter"][1]] == {"type": "asciifolding", "preserve_original": True}
    assert "asciifolding" not in analysis["analyzer"]["vi_exact"]["filter"]
    # The standard tokenizer keeps these inside a word (TP.HCM, 1.875); the query API splits on them, so must we.
    pattern = analysis["char_filter"]["word_punctuation"]["pattern"]
    for ch in ".,;:'\u2019\u00b7":
        assert re.fullmatch(pattern, ch), ch


def test_mappings_are_explicit_and_versioned_behind_their_alias():
    assert mapping_versions(templates()) == {"provnews-articles": 1, "provnews-metrics": 3, "provnews-mentions": 2}
    for t in (t for t in templates() if t.kind == "index"):
        mappings = t.body["template"]["mappings"]
        assert mappings["dynamic"] == "strict"
        assert t.body["index_patterns"] == [f"{t.body['_meta']['alias']}-v*"]
        assert IndexNames.aliases("provnews").version(3).articles == "provnews-articles-v3"
        for path, spec in field_paths(mappings["properties"]).items():
            assert "type" in spec or spec.get("enabled") is False, path


def test_a_different_prefix_renames_templates_patterns_and_components():
    renamed = load_templates(DIR, "pn2")
    assert {t.name for t in renamed} == {"pn2-text", "pn2-articles", "pn2-metrics", "pn2-mentions"}
    articles = next(t for t in renamed if t.name == "pn2-articles").body
    assert articles["index_patterns"] == ["pn2-articles-v*"] and articles["composed_of"] == ["pn2-text"]
    assert articles["_meta"]["alias"] == "pn2-articles"


def test_facets_and_filters_use_keyword_fields_and_search_uses_text_fields():
    fields = field_paths(mapping_of("provnews-articles")["properties"])
    assert set(FACET_FIELDS) == set(FACETS)
    for facet, field in FACET_FIELDS.items():
        assert fields[field]["type"] == "keyword", facet
    for q in ("tinh gian", "tinh giản"):
        request = search_request(SearchQuery(q=q, province=["Lào Cai"], year=[2018]))
        for name in request["query"]["bool"]["must"][0]["multi_match"]["fields"]:
            assert fields[name.split("^")[0]]["type"] == "text"
        for clause in request["sort"]:
            assert next(iter(clause)) in fields | {"_score": None}
        for name in request["source_includes"]:
            assert name in fields
        for agg in request["aggs"].values():
            assert fields[agg["terms"]["field"]]["type"] == "keyword"


@pytest.mark.parametrize("q, fields", [("tinh gian bien che", ["title^10", "text"]),
                                       ("tinh giản", ["title.exact^10", "text.exact"]),
                                       ("đảng", ["title.exact^10", "text.exact"])])
def test_words_without_diacritics_search_folded_fields_and_with_them_exact_ones(q, fields):
    match = search_request(SearchQuery(q=q))["query"]["bool"]["must"][0]["multi_match"]
    assert match["fields"] == fields and match["operator"] == "and" and match["type"] == "cross_fields"


def test_province_matches_either_name_and_filters_combine_with_and():
    request = search_request(SearchQuery(province=["Lào Cai", "Yên Bái"], topic=["sap_xep_bo_may"],
                                         date_from="2019-01-01", page=3, size=10))
    filters = request["query"]["bool"]["filter"]
    assert {"terms": {"topics": ["sap_xep_bo_may"]}} in filters
    province = next(f for f in filters if "bool" in f)["bool"]
    assert province["minimum_should_match"] == 1
    assert [next(iter(c["terms"])) for c in province["should"]] == ["provinces", "provinces_2025"]
    assert {"range": {"published": {"gte": "2019-01-01"}}} in filters
    assert request["from_"] == 20 and request["size"] == 10 and request["track_total_hits"] is True


def test_the_flat_metrics_carry_the_scoreboard_class():
    metrics = next(t for t in templates() if t.body["_meta"].get("alias") == "provnews-metrics")
    properties = metrics.body["template"]["mappings"]["properties"]
    assert properties["metric_class"] == {"type": "keyword"} and properties["reduces"] == {"type": "boolean"}
    assert properties["class_rule"] == {"type": "keyword"}
