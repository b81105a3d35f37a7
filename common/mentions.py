"""What an extracted article says about reform, as the events subscribers filter on. A pure domain rule.

The extract stream publishes these mentions, the stores index them, and the alerts service matches them:
one definition, so the three agree on what a mention is and on its id."""
from __future__ import annotations

from schemas.events import ExtractedArticle, ReformMention, derive_id


def reform_mentions(article: ExtractedArticle) -> list[ReformMention]:
    """One mention per reform topic and per metric, with what subscribers filter on."""
    ex = article.extraction
    provinces = [p.name for p in ex.provinces]
    common = dict(
        article_id=article.article_id,
        story_id=article.story_id,
        title=ex.title,
        url=article.url,
        source=article.source,
        published=article.published,
        provinces=provinces,
        provinces_2025=sorted({p.name_2025 for p in ex.provinces}),
        persons=[p.name for p in ex.persons],
        documents=[d.code or f"{d.kind}:{d.number}" for d in ex.legal_documents if d.code or d.number],
    )
    mentions = [
        ReformMention(mention_id=derive_id(article.article_id, "topic", topic.id), kind="topic", topic=topic.id,
                      evidence=topic.evidence, **common)
        for topic in ex.topics
    ]
    mentions += [
        ReformMention(mention_id=derive_id(article.article_id, "metric", i, metric.value, metric.unit), kind="metric",
                      metric=metric, evidence=metric.evidence, **common)
        for i, metric in enumerate(ex.metrics)
    ]
    return mentions
