"""What follows from an extracted article: the subscriptions it matches, each as a pending delivery. Pure."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from common.mention_matching import match
from common.mentions import reform_mentions
from schemas.events import ExtractedArticle
from services.alerts.alerts import alert_event, alerted_article, instant_delivery_id
from services.alerts.ports import NewMatch, Subscription


def article_text(article: ExtractedArticle) -> str:
    return "\n".join(part for part in (article.extraction.title, article.extraction.clean_text or article.raw_text) if part)


def matches_for(article: ExtractedArticle, subscriptions: Sequence[Subscription], *, link_base: str,
                now: datetime) -> list[NewMatch]:
    """Every subscription the article matches, with the alert an instant subscriber gets.

    The mentions are those the extract stream publishes on `reform.mentions` (the same policy over
    the same article), seen together so a filter can ask for a topic AND a metric, with the text for
    keywords. A subscription hears only of articles received after it was made: replaying the topic
    from the start must not flood a new subscriber with old news.
    """
    mentions = reform_mentions(article)
    if not mentions:
        return []
    received = article.received_at if article.received_at.tzinfo else article.received_at.replace(tzinfo=UTC)
    text = article_text(article)
    out = []
    for sub in subscriptions:
        if sub.created_at > received:
            continue
        found = match(sub.filter, mentions, text)
        if found is None:
            continue
        alerted = alerted_article(mentions, found, link_base)
        delivery_id = instant_delivery_id(sub.id, article.story_id)
        body = (alert_event(delivery_id, sub.id, sub.name, "instant", [alerted], now).to_bytes()
                if sub.mode == "instant" else b"")
        out.append(NewMatch(subscription_id=sub.id, article=alerted, delivery_id=delivery_id, body=body))
    return out
