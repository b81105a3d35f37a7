"""The ingest domain: what a submitted article is, and how its id is derived."""
from __future__ import annotations

import asyncio
import hashlib
import unicodedata
from datetime import date, datetime, time, UTC
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from provnews.http import ApiError
from provnews.ingest.pages import NoArticleText, read_page
from provnews.schemas.events import ReceivedArticle

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "zarsrc")


class ArticleSubmission(BaseModel):
    """The body of POST /v1/articles. Strict: wrong types are refused, not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    text: str | None = Field(default=None, min_length=1, description="The article as plain text, site furniture and all.")
    html: str | None = Field(default=None, min_length=1, description=(
        "Or the article's web page as HTML (with `url`): its main text and its headline, publication date, "
        "bylines, outlet and canonical URL are read from it, and the page is kept for replays."))
    title: str | None = Field(default=None, max_length=1000)
    url: AnyHttpUrl | None = None
    source: str | None = Field(default=None, max_length=200, description="Outlet, e.g. baoquangninh.vn.")
    published_at: datetime | date | None = Field(default=None, description="ISO 8601 date or date-time.")
    province_hint: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _text_or_html(self) -> ArticleSubmission:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the article as either text or html (one of the two)")
        return self

    @field_validator("published_at", mode="before")
    @classmethod
    def _parse_iso(cls, value: object) -> object:
        # JSON has no date type: accept ISO 8601 strings explicitly while staying strict otherwise.
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from exc
        return value


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, no `www.`, fragment and tracking parameters dropped, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING_PARAMS)))
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme, host, parts.path.rstrip("/"), query, ""))


def article_id(*, text: str, url: str | None) -> str:
    """Same article, same id: from the normalised URL when there is one, else from the normalised text."""
    basis = f"url:{normalize_url(url)}" if url else "text:" + " ".join(normalize_text(text).split())
    return hashlib.sha256(basis.encode()).hexdigest()[:24]


def to_received(submission: ArticleSubmission, *, received_at: datetime | None = None) -> ReceivedArticle:
    """The event for a submission. A page is read first (pages.read_page: raises NoArticleText); what the
    submission says itself (title, date, source) wins over what the page says."""
    url = str(submission.url) if submission.url else None
    published = submission.published_at
    title, source, authors, html = submission.title, submission.source, [], None
    if submission.html is not None:
        page = read_page(submission.html, url)
        text, url, html, authors = page.text, page.canonical_url or url, submission.html, page.authors
        title, source, published = title or page.title, source or page.source, published or page.published
    else:
        text = submission.text or ""
    text = normalize_text(text)
    if isinstance(published, date) and not isinstance(published, datetime):
        published = datetime.combine(published, time(0), tzinfo=UTC)
    return ReceivedArticle(
        article_id=article_id(text=text, url=url),
        text=text,
        title=normalize_text(title) if title else None,
        url=url,
        source=source,
        published_at=published,
        province_hint=normalize_text(submission.province_hint) if submission.province_hint else None,
        authors=authors,
        html=html,
        received_at=received_at or datetime.now(UTC),
    )


async def received_from(submission: ArticleSubmission) -> ReceivedArticle:
    """to_received off the event loop (reading a page parses HTML); a page without text is a 422."""
    if submission.html is None:
        return to_received(submission)
    try:
        return await asyncio.to_thread(to_received, submission)
    except NoArticleText as exc:
        raise ApiError(422, "no_article_text", str(exc)) from exc
