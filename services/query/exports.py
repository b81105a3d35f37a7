"""Exports: what a user sees as a list, taken away as CSV (UTF-8 with a BOM, for Excel) or NDJSON.

The rows are read from the store as one stream (the port's stream_hits and stream_metrics: SQLite reads one
snapshot a chunk at a time, Elasticsearch page after page) and written out as they come, so a large
export never sits in memory whole. Each column is named and described once
here; the README's table and the OpenAPI text are made from these lists.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from common.stores.ports import ArticleStore, Hit, MetricRow, SearchQuery
from services.query.dependencies import AppSettings, Store
from services.query.filters import Filters

ExportFormat = Literal["csv", "ndjson"]
BOM = "\ufeff"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
LIST_SEPARATOR = "; "  # a list in one CSV cell; NDJSON keeps it a JSON array
_MARK = re.compile(r"</?mark>")


@dataclass(frozen=True)
class Column:
    name: str
    description: str


SEARCH_COLUMNS = (
    Column("id", "The article id (GET /v1/articles/{id})."),
    Column("story_id", "Shared by near-duplicate versions of one story."),
    Column("title", "The headline."),
    Column("url", "Where the article was published."),
    Column("source", "The outlet, e.g. baoquangninh.vn."),
    Column("published", "Publication date, YYYY-MM-DD; empty when unknown."),
    Column("provinces", "Provinces named in the article, by their names at the time."),
    Column("provinces_2025", "The same provinces by their names after the July 2025 merger."),
    Column("topics", "Reform topic ids (sap_xep_bo_may, tinh_gian_bien_che, …)."),
    Column("duplicates", "With collapse=true: other matching articles of the same story."),
    Column("snippet", "A passage of the text around the words searched for, as plain text."),
)
METRIC_COLUMNS = (
    Column("article_id", "The article the metric is in."),
    Column("position", "The metric's index in the article's extraction.metrics."),
    Column("title", "The article's headline."),
    Column("source", "The outlet."),
    Column("url", "Where the article was published."),
    Column("published", "Publication date, YYYY-MM-DD; empty when unknown."),
    Column("action", "The verb of change as written (giảm, sáp nhập, …)."),
    Column("value", "The number."),
    Column("unit", "What was counted, as written (phòng, ban; biên chế; …)."),
    Column("qualifier", "exact, about, nearly, over or under."),
    Column("level", "The administrative level, when the sentence names one."),
    Column("provinces", "Provinces of the article, by their names at the time."),
    Column("provinces_2025", "The same provinces after the July 2025 merger."),
    Column("sentence", "The evidence sentence."),
    Column("metric_class", "The comparable class of the unit (the scoreboard's), empty when none."),
    Column("reduces", "true when the action cuts what it counts (giảm, cắt giảm, tinh giản, …)."),
)


def search_record(hit: Hit) -> dict:
    return {
        "id": hit.id, "story_id": hit.story_id, "title": hit.title, "url": hit.url, "source": hit.source,
        "published": hit.published.isoformat() if hit.published else None, "provinces": hit.provinces,
        "provinces_2025": hit.provinces_2025, "topics": hit.topics, "duplicates": hit.duplicates,
        "snippet": html.unescape(_MARK.sub("", hit.snippet)),
    }


def metric_record(row: MetricRow) -> dict:
    record = row.model_dump(mode="json")
    return {column.name: record[column.name] for column in METRIC_COLUMNS}


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def csv_lines(columns: Sequence[Column], records: Iterable[dict], *, header: bool) -> str:
    """CSV text for these records (and the header line first when asked), with Excel's \\r\\n line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow([c.name for c in columns])
    for record in records:
        writer.writerow([csv_cell(record.get(c.name)) for c in columns])
    return buffer.getvalue()


def ndjson_lines(records: Iterable[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


async def encoded(fmt: ExportFormat, columns: Sequence[Column], pages: AsyncIterator[list[dict]]) -> AsyncIterator[bytes]:
    """The export's bytes, one chunk per page of records: a BOM and the header first for CSV."""
    if fmt == "csv":
        yield (BOM + csv_lines(columns, [], header=True)).encode()
    async for records in pages:
        yield (csv_lines(columns, records, header=False) if fmt == "csv" else ndjson_lines(records)).encode()


async def capped(stream: AsyncIterator[list], to_record: Callable[[object], dict], max_rows: int) -> AsyncIterator[list[dict]]:
    """Records from a store's stream of rows, stopping at max_rows (and closing the stream)."""
    sent = 0
    try:
        async for rows in stream:
            batch = [to_record(r) for r in rows[:max_rows - sent]]
            sent += len(batch)
            if batch:
                yield batch
            if sent >= max_rows:
                return
    finally:
        await stream.aclose()


async def search_pages(store: ArticleStore, query: SearchQuery, max_rows: int) -> tuple[int, AsyncIterator[list[dict]]]:
    """The total (read first, so a bad query fails with its status code before any byte is sent) and the
    records of every hit, streamed."""
    total = (await store.search(query.model_copy(update={"page": 1, "size": 1}))).total
    return total, capped(store.stream_hits(query), search_record, max_rows)


async def metric_pages(store: ArticleStore, query: SearchQuery, max_rows: int) -> tuple[int, AsyncIterator[list[dict]]]:
    total = (await store.list_metrics(query.model_copy(update={"page": 1, "size": 1}))).total
    return total, capped(store.stream_metrics(query), metric_record, max_rows)


def export_response(fmt: ExportFormat, kind: str, columns: Sequence[Column], total: int, max_rows: int,
                    pages: AsyncIterator[list[dict]]) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {
        "Content-Disposition": f'attachment; filename="provnews-{kind}-{stamp}.{fmt}"',
        "X-Total-Count": str(total),
        "X-Export-Rows": str(min(total, max_rows)),
        "Cache-Control": "no-store",
    }
    return StreamingResponse(encoded(fmt, columns, pages), media_type=MEDIA_TYPES[fmt], headers=headers)


def _columns_doc(columns: Sequence[Column]) -> str:
    return "Columns: " + "; ".join(f"`{c.name}` ({c.description.rstrip('.')})" for c in columns) + "."


FormatParam = Annotated[ExportFormat, Query(description="csv (UTF-8 with a BOM, lists joined by '; ') or ndjson.")]
# What an export answers: the same rows as CSV or NDJSON, as the format parameter asks.
EXPORTED = {200: {"description": "The rows, streamed.", "content": {
    "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}}}
router = APIRouter(tags=["exports"])


@router.get("/v1/search/export", response_class=StreamingResponse, responses=EXPORTED,
            description="Every article matching the filters of /v1/search (page and size ignored), streamed; "
                        "at most PROVNEWS_EXPORT_MAX_ROWS rows (X-Total-Count says how many matched). "
                        + _columns_doc(SEARCH_COLUMNS))
async def export_search(store: Store, settings: AppSettings, query: Filters,
                        format: FormatParam = "csv") -> StreamingResponse:  # noqa: A002
    """Search results as CSV or NDJSON."""
    max_rows = settings.export_max_rows
    total, pages = await search_pages(store, query, max_rows)
    return export_response(format, "search", SEARCH_COLUMNS, total, max_rows, pages)


@router.get("/v1/metrics/export", response_class=StreamingResponse, responses=EXPORTED,
            description="Every reform metric of the articles matching the filters of /v1/metrics, streamed; "
                        "at most PROVNEWS_EXPORT_MAX_ROWS rows. " + _columns_doc(METRIC_COLUMNS))
async def export_metrics(store: Store, settings: AppSettings, query: Filters,
                        format: FormatParam = "csv") -> StreamingResponse:  # noqa: A002
    """Reform metrics as CSV or NDJSON."""
    max_rows = settings.export_max_rows
    total, pages = await metric_pages(store, query, max_rows)
    return export_response(format, "metrics", METRIC_COLUMNS, total, max_rows, pages)
