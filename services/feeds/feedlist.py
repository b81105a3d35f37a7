"""The list of feeds to follow: a TOML file users edit (PROVNEWS_FEEDS_FILE, default feeds.toml).

    [defaults]
    interval_s = 900                      # how often each feed is polled, unless it says otherwise

    [[feed]]
    url = "https://baoquangninh.vn/rss/thoi-su.rss"
    name = "Báo Quảng Ninh, Thời sự"      # optional
    interval_s = 600                      # optional
    province_hint = "Quảng Ninh"          # optional: passed to ingest with each item
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator


class FeedListError(ValueError):
    """The feeds file cannot be read or does not hold a valid list; the message says where."""


class Feed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: AnyHttpUrl
    name: str | None = Field(default=None, max_length=200)
    interval_s: float | None = Field(default=None, ge=1, description="Seconds between polls of this feed.")
    province_hint: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=200, description="The outlet, when the pages do not say.")

    @property
    def key(self) -> str:
        return str(self.url)


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    interval_s: float = Field(default=900.0, ge=1)


class FeedList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: Defaults = Defaults()
    feed: list[Feed] = []

    @field_validator("feed")
    @classmethod
    def _unique(cls, feeds: list[Feed]) -> list[Feed]:
        seen: set[str] = set()
        for feed in feeds:
            if feed.key in seen:
                raise ValueError(f"the feed {feed.key} is listed twice")
            seen.add(feed.key)
        return feeds

    def interval_s(self, feed: Feed) -> float:
        return feed.interval_s or self.defaults.interval_s


def load_feeds(path: Path) -> FeedList:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FeedListError(f"no feeds file at {path} (PROVNEWS_FEEDS_FILE); see the README for an example") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FeedListError(f"{path}: {exc}") from exc
    try:
        return FeedList.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False))
        raise FeedListError(f"{path}: {where}") from exc
