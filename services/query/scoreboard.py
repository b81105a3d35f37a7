"""The province reform scoreboard: for each province, its reform metrics by comparable class (the engine's
`metric_class`), with the latest figure, the sum of reductions where adding up is honest, and the reductions
by year, every number linked to its article and evidence sentence.

Honest sums: only figures whose action cuts what they count (`reduces`) and whose number is exact are added;
a figure that restates one already counted is counted once: the same story giving the same value (an
article and its republications, or a lead repeating the body), or another story giving the same value and
unit on the same date. A figure counts for a province only when its article names that province alone, or
its evidence sentence names one of the article's provinces alone; the others are counted as unattributed.
The figures are read through the store's metrics listing, so every storage adapter gives the same board.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from common.lexicon import name_2025
from common.metric_classes import key as unit_key
from common.stores.ports import PAGE_SIZE_MAX, ArticleStore, MetricRow, SearchQuery
from schemas.extraction import METRIC_CLASSES, MetricClass
from services.query.dependencies import AppSettings, Store
from services.query.exports import EXPORTED, Column, ExportFormat, FormatParam, export_response
from services.query.filters import Filters

Names = Literal["then", "2025"]
Sort = Literal["province", "figures", *METRIC_CLASSES]


class Figure(BaseModel):
    """One reported number, with where it was read."""

    article_id: str
    position: int
    title: str | None
    url: str | None
    source: str | None
    published: date | None
    action: str
    value: float
    unit: str
    qualifier: str
    sentence: str


class YearSum(BaseModel):
    year: int
    value: float


class Cell(BaseModel):
    figures: int = Field(description="Figures of this class for this province (any action).")
    latest: Figure | None = Field(description="The most recently published figure of the class.")
    reductions: float | None = Field(description="The sum of the distinct exact reductions; null when there are none.")
    summed: list[Figure] = Field(description="The reductions added up, each once, oldest first.")
    restated: int = Field(description="Reductions left out as restating one already counted.")
    not_summed: int = Field(description="Reductions left out because their number is not exact (about, over, …).")
    by_year: list[YearSum] = Field(description="Reductions added up per year of publication (dated ones only).")


class Row(BaseModel):
    province: str
    figures: int
    classes: dict[str, Cell]


class Scoreboard(BaseModel):
    names: Names
    classes: list[str]
    provinces: list[Row]
    unattributed: int = Field(description="Figures with a class whose province cannot be told (several named).")
    metrics_read: int
    truncated: bool = Field(description="More metrics matched than PROVNEWS_SCOREBOARD_MAX_METRICS: the board is partial.")


def _figure(row: MetricRow) -> Figure:
    return Figure(article_id=row.article_id, position=row.position, title=row.title, url=row.url, source=row.source,
                  published=row.published, action=row.action, value=row.value, unit=row.unit,
                  qualifier=row.qualifier, sentence=row.sentence)


def province_of(row: MetricRow) -> str | None:
    """The one province (named at the time) a figure is about, or None when that cannot be told."""
    if len(row.provinces) == 1:
        return row.provinces[0]
    named = [p for p in row.provinces if p in row.sentence]
    return named[0] if len(named) == 1 else None


def _restates(figure: MetricRow, kept: Iterable[MetricRow]) -> bool:
    for other in kept:
        if other.value != figure.value:
            continue
        if other.story_id and other.story_id == figure.story_id:
            return True
        if figure.published and other.published == figure.published and unit_key(other.unit) == unit_key(figure.unit):
            return True
    return False


def _order(row: MetricRow) -> tuple:
    return (row.published is None, row.published or date.min, row.article_id, row.position)


def cell(rows: list[MetricRow]) -> Cell:
    rows = sorted(rows, key=_order)
    kept: list[MetricRow] = []
    restated = not_summed = 0
    for row in rows:
        if not row.reduces:
            continue
        if row.qualifier != "exact":
            not_summed += 1
        elif _restates(row, kept):
            restated += 1
        else:
            kept.append(row)
    dated = [r for r in rows if r.published]
    latest = max(dated, key=_order) if dated else (rows[-1] if rows else None)
    years: dict[int, float] = defaultdict(float)
    for row in kept:
        if row.published:
            years[row.published.year] += row.value
    return Cell(figures=len(rows), latest=_figure(latest) if latest else None,
                reductions=sum(r.value for r in kept) if kept else None, summed=[_figure(r) for r in kept],
                restated=restated, not_summed=not_summed,
                by_year=[YearSum(year=y, value=v) for y, v in sorted(years.items())])


def build(rows: Iterable[MetricRow], *, names: Names = "then", classes: Iterable[str] = (), sort: Sort = "province",
          truncated: bool = False) -> Scoreboard:
    wanted = [c for c in METRIC_CLASSES if not classes or c in set(classes)]
    renamed = name_2025() if names == "2025" else {}
    grouped: dict[str, dict[str, list[MetricRow]]] = defaultdict(lambda: defaultdict(list))
    read = unattributed = 0
    for row in rows:
        read += 1
        if row.metric_class not in wanted:
            continue
        province = province_of(row)
        if province is None:
            unattributed += 1
            continue
        grouped[renamed.get(province, province)][row.metric_class].append(row)
    board = [Row(province=p, figures=sum(len(v) for v in by_class.values()),
                 classes={c: cell(by_class[c]) for c in wanted if by_class.get(c)})
             for p, by_class in grouped.items()]
    if sort == "province":
        board.sort(key=lambda r: r.province)
    elif sort == "figures":
        board.sort(key=lambda r: (-r.figures, r.province))
    else:
        board.sort(key=lambda r: (-(r.classes[sort].reductions or 0) if sort in r.classes else 1, r.province))
    return Scoreboard(names=names, classes=wanted, provinces=board, unattributed=unattributed, metrics_read=read,
                      truncated=truncated)


async def read_metrics(store: ArticleStore, query: SearchQuery, max_metrics: int) -> tuple[list[MetricRow], bool]:
    """Every metric of the matching articles through the store's listing, up to max_metrics."""
    rows: list[MetricRow] = []
    stream = store.stream_metrics(query)
    try:
        async for chunk in stream:
            rows += chunk
            if len(rows) > max_metrics:
                return rows[:max_metrics], True
    finally:
        await stream.aclose()
    return rows, False


SCOREBOARD_COLUMNS = (
    Column("province", "The province, named at the time or after the 2025 merger (names=2025)."),
    Column("metric_class", "departments, public_service_units, payroll, leadership, communes, villages or procedures."),
    Column("figures", "Figures of the class for the province."),
    Column("reductions", "The sum of the distinct exact reductions; empty when there are none."),
    Column("reductions_counted", "How many reductions were added up."),
    Column("restated", "Reductions left out as restating one already counted."),
    Column("not_summed", "Reductions left out because their number is not exact."),
    Column("latest_value", "The most recently published figure: its value,"),
    Column("latest_unit", "its unit,"),
    Column("latest_action", "its action,"),
    Column("latest_published", "its date,"),
    Column("latest_article_id", "its article,"),
    Column("latest_sentence", "and its evidence sentence."),
    Column("by_year", "Reductions per year, YYYY:value."),
)


def board_records(board: Scoreboard) -> list[dict]:
    records = []
    for row in board.provinces:
        for name, c in row.classes.items():
            latest = c.latest
            records.append({
                "province": row.province, "metric_class": name, "figures": c.figures, "reductions": c.reductions,
                "reductions_counted": len(c.summed), "restated": c.restated, "not_summed": c.not_summed,
                "latest_value": latest.value if latest else None, "latest_unit": latest.unit if latest else None,
                "latest_action": latest.action if latest else None,
                "latest_published": latest.published.isoformat() if latest and latest.published else None,
                "latest_article_id": latest.article_id if latest else None,
                "latest_sentence": latest.sentence if latest else None,
                "by_year": [f"{y.year}:{y.value:g}" for y in c.by_year],
            })
    return records


NamesParam = Annotated[Names, Query(description="Provinces as named at the time, or after the July 2025 merger.")]
ClassParam = Annotated[list[MetricClass], Query(alias="class", description="Only these classes (all when none).")]
SortParam = Annotated[Sort, Query(description="province (A to Z), figures, or a class (largest reduction first).")]
router = APIRouter(tags=["scoreboard"])


async def _board(store: ArticleStore, max_metrics: int, query: SearchQuery, names: Names, classes: list[str],
                 sort: Sort) -> Scoreboard:
    rows, truncated = await read_metrics(store, query, max_metrics)
    return build(rows, names=names, classes=classes, sort=sort, truncated=truncated)


@router.get("/v1/scoreboard", response_model=Scoreboard)
async def scoreboard(store: Store, settings: AppSettings, query: Filters, names: NamesParam = "then",
                     classes: ClassParam = [], sort: SortParam = "province") -> Scoreboard:  # noqa: B006
    """Reform metrics per province by class: latest figure, honest sum of reductions, reductions per year."""
    return await _board(store, settings.scoreboard_max_metrics, query, names, classes, sort)


@router.get("/v1/scoreboard/export", response_class=StreamingResponse, responses=EXPORTED, description="The scoreboard, one row per province and class, as CSV or "
            "NDJSON. Columns: " + "; ".join(f"`{c.name}`" for c in SCOREBOARD_COLUMNS) + ".")
async def export_scoreboard(store: Store, settings: AppSettings, query: Filters, names: NamesParam = "then",
                            classes: ClassParam = [], sort: SortParam = "province",  # noqa: B006
                            format: FormatParam = "csv"):  # noqa: A002
    """The scoreboard as CSV or NDJSON."""
    records = board_records(await _board(store, settings.scoreboard_max_metrics, query, names, classes, sort))

    async def pages():
        for start in range(0, len(records), PAGE_SIZE_MAX):
            yield records[start:start + PAGE_SIZE_MAX]

    fmt: ExportFormat = format
    return export_response(fmt, "scoreboard", SCOREBOARD_COLUMNS, len(records), len(records), pages())
