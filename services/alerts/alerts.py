"""What a match becomes: the alerted article, delivery ids derived from what was matched, the event. Pure."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from common.mention_matching import Match
from schemas.events import AlertDelivered, AlertedArticle, ReformAlert, ReformMention, derive_id


def article_link(base_url: str, article_id: str) -> str:
    return f"{base_url.rstrip('/')}/v1/articles/{article_id}"


def alerted_article(mentions: Sequence[ReformMention], found: Match, link_base: str) -> AlertedArticle:
    first = mentions[0]
    return AlertedArticle(
        article_id=first.article_id, story_id=first.story_id, title=first.title, url=first.url, source=first.source,
        published=first.published, provinces=first.provinces, provinces_2025=first.provinces_2025,
        link=article_link(link_base, first.article_id), matches=list(found.items),
    )


def instant_delivery_id(subscription_id: str, story_id: str) -> str:
    """One per (subscription, story): replays, re-posts and other outlets' copies of a story get the same id."""
    return derive_id("alert", subscription_id, story_id)


def digest_delivery_id(subscription_id: str, story_ids: Sequence[str]) -> str:
    return derive_id("digest", subscription_id, *sorted(story_ids))


def alert_event(delivery_id: str, subscription_id: str, subscription_name: str, mode: str,
                articles: Sequence[AlertedArticle], created_at: datetime) -> AlertDelivered:
    alert = ReformAlert(delivery_id=delivery_id, subscription_id=subscription_id, subscription_name=subscription_name,
                        mode=mode, articles=list(articles))
    return AlertDelivered.wrap(alert, subject=subscription_id, event_id=delivery_id, time=created_at)
