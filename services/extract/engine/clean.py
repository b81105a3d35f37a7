"""Cleaning: strip site furniture and repeated captions, repair lost spaces. (First version.)"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanedArticle:
    text: str
    title: str | None


def clean_article(raw: str, *, title_hint: str | None = None) -> CleanedArticle:
    lines = [ln.strip() for ln in raw.splitlines()]
    kept = [ln for ln in lines if ln and ln.strip(". ")]
    title = title_hint or (kept[0] if kept else None)
    return CleanedArticle(text="\n".join(kept), title=title)
