"""Speed of the whole pipeline: POST to searchable, against a running `provnews up` (or compose).

Run by hand (`provnews bench pipeline`), never asserted in tests. Each article is a seed text with a
run tag appended, so every run posts new articles rather than re-posting known ones.
"""
from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Sequence

import httpx

BATCH = 50
SAMPLE = 20


def pipeline_benchmark(texts: Sequence[str], *, ingest_url: str, query_url: str, articles: int,
                       timeout_s: float = 600.0) -> None:
    run = uuid.uuid4().hex[:8]
    bodies = [json.dumps({"text": f"{texts[i % len(texts)]}\n\nbench {run} {i}"}, ensure_ascii=False).encode()
              for i in range(articles)]
    with httpx.Client(timeout=60) as client:
        before = client.get(f"{query_url}/v1/stats").json()["articles"]
        acked_at: dict[str, float] = {}
        started = time.perf_counter()
        for start in range(0, articles, BATCH):
            chunk = bodies[start:start + BATCH]
            response = client.post(f"{ingest_url}/v1/articles:batch", content=b"\n".join(chunk),
                                   headers={"content-type": "application/x-ndjson"})
            now = time.perf_counter()
            for result in response.json()["results"]:
                if result["status"] == 202:
                    acked_at[result["id"]] = now
        ingest_s = time.perf_counter() - started
        print(f"ingest:   {len(acked_at)} of {articles} acknowledged in {ingest_s:.1f} s "
              f"({len(acked_at) / ingest_s:.0f} articles/s)")

        sample = list(acked_at)[:: max(1, len(acked_at) // SAMPLE)][:SAMPLE]
        searchable: dict[str, float] = {}
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            for article_id in sample:
                if article_id not in searchable and client.get(f"{query_url}/v1/articles/{article_id}").status_code == 200:
                    searchable[article_id] = time.perf_counter()
            if len(searchable) == len(sample) and client.get(f"{query_url}/v1/stats").json()["articles"] >= before + len(acked_at):
                break
            time.sleep(0.05)
        total_s = time.perf_counter() - started
        indexed = client.get(f"{query_url}/v1/stats").json()["articles"] - before
    print(f"pipeline: {indexed} of {len(acked_at)} searchable after {total_s:.1f} s ({indexed / total_s:.0f} articles/s end to end)")
    latencies = sorted(searchable[i] - acked_at[i] for i in searchable)
    if latencies:
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        print(f"latency:  acknowledged -> searchable, {len(latencies)} sampled: "
              f"median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")
