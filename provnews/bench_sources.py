"""Speed of what part 1 and 2 of issue 16 added: reading web pages (trafilatura), streaming exports and
building the scoreboard from a SQLite store. Run by hand (`provnews bench pages`, `provnews bench exports`);
never asserted in tests.
"""
from __future__ import annotations

import asyncio
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from provnews.bench import _measure, _one_core, _report

FURNITURE_LINKS = 400  # a heavy page: a portal's menus, "read more" lists and an inline script, around the article


def heavy_page(html: str) -> str:
    """The page with the furniture of a heavy portal around it (a few hundred KB, as real pages are)."""
    links = "".join(f'<li><a href="/tin/{i}.html">Tin liên quan số {i}: hội nghị, lễ hội, giá cả thị trường</a></li>'
                    for i in range(FURNITURE_LINKS))
    script = "<script>var data = [" + ",".join(f'{{"id": {i}, "v": "x{i}"}}' for i in range(12_000)) + "];</script>"
    return html.replace("<body>", f"<body><nav><ul>{links}</ul></nav>{script}", 1).replace(
        "</body>", f"<aside><ul>{links}</ul></aside></body>", 1)


def pages_benchmark(files: list[Path], seconds: float) -> None:
    from services.ingest.pages import read_page

    pages = [f.read_text(encoding="utf-8") for f in files]
    with _one_core() as core:
        print(f"on core {core}" if core is not None else "one process")
        read_page(pages[0])  # imports warm
        for name, texts in (("pages as written", pages), ("with a heavy portal's furniture", [heavy_page(p) for p in pages])):
            size = sum(len(t.encode()) for t in texts) / len(texts) / 1024
            print(f"{name}: {len(texts)} pages, {size:.0f} KB each on average")
            _report(_measure("read_page", read_page, texts, seconds))


def _articles(count: int, metrics_each: int):
    from common.metric_classes import classified
    from schemas.events import ExtractedArticle
    from schemas.extraction import Evidence, Extraction, Metric, Province

    provinces = [("Hà Giang", "Tuyên Quang"), ("Yên Bái", "Lào Cai"), ("Quảng Ninh", "Quảng Ninh"), ("Bắc Kạn", "Thái Nguyên")]
    units = ["phòng, ban", "biên chế", "đơn vị sự nghiệp công lập", "xã", "thôn, tổ dân phố", "lãnh đạo cấp phòng"]
    for i in range(count):
        name, new = provinces[i % len(provinces)]
        sentences = [f"Tỉnh {name} đã giảm {3 + (i + k) % 40} {units[(i + k) % len(units)]} sau sắp xếp." for k in range(metrics_each)]
        text = " ".join(sentences)
        metrics, start = [], 0
        for k, sentence in enumerate(sentences):
            ev = Evidence(start=start, end=start + len(sentence), sentence=sentence)
            metrics.append(classified(Metric(action="giảm", value=3 + (i + k) % 40, unit=units[(i + k) % len(units)], evidence=[ev])))
            start += len(sentence) + 1
        yield ExtractedArticle(
            article_id=f"bench{i:07d}", story_id=f"story{i // 3:07d}", raw_text=text, source="baobench.vn",
            url=f"https://baobench.vn/{i}", received_at=datetime(2025, 1, 1, tzinfo=UTC),
            extraction=Extraction(engine_version="bench", title=f"Bài thử số {i} về tinh giản biên chế", clean_text=text,
                                  published=date(2018, 1, 1) + timedelta(days=i % 2500),
                                  provinces=[Province(name=name, name_2025=new)], metrics=metrics))


async def _exports(folder: Path, articles: int, metrics_each: int) -> None:
    from common.stores.ports import SearchQuery
    from common.stores.sqlite_store import SqliteStore
    from services.query.exports import METRIC_COLUMNS, SEARCH_COLUMNS, encoded, metric_pages, search_pages
    from services.query.scoreboard import build, read_metrics

    store = SqliteStore(folder / "bench.sqlite3")
    started = time.perf_counter()
    batch = []
    for article in _articles(articles, metrics_each):
        batch.append(article)
        if len(batch) == 500:
            await store.write(batch)
            batch = []
    if batch:
        await store.write(batch)
    print(f"store: {articles} articles, {articles * metrics_each} metrics, written in {time.perf_counter() - started:.1f} s")

    everything = articles * metrics_each
    for name, pages_of, columns in (("search", search_pages, SEARCH_COLUMNS), ("metrics", metric_pages, METRIC_COLUMNS)):
        for fmt in ("csv", "ndjson"):
            tracemalloc.start()
            started = time.perf_counter()
            total, pages = await pages_of(store, SearchQuery(), everything)
            size = 0
            async for chunk in encoded(fmt, columns, pages):
                size += len(chunk)
            took = time.perf_counter() - started
            rows = min(total, everything)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"export {name} as {fmt}: {rows} rows, {size / 1e6:.1f} MB in {took:.1f} s "
                  f"({rows / took:.0f} rows/s); peak Python memory {peak / 1e6:.1f} MB")
    started = time.perf_counter()
    rows, truncated = await read_metrics(store, SearchQuery(), everything)
    read_s = time.perf_counter() - started
    board = build(rows)
    print(f"scoreboard: {len(rows)} metrics read in {read_s:.1f} s, built in {time.perf_counter() - started - read_s:.2f} s "
          f"({len(board.provinces)} provinces)")
    await store.close()


def exports_benchmark(folder: Path, articles: int, metrics_each: int) -> None:
    asyncio.run(_exports(folder, articles, metrics_each))
