"""The `provnews` command."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, help="Follow administrative reform in Vietnamese provincial news.")


@app.callback()
def main() -> None:
    """Follow administrative reform in Vietnamese provincial news."""


def _article_files(paths: list[Path], suffixes: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in suffixes))
        elif path.is_file():
            files.append(path)
        else:
            raise typer.BadParameter(f"no such file or folder: {path}")
    return files


@app.command()
def extract(paths: Annotated[list[Path], typer.Argument(help="Plain-text articles, files or folders.")]) -> None:
    """Print what the engine extracts from each article, one JSON object per line."""
    from provnews.extract.engine import extract as run_engine, to_contract

    for file in _article_files(paths, (".txt",)):
        result = run_engine(file.read_text(encoding="utf-8"))
        sys.stdout.write(json.dumps(to_contract(result, file.name), ensure_ascii=False) + "\n")


bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks: measure speed, never asserted in tests.")
app.add_typer(bench_app, name="bench")


@bench_app.command("extract")
def bench_extract(
    paths: Annotated[list[Path] | None, typer.Argument(help="Articles to run over (default: seeds/).")] = None,
    seconds: Annotated[float, typer.Option(help="How long to run the engine.")] = 10.0,
    baseline: Annotated[bool, typer.Option(help="Also time underthesea's ner on the same texts.")] = True,
) -> None:
    """Articles/s and KB/s of the engine on one core, and the ratio to underthesea's NER."""
    from provnews.bench import extract_benchmark

    texts = [f.read_text(encoding="utf-8") for f in _article_files(paths or [Path("seeds")], (".txt",))]
    extract_benchmark(texts, seconds=seconds, baseline=baseline)


if __name__ == "__main__":
    app()
