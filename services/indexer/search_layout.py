"""How an extracted article is laid out for search: facet values and flat rows. Shared by both adapters."""
from __future__ import annotations

import html
import re
import unicodedata

from provnews.extract.engine.text import fold_chars as fold
from provnews.schemas.events import ExtractedArticle


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def query_terms(q: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", q).lower())


def facet_values(article: ExtractedArticle) -> dict[str, list[str]]:
    ex = article.extraction
    published = article.published
    return {
        "province": _unique(p.name for p in ex.provinces),
        "province_2025": _unique(p.name_2025 for p in ex.provinces),
        "topic": _unique(t.id for t in ex.topics),
        "person": _unique(p.name for p in ex.persons),
        "organization": _unique(o.name for o in ex.organizations),
        "document": _unique(d.code or f"{d.kind}:{d.number}" for d in ex.legal_documents if d.code or d.number),
        "source": _unique([article.source] if article.source else []),
        "year": [str(published.year)] if published else [],
    }


def snippet(text: str, terms: list[str], width: int = 240) -> str:
    """A window of `text` around the first matched term, HTML-escaped, matches in <mark>."""
    if not text:
        return ""
    folded_text = fold(text)
    folded_terms = [fold(t) for t in terms if t]
    spans = sorted(
        (m.start(), m.end(), term)
        for term in folded_terms
        for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", folded_text)
    )
    if not spans:
        window = text[:width]
        return html.escape(window) + ("…" if len(text) > width else "")
    # The window that holds the most distinct terms: a phrase beats scattered single words.
    best = max(spans, key=lambda sp: (len({t for s, e, t in spans if sp[0] <= s and e <= sp[0] + width * 2 // 3}), -sp[0]))
    start = max(0, best[0] - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    out, pos = [], start
    for s, e, _ in spans:
        if s < pos or e > end:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return list(seen)
