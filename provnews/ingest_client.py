"""`provnews ingest`: post files and folders of articles to a running ingest service."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

ARTICLE_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".html", ".htm")
BATCH_LINES = 50


@dataclass
class Summary:
    accepted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, why)


def article_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in ARTICLE_SUFFIXES)
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def article_lines(file: Path) -> Iterator[tuple[str, bytes]]:
    """(where, one JSON article) for each article a file holds; a .txt file is one article's text, an .html
    file one web page (ingest reads its text and metadata; the canonical link, if any, gives its URL)."""
    if file.suffix == ".txt":
        yield str(file), json.dumps({"text": file.read_text(encoding="utf-8")}, ensure_ascii=False).encode()
    elif file.suffix in (".html", ".htm"):
        yield str(file), json.dumps({"html": file.read_text(encoding="utf-8")}, ensure_ascii=False).encode()
    elif file.suffix == ".json":
        data = json.loads(file.read_text(encoding="utf-8"))
        for i, item in enumerate(data if isinstance(data, list) else [data]):
            yield f"{file}[{i}]", json.dumps(item, ensure_ascii=False).encode()
    else:
        for n, line in enumerate(file.read_bytes().splitlines(), 1):
            if line.strip():
                yield f"{file}:{n}", line


def ingest_files(paths: list[Path], base_url: str, *, show_progress: bool = True,
                 api_key: str | None = None) -> Summary:
    files = article_files(paths)
    summary = Summary()
    batch: list[tuple[str, bytes]] = []
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    auth = {"authorization": f"Bearer {api_key}"} if api_key else {}
    with httpx.Client(base_url=base_url, timeout=60, headers=auth) as client, \
            Progress(*columns, disable=not show_progress) as bar:
        task = bar.add_task("files", total=len(files))

        def flush() -> None:
            body = b"\n".join(line for _, line in batch) + b"\n"
            try:
                response = client.post("/v1/articles:batch", content=body, headers={"content-type": "application/x-ndjson"})
            except httpx.HTTPError as exc:
                summary.rejected += [(where, f"ingest unreachable: {exc}") for where, _ in batch]
            else:
                if response.status_code in (202, 207, 503) and "results" in response.json():
                    answered = {r["line"]: r for r in response.json()["results"]}
                    for number, (where, _) in enumerate(batch, 1):  # line n of the body is batch[n - 1]
                        result = answered.get(number, {"status": 422, "outcome": "invalid",
                                                        "detail": "(one of many invalid lines, not detailed)"})
                        if result["status"] == 202:
                            summary.accepted.append(result["id"])
                        else:
                            summary.rejected.append((where, f"{result['status']} {result.get('outcome', '')} "
                                                            f"{result.get('detail', '')}".rstrip()))
                else:
                    summary.rejected += [(where, f"{response.status_code} {response.text[:200]}") for where, _ in batch]
            batch.clear()

        for file in files:
            try:
                for item in article_lines(file):
                    batch.append(item)
                    if len(batch) >= BATCH_LINES:
                        flush()
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                summary.rejected.append((str(file), f"unreadable: {exc}"))
            bar.advance(task)
        if batch:
            flush()
    return summary
