"""The ingest domain: what a submitted article is, and how its id is derived."""
from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from common.http import ApiError
from schemas.events import ReceivedArticle
from schemas.extraction import NOT_BLANK
from services.ingest.pages import NoArticleText, read_page

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "zarsrc")
_RESERVED = ":/?#[]@!$&'()*+,;="  # RFC 3986: escaping these changes what a URL means, so they stay escaped
_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")


class ArticleSubmission(BaseModel):
    """The body of POST /v1/articles. Strict: wrong types are refused, not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True,
                              json_schema_extra={"oneOf": [
                                  {"required": ["text"], "properties": {"text": {"type": "string"}}},
                                  {"required": ["html"], "properties": {"html": {"type": "string"}}}]})

    text: str | None = Field(default=None, min_length=1, json_schema_extra={"pattern": NOT_BLANK},
                             description="The article as plain text, site furniture and all; not only white space.")
    html: str | None = Field(default=None, min_length=1, json_schema_extra={"pattern": NOT_BLANK}, description=(
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
    query = urlencode(sorted((_nfc(k), _nfc(v)) for k, v in parse_qsl(parts.query)
                             if not k.lower().startswith(_TRACKING_PARAMS)))
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme, host,
                       canonical_path(parts.path).rstrip("/"), query, ""))


def canonical_path(path: str) -> str:
    """One spelling per path: escapes of unreserved and non-ASCII characters decoded, the text NFC, then
    escaped again the one way; escapes of reserved characters kept (upper-cased). So `%78` and `x`, or an
    NFD and an NFC `sáp`, give the same path, while `a%2Fb` stays apart from `a/b`."""
    out: list[str] = []
    pending = bytearray()

    def flush() -> None:
        if pending:
            out.append(pending.decode("utf-8", errors="surrogateescape"))
            pending.clear()

    for piece in _ESCAPE.split(path):
        if _ESCAPE.fullmatch(piece):
            byte = int(piece[1:], 16)
            if byte < 0x80 and chr(byte) in _RESERVED + "%":
                flush()
                out.append(piece.upper())
            else:
                pending.append(byte)
        elif piece:
            flush()
            out.append(piece)
    flush()
    return quote(_nfc("".join(out)), safe=_RESERVED + "%", errors="surrogateescape")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
