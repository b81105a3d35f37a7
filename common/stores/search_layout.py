"""How an extracted article is laid out for search: facet values and flat rows. Shared by both adapters."""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from common.text import fold_chars as fold
from schemas.events import ExtractedArticle


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


def version_of(doc: dict, number: int = 1) -> dict:
    """One version of an article, as the article view lists it: when it came, its text's digest and size."""
    text = doc.get("raw_text") or ""
    return {"version": number, "received_at": doc.get("received_at"),
            "title": (doc.get("extraction") or {}).get("title"), "source": doc.get("source"), "url": doc.get("url"),
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}


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
    best = _richest_window(spans, width * 2 // 3)
    start = max(0, best - width // 3)
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


def _richest_window(spans: list[tuple[int, int, str]], reach: int) -> int:
    """Where the window of `reach` characters holding the most distinct terms starts (the first such).

    A phrase beats scattered single words. A span counts for a window starting at s when it starts at
    or after s and ends by s + reach; two pointers (spans by start leaving, by end entering) keep the
    counts, so the work is linear in the spans: one word repeated thousands of times costs no more
    than reading the text."""
    n = len(spans)
    by_end = sorted(range(n), key=lambda j: spans[j][1])
    state = [0] * n  # 0 not yet in, 1 in the window, 2 left for good
    counts: dict[str, int] = {}
    best_start, best_count, leaving, entering = spans[0][0], 0, 0, 0
    for start, _, _ in spans:
        while leaving < n and spans[leaving][0] < start:
            if state[leaving] == 1:
                term = spans[leaving][2]
                counts[term] -= 1
                if not counts[term]:
                    del counts[term]
            state[leaving] = 2
            leaving += 1
        while entering < n and spans[by_end[entering]][1] <= start + reach:
            j = by_end[entering]
            if state[j] == 0:
                state[j] = 1
                counts[spans[j][2]] = counts.get(spans[j][2], 0) + 1
            entering += 1
        if len(counts) > best_count:
            best_start, best_count = start, len(counts)
    return best_start


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return list(seen)
