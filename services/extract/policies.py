"""What follows from an extraction: the article event and its story. Pure functions.

Its reform mentions are a rule the indexer and the alerts service share: common.mentions."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from schemas.events import ExtractedArticle, ReceivedArticle
from schemas.extraction import Extraction


def assign_story(article_id: str, band_keys: Iterable[str], lookup: Callable[[str], str | None]) -> tuple[str, list[str]]:
    """The story an article belongs to, and the band keys to record for it.

    A near-duplicate shares a band key with an article seen before and takes that article's story;
    otherwise the article starts its own story, named after itself, so replays give the same answer.
    """
    keys = sorted(set(band_keys))
    known = sorted({story for key in keys if (story := lookup(key))})
    story_id = known[0] if known else article_id
    return story_id, [key for key in keys if lookup(key) is None]


def extracted_article(received: ReceivedArticle, extraction: Extraction, story_id: str) -> ExtractedArticle:
    return ExtractedArticle(
        article_id=received.article_id,
        story_id=story_id,
        raw_text=received.text,
        url=received.url,
        source=received.source or extraction.source,
        published_at=received.published_at,
        province_hint=received.province_hint,
        received_at=received.received_at,
        extraction=extraction.model_copy(update=_from_the_page(received, extraction)),
    )


def _from_the_page(received: ReceivedArticle, extraction: Extraction) -> dict:
    """What the submission (or its page's metadata) says where the text alone did not: title and bylines."""
    update: dict = {}
    if received.title and not extraction.title:
        update["title"] = received.title
    if received.authors and not extraction.authors:
        update["authors"] = list(received.authors)
    return update
