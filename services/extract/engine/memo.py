"""Memos that live for one article.

Several steps read the same scan of an article (the bodies written upper case, the places listed after a count,
the numbered references...): the first step to ask computes it, the others reuse it. Such a memo is keyed by the
article's text, so it is emptied whenever a new article starts (`new_article`, called by `pipeline.extract`):
one article is never served from another's work, and a memo never holds more than one article's entries. Memos
keyed by words or short phrases (a fold, a province's spelling) are shared across articles and do not belong here.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MEMOS: list[Any] = []


def per_article(maxsize: int = 8) -> Callable[[F], F]:
    """Memoise a function of an article's text until the next article starts. `maxsize` bounds it for callers that
    use the function outside `pipeline.extract` (tests, other tools), where nothing empties it."""

    def memoise(function: F) -> F:
        memo = lru_cache(maxsize=maxsize)(function)
        _MEMOS.append(memo)
        return memo  # type: ignore[return-value]

    return memoise


def new_article() -> None:
    """Empty every per-article memo: the next article starts from nothing."""
    for memo in _MEMOS:
        memo.cache_clear()


def registered() -> tuple[Any, ...]:
    """Every per-article memo, for tests and the curious."""
    return tuple(_MEMOS)
