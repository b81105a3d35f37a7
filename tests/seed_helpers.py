"""The five seed articles (seeds/) as the engine extracts them."""
from __future__ import annotations

from datetime import UTC, datetime

from schemas.events import ExtractedArticle, ReceivedArticle
from services.extract.engine import extract
from services.extract.policies import extracted_article
from tests.conftest import SEEDS


def seed_articles() -> list[ExtractedArticle]:
    articles = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        received = ReceivedArticle(article_id=f"seed{i}", text=text, url=f"https://example.vn/{i}",
                                   received_at=datetime(2025, 7, 1, 8, i, tzinfo=UTC))
        articles.append(extracted_article(received, extract(text), f"seed{i}"))
    return articles


SEED_ARTICLES = seed_articles()
