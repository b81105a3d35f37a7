"""The export helpers as pure logic: capping a store's stream, and the CSV and NDJSON encodings."""
from __future__ import annotations

import asyncio
import csv
import io
import json

from services.query.exports import Column, capped, csv_lines, encoded

COLUMNS = (Column("id", "an id"), Column("names", "a list"), Column("value", "a number"))


def collect(pages) -> list[dict]:
    async def run():
        return [r async for page in pages for r in page]
    return asyncio.run(run())


def test_a_capped_stream_is_closed_when_the_limit_is_reached():
    closed = []

    async def stream():
        try:
            for start in range(0, 1000, 10):
                yield list(range(start, start + 10))
        finally:
            closed.append(True)

    records = collect(capped(stream(), lambda n: {"id": n}, 25))
    assert [r["id"] for r in records] == list(range(25)) and closed == [True]


def test_csv_has_a_bom_and_a_header_once_and_lists_in_one_cell():
    async def pages():
        yield [{"id": "a", "names": ["Hà Giang", "Lào Cai"], "value": 12.0}]
        yield [{"id": "b", "names": [], "value": 1.5}]

    async def run():
        return b"".join([chunk async for chunk in encoded("csv", COLUMNS, pages())])
    body = asyncio.run(run())
    assert body.startswith("\ufeff".encode()) and body.count(b"id,names,value") == 1
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows == [{"id": "a", "names": "Hà Giang; Lào Cai", "value": "12"}, {"id": "b", "names": "", "value": "1.5"}]
    assert csv_lines(COLUMNS, [{"id": 'say "hi", then go'}], header=False) == '"say ""hi"", then go",,\r\n'


def test_ndjson_is_one_object_a_line_with_lists_as_arrays():
    async def pages():
        yield [{"id": "a", "names": ["Hà Giang"]}]

    async def run():
        return b"".join([chunk async for chunk in encoded("ndjson", COLUMNS, pages())])
    assert [json.loads(line) for line in asyncio.run(run()).decode().splitlines()] == [{"id": "a", "names": ["Hà Giang"]}]
