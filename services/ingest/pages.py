"""A web page as an article: its main text and metadata, read by trafilatura (and htmldate for the date).

Boilerplate removal is a solved problem with a well-kept library; provnews only maps what trafilatura
finds onto an article: the text the engine reads, and the headline, publication date, bylines, outlet
and canonical URL that fill what the text alone cannot say.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from trafilatura.settings import use_config

# htmldate (through trafilatura): the date the article was first published, not the last update.
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d"}
# A bound on the parsed tree: a page of too many elements is refused rather than read for minutes.
MAX_TREE_SIZE = 200_000


def _config():
    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return config


_CONFIG = _config()
_AUTHOR_SEPARATORS = (";", "|")
# Less than this is a list page's leftovers ("Trang chủ Thời sự"), not an article; the shortest brief is longer.
MIN_TEXT_CHARS = 80


class NoArticleText(ValueError):
    """The page holds no main text trafilatura can find (an index page, a login wall, an empty shell)."""


@dataclass(frozen=True)
class PageArticle:
    text: str
    title: str | None = None
    published: date | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    source: str | None = None
    canonical_url: str | None = None


def read_page(html: str, url: str | None = None) -> PageArticle:
    """The article in a page. Raises NoArticleText when the page has no main text."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True,
            date_extraction_params=_DATE_PARAMS, config=_CONFIG,
        )
    except (ValueError, TypeError, LookupError, etree.LxmlError) as exc:  # markup the parser gives up on
        raise NoArticleText(f"the page cannot be read: {type(exc).__name__}: {exc}"[:300]) from exc
    text = _nfc(getattr(document, "text", None))
    if not text or len(text) < MIN_TEXT_CHARS:
        raise NoArticleText("no article text found in the page (an index page, or an empty one?)")
    canonical = _canonical(getattr(document, "url", None), fallback=url)
    host = urlsplit(canonical or url or "").hostname
    return PageArticle(
        text=text,
        title=_nfc(document.title),
        published=_date(document.date),
        authors=_authors(document.author),
        site_name=_nfc(document.sitename),
        source=host.lower().removeprefix("www.") if host else _nfc(document.sitename),
        canonical_url=canonical,
    )


def _nfc(value: str | None) -> str | None:
    value = unicodedata.normalize("NFC", value).strip() if value else None
    return value or None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    for separator in _AUTHOR_SEPARATORS:
        value = value.replace(separator, ",")
    return [name for part in value.split(",") if (name := _nfc(part))]


def _canonical(found: str | None, *, fallback: str | None) -> str | None:
    """The page's canonical URL when it names an article (some sites point every page at their home
    page, which would give every article one id); else the URL it was fetched from."""
    if found:
        parts = urlsplit(found)
        if parts.scheme in ("http", "https") and parts.hostname and parts.path.strip("/"):
            return found
    return fallback
