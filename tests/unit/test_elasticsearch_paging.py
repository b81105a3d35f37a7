"""Paging through a listing, as the Elasticsearch adapter streams hits and metrics: pure logic over a fake listing."""
from __future__ import annotations

import asyncio

from common.stores.elasticsearch_store import listing_pages
from common.stores.ports import PAGE_SIZE_MAX, SearchQuery


class FakeListing:
    """A listing of `total` records served in pages, counting the pages asked for."""

    def __init__(self, total: int):
        self.total, self.asked = total, []

    async def read(self, query: SearchQuery):
        self.asked.append((query.page, query.size))
        start = (query.page - 1) * query.size
        return self.total, [{"id": i} for i in range(start, min(start + query.size, self.total))]


def collect(pages) -> list[dict]:
    async def run():
        return [r async for page in pages for r in page]
    return asyncio.run(run())


def test_paging_reads_every_record_once_and_stops_at_the_last_page():
    listing = FakeListing(2 * PAGE_SIZE_MAX + 7)
    rows = collect(listing_pages(SearchQuery(page=4, size=3), listing.read, PAGE_SIZE_MAX))
    assert [r["id"] for r in rows] == list(range(listing.total))
    assert listing.asked == [(1, PAGE_SIZE_MAX), (2, PAGE_SIZE_MAX), (3, PAGE_SIZE_MAX)]  # the query's own page ignored


def test_a_listing_that_ends_on_a_full_page_is_not_asked_for_an_empty_one():
    listing = FakeListing(2 * 500)
    rows = collect(listing_pages(SearchQuery(), listing.read, 500))  # pages larger than a search may ask for
    assert len(rows) == 1000 and listing.asked == [(1, 500), (2, 500)]


def test_paging_stops_when_the_caller_stops_reading():
    listing = FakeListing(5 * PAGE_SIZE_MAX)

    async def first_two():
        pages = listing_pages(SearchQuery(), listing.read, PAGE_SIZE_MAX)
        try:
            return [await anext(pages), await anext(pages)]
        finally:
            await pages.aclose()

    assert len(asyncio.run(first_two())) == 2 and len(listing.asked) == 2
