"""Filters: checked and put in canonical form before they are stored."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from common.mention_filters import Filter, FilterError, MetricFilter, canonical_province, checked


@pytest.mark.parametrize("written,canonical", [
    ("Quảng Ninh", "Quảng Ninh"),
    ("quang ninh", "Quảng Ninh"),
    ("Tỉnh Quảng Ninh", "Quảng Ninh"),
    ("Khánh Hoà", "Khánh Hòa"),
    ("Thừa Thiên Huế", "Huế"),
    ("TP.HCM", "Hồ Chí Minh"),
    ("Lào Cai", "Lào Cai"),  # also the 2025 name of the merged Yên Bái and Lào Cai
])
def test_provinces_are_known_by_any_usual_spelling(written, canonical):
    assert canonical_province(written) == canonical


def test_a_checked_filter_has_canonical_provinces_without_repeats():
    f = checked(Filter(provinces=["quang ninh", "Quảng Ninh", "Yên Bái"], topics=["sap_xep_bo_may"]))
    assert f.provinces == ["Quảng Ninh", "Yên Bái"]
    assert f.topics == ["sap_xep_bo_may"]


@pytest.mark.parametrize("filter_,error,detail", [
    (Filter(), "empty_filter", "the filter is empty"),
    (Filter(metric=MetricFilter()), "empty_filter", "the filter is empty"),
    (Filter(topics=["sap_xep_bo_may", "no_such_topic"]), "unknown_topic", "unknown topic id(s): no_such_topic"),
    (Filter(provinces=["Quảng Ninh", "Atlantis"]), "unknown_province", "unknown province(s): Atlantis"),
])
def test_invalid_filters_say_why(filter_, error, detail):
    with pytest.raises(FilterError) as caught:
        checked(filter_)
    assert caught.value.error == error
    assert detail in caught.value.detail


def test_an_empty_filter_is_fine_where_it_means_everything():
    assert checked(Filter(), allow_empty=True).is_empty()


def test_filters_are_strict_about_their_shape():
    with pytest.raises(ValidationError):
        Filter.model_validate({"topic": ["sap_xep_bo_may"]})
    with pytest.raises(ValidationError):
        Filter.model_validate({"keywords": ["   "]})
    assert Filter(keywords=["  biên   chế "]).keywords == ["biên chế"]
