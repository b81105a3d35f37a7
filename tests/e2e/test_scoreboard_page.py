"""The province scoreboard and the exports in a real browser (Debian's chromium through Playwright) against
`provnews up` with the five seeds and the real-article corpus (../shared/corpus/articles) indexed.

With PROVNEWS_SCREENSHOTS=<folder> (`make screenshot`) the scoreboard's picture for the README is saved there.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from provnews.ingest_client import ingest_files
from tests.browser_helpers import CHROMIUM, Page
from tests.conftest import ROOT, Stack, make_stack, wait_until

CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not next to the project"),
]


YEARS_APART = (
    "Điện Biên tinh gọn bộ máy\n\nNgày 5/3/2019, Sở Nội vụ tỉnh Điện Biên cho biết tỉnh đã giảm 9 phòng, ban thuộc sở "
    "sau khi sắp xếp tổ chức bộ máy theo Nghị quyết 18-NQ/TW.",
    "Điện Biên tiếp tục sắp xếp\n\nNgày 7/4/2021, tỉnh Điện Biên đã giảm 6 phòng, ban thuộc sở và 2 chi cục, "
    "tiếp tục thực hiện Nghị quyết 18-NQ/TW.",
)


@pytest.fixture(scope="module")
def board_stack(tmp_path_factory) -> Iterator[Stack]:
    s = make_stack(tmp_path_factory.mktemp("board-stack"))
    s.start(timeout=180)
    try:
        assert any(line.startswith("seeds: 5 of 5") for line in s.output), s.output
        summary = ingest_files([CORPUS], s.url("ingest"), show_progress=False)
        assert not summary.rejected, summary.rejected
        # The corpus has no province with cuts in two years: two short reports give one a history to chart.
        for text in YEARS_APART:
            response = httpx.post(f"{s.url('ingest')}/v1/articles", json={"text": text}, timeout=30)
            assert response.status_code == 202, response.text
            summary.accepted.append(response.json()["id"])
        query = s.url("query")
        wait_until(lambda: all(httpx.get(f"{query}/v1/articles/{i}").status_code == 200 for i in summary.accepted),
                   timeout=120, interval=1, message="the corpus indexed")
        yield s
    finally:
        s.stop()


@pytest.fixture
def explorer(browser, board_stack, tmp_path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN", accept_downloads=True)
    page = Page(context.new_page(), board_stack.url("query"), tmp_path)
    try:
        yield page
        assert page.errors == [], page.errors
    finally:
        context.close()


def api_board(stack: Stack, **params) -> dict:
    response = httpx.get(f"{stack.url('query')}/v1/scoreboard", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def downloaded(page, link_selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(link_selector)
    return open(info.value.path(), "rb").read()


def test_the_corpus_fills_the_board_by_class_with_evidence(board_stack):
    board = api_board(board_stack)
    assert len(board["provinces"]) >= 10, [r["province"] for r in board["provinces"]]
    filled = {c for r in board["provinces"] for c in r["classes"]}
    assert {"departments", "payroll", "communes"} <= filled, filled
    query = board_stack.url("query")
    for row in board["provinces"][:5]:
        for cell in row["classes"].values():
            figure = cell["latest"]
            article = httpx.get(f"{query}/v1/articles/{figure['article_id']}").json()
            metric = article["extraction"]["metrics"][figure["position"]]
            assert metric["value"] == figure["value"] and metric["evidence"][0]["sentence"] == figure["sentence"]


def test_the_scoreboard_page_sorts_filters_links_and_exports(explorer, board_stack):
    from playwright.sync_api import expect

    page = explorer.page
    board = api_board(board_stack, sort="departments")
    top = board["provinces"][0]
    with explorer.step("open"):
        explorer.open("/?tab=board")
        expect(page.locator("#panel-board")).to_be_visible()
        expect(page.locator("#board-table tbody tr[data-province]")).to_have_count(len(board["provinces"]))

    with explorer.step("sort"):
        page.select_option("#board-sort", "departments")
        expect(page.locator("#board-table tbody tr[data-province]").first).to_have_attribute("data-province", top["province"])
        assert explorer.query()["bsort"] == ["departments"]
        cell = page.locator(f'td.board-cell[data-province="{top["province"]}"][data-class="departments"]')
        expect(cell.locator(".cut .num")).to_have_attribute("data-reductions",
                                                            str(top["classes"]["departments"]["reductions"]).removesuffix(".0"))
        page.locator("#tab-board").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, document.querySelector('#tab-board').getBoundingClientRect().top - 12)")
        explorer.keep("explorer-scoreboard.png")

    with explorer.step("chart"):
        yearly = [(r["province"], name, c["by_year"]) for r in board["provinces"] for name, c in r["classes"].items()
                  if len(c["by_year"]) > 1]
        [(province, name, years)] = [y for y in yearly if y[0] == "Điện Biên"]
        assert [y["year"] for y in years] == [2019, 2021]
        bars = page.locator(f'td.board-cell[data-province="{province}"][data-class="{name}"] svg.year-bars rect')
        expect(bars).to_have_count(len(years))
        assert str(years[0]["year"]) in bars.first.locator("title").text_content()

    with explorer.step("filter"):
        page.click('#board-classes button[data-class="communes"]')
        expect(page.locator("#board-table thead th[data-class]")).to_have_count(1)
        assert explorer.query()["bclass"] == ["communes"]
        page.click('#board-classes button[data-class="communes"]')
        expect(page.locator("#board-table thead th[data-class]")).to_have_count(7)

    with explorer.step("names-after-2025"):
        page.click('#board-names button[data-pv="2025"]')
        names_2025 = [r["province"] for r in api_board(board_stack, names="2025", sort="departments")["provinces"]]
        expect(page.locator("#board-table tbody tr[data-province]")).to_have_count(len(names_2025))
        shown = page.locator("#board-table tbody tr[data-province]").evaluate_all(
            "rows => rows.map(r => r.dataset.province)")
        assert shown == names_2025
        page.click('#board-names button[data-pv="then"]')

    with explorer.step("export"):
        body = downloaded(page, "#export-board-csv")
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        exported = {(r["province"], r["metric_class"]): r for r in rows}
        assert exported[(top["province"], "departments")]["reductions"] == f'{top["classes"]["departments"]["reductions"]:g}'

    with explorer.step("evidence"):
        figure = top["classes"]["departments"]["summed"][0]
        link = page.locator(f'td.board-cell[data-province="{top["province"]}"][data-class="departments"] .summed a.figure').first
        assert figure["sentence"] in link.get_attribute("title")
        link.click()
        expect(page.locator("#article-view")).to_be_visible()
        assert explorer.query()["article"] == [figure["article_id"]] and explorer.query()["metric"] == [str(figure["position"])]


def test_search_and_metrics_export_from_the_page_open_with_diacritics(explorer, board_stack):
    from playwright.sync_api import expect

    page = explorer.page
    with explorer.step("search-export"):
        explorer.open("/?q=sap+xep&province=S%C6%A1n+La")
        total = explorer.total()
        assert total >= 1
        body = downloaded(page, "#export-search-csv")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert len(rows) == total and all("Sơn La" in r["provinces"].split("; ") for r in rows)
        assert any(re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", r["title"] or "") for r in rows)

    with explorer.step("metrics-export"):
        page.click("#tab-metrics")
        expect(page.locator("#panel-metrics")).to_be_visible()
        body = downloaded(page, "#export-metrics-ndjson")
        records = [json.loads(line) for line in body.decode().splitlines()]
        listed = httpx.get(f"{board_stack.url('query')}/v1/metrics",
                           params={"q": "sap xep", "province": "Sơn La", "size": 100}).json()
        assert len(records) == listed["total"] and {r["article_id"] for r in records} <= {
            m["article_id"] for m in listed["metrics"]} | {r["article_id"] for r in records}
        assert all(r["unit"] for r in records)
