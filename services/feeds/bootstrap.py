"""The composition root of the feeds service: real adapters unless a test passes others."""
from __future__ import annotations

from common.public_urls import Allowlist
from common.settings import Settings
from services.feeds.feedlist import FeedList
from services.feeds.follower import Follower, IngestPoster, Limits
from services.feeds.httpx_fetcher import HttpxFetcher
from services.feeds.sqlite_state import SqliteFeedState


def bootstrap(settings: Settings, feeds: FeedList, *, ingest_url: str | None = None) -> Follower:
    limits = Limits(max_feed_bytes=settings.feeds_max_feed_bytes,
                    # A page is posted inside a JSON body that ingest caps at max_article_bytes: a larger one is skipped.
                    max_page_bytes=settings.max_article_bytes, backoff_max_s=settings.feeds_backoff_max_s,
                    max_item_attempts=settings.feeds_max_item_attempts)
    return Follower(feeds, SqliteFeedState(settings.feeds_db_file, thread_name="feeds-sqlite"),
                    HttpxFetcher(Allowlist.parse(settings.feeds_allowlist), settings.feeds_timeout_s),
                    IngestPoster(ingest_url or settings.feeds_ingest_url or settings.url(settings.ingest_port),
                                 timeout_s=60.0, api_key=settings.ingest_api_key.get_secret_value()
                                 if settings.ingest_api_key else None), limits)


async def close(follower: Follower) -> None:
    try:
        await follower.fetcher.close()
        await follower.poster.close()
    finally:
        await follower.state.close()
