"""Speed of the extraction engine on one core, beside underthesea's NER on the same texts.

Every pass runs the engine on new articles as a stream would: the engine's per-article memos
(services/extract/engine/memo.py) are emptied as each article starts, so no text is served from an earlier pass.

Benchmarks are run by hand (`provnews bench extract`) and never asserted in tests: timings depend
on the machine.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Throughput:
    name: str
    articles: int
    kilobytes: float
    seconds: float

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def kilobytes_per_second(self) -> float:
        return self.kilobytes / self.seconds if self.seconds else 0.0


def extract_benchmark(
    texts: Sequence[str], *, seconds: float = 10.0, baseline: bool = True
) -> tuple[Throughput, Throughput | None]:
    """Run the engine over `texts` again and again for about `seconds` on one core and print its speed.

    With `baseline`, also run underthesea's `ner` sentence by sentence over the same texts in the same
    process and print its speed and the ratio. Returns both measurements (the second is None when
    the baseline was not asked for or could not run).
    """
    if not texts:
        print("no articles to run over", file=sys.stderr)
        raise SystemExit(2)
    from services.extract.engine import extract

    with _one_core() as core:
        where = f"core {core}" if core is not None else "one process (CPU affinity not available here)"
        print(f"{len(texts)} articles, {_kilobytes(texts):.1f} KB, on {where}")
        print("per-article memos are emptied for every article, as in a stream: each pass reads new articles")
        extract(texts[0])  # imports and compiled patterns are warm before the clock starts
        engine = _measure("provnews engine", extract, texts, seconds)
        _report(engine)
        if not baseline:
            return engine, None
        ner_per_sentence = _underthesea_ner()
        if ner_per_sentence is None:
            return engine, None
        ner_per_sentence(texts[0])  # loads the model outside the timing
        reference = _measure("underthesea ner", ner_per_sentence, texts, seconds)
        _report(reference)
        if reference.articles_per_second:
            ratio = engine.articles_per_second / reference.articles_per_second
            print(f"engine / underthesea ner: {ratio:.1f}x")
        return engine, reference


def _underthesea_ner() -> Callable[[str], object] | None:
    try:
        from underthesea import ner, sent_tokenize
    except Exception as error:  # noqa: BLE001 - any failure to import means "no baseline", said plainly
        print(
            f"underthesea baseline skipped: cannot import underthesea ({type(error).__name__}: {error}). "
            "Install it with: pip install 'provnews[bench]'",
            file=sys.stderr,
        )
        return None

    def ner_per_sentence(text: str) -> list:
        return [ner(sentence) for sentence in sent_tokenize(text) if sentence.strip()]

    try:
        ner_per_sentence("Chiều 9/3, Tỉnh ủy Quảng Ninh làm việc với đoàn công tác.")
    except Exception as error:  # noqa: BLE001 - e.g. a model that cannot be loaded offline
        reason = f"{type(error).__name__}: {error}"
        print(f"underthesea baseline skipped: ner failed to run ({reason})", file=sys.stderr)
        return None
    return ner_per_sentence


def _measure(name: str, run: Callable[[str], object], texts: Sequence[str], seconds: float) -> Throughput:
    """Whole passes over the texts until `seconds` have gone by (at least one pass)."""
    articles = 0
    size = 0.0
    pass_size = _kilobytes(texts)
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for text in texts:
            run(text)
        articles += len(texts)
        size += pass_size
        if time.perf_counter() >= deadline:
            break
    return Throughput(name, articles, size, time.perf_counter() - start)


def _report(result: Throughput) -> None:
    print(
        f"{result.name}: {result.articles_per_second:.1f} articles/s, {result.kilobytes_per_second:.1f} KB/s "
        f"({result.articles} articles in {result.seconds:.1f} s)"
    )


def _kilobytes(texts: Sequence[str]) -> float:
    return sum(len(text.encode("utf-8")) for text in texts) / 1024


@contextmanager
def _one_core() -> Iterator[int | None]:
    """Pin the process to one of the cores it may use, and give the others back afterwards."""
    if not hasattr(os, "sched_getaffinity"):
        yield None
        return
    allowed = os.sched_getaffinity(0)
    core = min(allowed)
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, allowed)
