"""The province scoreboard over a real store, on every storage adapter: classes, honest sums (a restated
figure counts once), attribution to one province, names before and after the 2025 merger, filters, sort and
export. The articles are made by hand, so what the board must say is known."""
from __future__ import annotations

import asyncio
import csv
import io
import os
from datetime import UTC, date, datetime

import httpx
import pytest

from common.metric_classes import classified
from common.settings import Settings
from schemas.events import ExtractedArticle
from schemas.extraction import Evidence, Extraction, Metric, Province
from services.query.app import create_app

ES_URL = os.environ.get("PROVNEWS_TEST_ES_URL")
PROVINCES_2025 = {"Hà Giang": "Tuyên Quang", "Yên Bái": "Lào Cai", "Lào Cai": "Lào Cai"}


def article(article_id: str, *, story: str, published: date | None, provinces: list[str], sentences: list[str],
            metrics: list[tuple], source: str = "baohagiang.vn") -> ExtractedArticle:
    """metrics: (action, value, unit, qualifier, index of the sentence it is read in)."""
    text = " ".join(sentences)
    starts = [text.index(s) for s in sentences]
    found = []
    for action, value, unit, qualifier, which in metrics:
        start = starts[which]
        ev = Evidence(start=start, end=start + len(sentences[which]), sentence=sentences[which])
        found.append(classified(Metric(action=action, value=value, unit=unit, qualifier=qualifier, evidence=[ev])))
    return ExtractedArticle(
        article_id=article_id, story_id=story, raw_text=text, source=source, url=f"https://{source}/{article_id}",
        received_at=datetime(2025, 7, 1, tzinfo=UTC),
        extraction=Extraction(engine_version="test", title=f"Bài {article_id}", published=published, clean_text=text,
                              provinces=[Province(name=p, name_2025=PROVINCES_2025[p]) for p in provinces],
                              metrics=found))


HG = ["Hà Giang"]
ARTICLES = [
    article("s1", story="S1", published=date(2024, 10, 9), provinces=HG, sentences=[
        "Hà Giang đã giảm 15 phòng, ban thuộc sở.", "Tỉnh giảm 37 đơn vị sự nghiệp công lập.",
        "Sau sắp xếp, tỉnh còn 17 sở.", "Như vậy, toàn tỉnh giảm 15 phòng, ban."],
        metrics=[("giảm", 15, "phòng, ban thuộc sở", "exact", 0), ("giảm", 37, "đơn vị sự nghiệp công lập", "exact", 1),
                 ("còn", 17, "sở", "exact", 2), ("giảm", 15, "phòng, ban", "exact", 3)]),
    article("s1b", story="S1", published=date(2024, 10, 10), provinces=HG, source="baotuyenquang.vn",
            sentences=["Hà Giang đã giảm 15 phòng, ban thuộc sở."], metrics=[("giảm", 15, "phòng, ban thuộc sở", "exact", 0)]),
    article("s2", story="S2", published=date(2024, 10, 9), provinces=HG, source="dangcongsan.vn",
            sentences=["Tỉnh Hà Giang giảm 15 phòng, ban thuộc sở sau sắp xếp."],
            metrics=[("giảm", 15, "phòng, ban thuộc sở", "exact", 0)]),
    article("s3", story="S3", published=date(2025, 3, 1), provinces=HG, sentences=[
        "Hà Giang giảm tiếp 4 chi cục.", "Dự kiến giảm khoảng 100 biên chế."],
        metrics=[("giảm", 4, "chi cục", "exact", 0), ("giảm", 100, "biên chế", "about", 1)]),
    article("s4", story="S4", published=date(2018, 3, 9), provinces=["Yên Bái"], source="baoyenbai.vn",
            sentences=["Yên Bái đã giảm 12 phòng, ban."], metrics=[("giảm", 12, "phòng, ban", "exact", 0)]),
    article("s5", story="S5", published=date(2019, 6, 1), provinces=["Yên Bái", "Lào Cai"], source="baolaocai.vn",
            sentences=["Lào Cai giảm 30 xã sau sáp nhập."], metrics=[("giảm", 30, "xã", "exact", 0)]),
    article("s6", story="S6", published=date(2019, 6, 2), provinces=["Yên Bái", "Lào Cai"], source="baolaocai.vn",
            sentences=["Hai tỉnh giảm 8 xã."], metrics=[("giảm", 8, "xã", "exact", 0)]),
]


def _es_store():
    if not ES_URL:
        pytest.skip("set PROVNEWS_TEST_ES_URL to run the scoreboard against a real Elasticsearch")
    from common.stores.elasticsearch_store import ElasticsearchStore

    return ElasticsearchStore.from_settings(Settings(es_url=ES_URL, es_index_prefix=f"pnboard{os.getpid()}"))


@pytest.fixture(params=["sqlite", "elasticsearch"])
def api(request, tmp_path, serve):
    from common.stores.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "board.sqlite3") if request.param == "sqlite" else _es_store()

    async def load():
        assert await store.write(ARTICLES) == []
        await store.refresh()

    asyncio.run(load())
    return serve(create_app(Settings(data_dir=tmp_path / "data"), store=store, live=False)).url


def board(api, **params) -> dict:
    response = httpx.get(f"{api}/v1/scoreboard", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def rows(b: dict) -> dict[str, dict]:
    return {r["province"]: r["classes"] for r in b["provinces"]}


def test_a_restated_figure_counts_once_and_only_exact_cuts_add_up(api):
    ha_giang = rows(board(api))["Hà Giang"]
    departments = ha_giang["departments"]
    assert departments["reductions"] == 19  # 15 once (restated in the same article, its republication, another story that day) + 4
    assert departments["restated"] == 3
    assert [(f["article_id"], f["value"]) for f in departments["summed"]] == [("s1", 15), ("s3", 4)]
    assert departments["figures"] == 6  # "còn 17 sở" is a figure of the class, not a cut
    assert departments["latest"]["article_id"] == "s3" and departments["latest"]["sentence"] == "Hà Giang giảm tiếp 4 chi cục."
    assert departments["by_year"] == [{"year": 2024, "value": 15}, {"year": 2025, "value": 4}]
    assert ha_giang["public_service_units"]["reductions"] == 37
    payroll = ha_giang["payroll"]
    assert payroll["reductions"] is None and payroll["not_summed"] == 1 and payroll["latest"]["value"] == 100


def test_figures_go_to_the_one_province_they_are_about(api):
    b = board(api)
    by_province = rows(b)
    assert by_province["Lào Cai"] == {"communes": by_province["Lào Cai"]["communes"]}
    assert by_province["Lào Cai"]["communes"]["reductions"] == 30  # the sentence names Lào Cai alone
    assert by_province["Yên Bái"]["departments"]["reductions"] == 12
    assert b["unattributed"] == 1  # "Hai tỉnh giảm 8 xã": two provinces, neither named in the sentence
    assert b["metrics_read"] == 11


def test_names_after_the_2025_merger_fold_provinces_together(api):
    by_province = rows(board(api, names="2025"))
    assert sorted(by_province) == ["Lào Cai", "Tuyên Quang"]
    assert by_province["Lào Cai"]["departments"]["reductions"] == 12 and by_province["Lào Cai"]["communes"]["reductions"] == 30
    assert by_province["Tuyên Quang"]["departments"]["reductions"] == 19


def test_filter_sort_and_the_same_filters_as_search(api):
    only = board(api, **{"class": "communes"})
    assert only["classes"] == ["communes"] and [r["province"] for r in only["provinces"]] == ["Lào Cai"]
    assert [r["province"] for r in board(api, sort="departments")["provinces"]] == ["Hà Giang", "Yên Bái", "Lào Cai"]
    assert [r["province"] for r in board(api, source="baoyenbai.vn")["provinces"]] == ["Yên Bái"]
    assert [r["province"] for r in board(api, **{"from": "2025-01-01"})["provinces"]] == ["Hà Giang"]
    refused = httpx.get(f"{api}/v1/scoreboard", params={"class": "bridges"})
    assert refused.status_code == 422 and "class" in refused.text


def test_the_scoreboard_exports_as_csv(api):
    response = httpx.get(f"{api}/v1/scoreboard/export", params={"names": "2025", "format": "csv"}, timeout=30)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    exported = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    by_key = {(r["province"], r["metric_class"]): r for r in exported}
    assert by_key[("Tuyên Quang", "departments")]["reductions"] == "19"
    assert by_key[("Tuyên Quang", "departments")]["by_year"] == "2024:15; 2025:4"
    assert by_key[("Tuyên Quang", "departments")]["latest_sentence"] == "Hà Giang giảm tiếp 4 chi cục."
    assert by_key[("Tuyên Quang", "payroll")]["reductions"] == ""
