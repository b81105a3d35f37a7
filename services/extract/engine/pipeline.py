"""Composes the engine's steps: clean, read metadata, find entities, metrics and topics."""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from pathlib import Path

from common import lexicon, metric_classes
from schemas.extraction import Extraction
from services.extract.engine import (
    clean,
    fingerprint,
    legal_documents,
    memo,
    metadata,
    metrics,
    organizations,
    people,
    places,
    topics,
)
from services.extract.engine.doc import Document

_ENGINE_DIR = Path(__file__).resolve().parent
_COMMON_DIR = Path(lexicon.__file__).resolve().parent.parent
# What the engine reads from common/ (kept there because other services read it too): its version covers them.
_SHARED = ("lexicon", "text.py", "metric_classes.py")
_DIGESTED = (".py", ".tsv", ".txt")


def _engine_version(engine: Path = _ENGINE_DIR, common: Path = _COMMON_DIR) -> str:
    """A digest of the engine's own code and the shared word lists and text layer it reads: any change to them is
    a new version, so `provnews reindex` knows when stored extractions are stale without anyone remembering to
    bump a number."""
    digest = hashlib.sha256()
    files = list(engine.glob("*.py"))
    for name in _SHARED:
        path = common / name
        files += [p for p in path.glob("*") if p.is_file() and p.suffix in _DIGESTED] if path.is_dir() else [path]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(path.relative_to(path.parents[1]).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


ENGINE_VERSION = _engine_version()


def extract(
    text: str,
    *,
    title: str | None = None,
    published_hint: date | None = None,
    source_hint: str | None = None,
    url: str | None = None,
) -> Extraction:
    memo.new_article()  # the memos of the last article's scans are never read for this one
    raw = unicodedata.normalize("NFC", text)
    cleaned = clean.clean_article(raw, title_hint=title)
    doc = Document.from_text(cleaned.text)
    meta = metadata.read_metadata(raw, cleaned, doc, published_hint=published_hint, source_hint=source_hint, url=url)
    persons = people.find_persons(doc)
    return Extraction(
        engine_version=ENGINE_VERSION,
        title=meta.title,
        published=meta.published,
        source=meta.source,
        authors=meta.authors,
        persons=persons,
        organizations=organizations.find_organizations(doc, persons),
        locations=places.find_locations(doc),
        provinces=places.find_provinces(doc),
        legal_documents=legal_documents.find_documents(doc),
        metrics=[metric_classes.classified(m) for m in metrics.find_metrics(doc)],
        topics=topics.find_topics(doc),
        clean_text=doc.text,
        fingerprint=fingerprint.band_keys(doc.text),
    )


def to_contract(extraction: Extraction, file: str) -> dict:
    """The `provnews extract` line for one article (see the extraction output contract)."""
    return {
        "file": file,
        "title": extraction.title,
        "published": extraction.published.isoformat() if extraction.published else None,
        "source": extraction.source,
        "authors": list(extraction.authors),
        "persons": [{"name": p.name, "roles": list(p.roles)} for p in extraction.persons],
        "organizations": [{"name": o.name} for o in extraction.organizations],
        "locations": [{"name": loc.name, "level": loc.level} for loc in extraction.locations],
        "provinces": [p.name for p in extraction.provinces],
        "provinces_2025": sorted({p.name_2025 for p in extraction.provinces}),
        "legal_documents": [{"kind": d.kind, "number": d.number, "code": d.code} for d in extraction.legal_documents],
        "metrics": [
            {"action": m.action, "value": _number(m.value), "unit": m.unit, "qualifier": m.qualifier, "level": m.level}
            for m in extraction.metrics
        ],
        "topics": [t.id for t in extraction.topics],
        "evidence": {
            "metrics": [[e.model_dump() for e in m.evidence] for m in extraction.metrics],
            "topics": {t.id: [e.sentence for e in t.evidence] for t in extraction.topics},
        },
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
