"""The query parameters every listing endpoint takes, as one FastAPI dependency."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from common.http import ApiError
from common.stores.ports import PAGE_SIZE_MAX, SearchQuery
from schemas.extraction import TOPIC_IDS, unknown_topics_detail

TOPIC_ITEMS = {"items": {"type": "string", "enum": list(TOPIC_IDS)}}  # documented; others are 422 unknown_topic


def search_filters(
    q: Annotated[str | None, Query(max_length=500, description="Words, with or without diacritics.")] = None,
    province: Annotated[list[str], Query(description="At the time, or after the 2025 merger.")] = [],  # noqa: B006
    topic: Annotated[list[str], Query(description="Reform topic ids.", json_schema_extra=TOPIC_ITEMS)] = [],  # noqa: B006
    person: Annotated[list[str], Query()] = [],  # noqa: B006
    organization: Annotated[list[str], Query()] = [],  # noqa: B006
    document: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    year: Annotated[list[int], Query()] = [],  # noqa: B006
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)] = 20,
    collapse: Annotated[bool, Query(description="One hit per story (near-duplicates fold in).")] = False,
) -> SearchQuery:
    """The filters shared by search, timeline and metrics, checked once."""
    unknown = sorted(set(topic) - set(TOPIC_IDS))
    if unknown:
        raise ApiError(422, "unknown_topic", unknown_topics_detail(unknown), known=list(TOPIC_IDS))
    if date_from and date_to and date_from > date_to:
        raise ApiError(422, "invalid_range", "'from' is after 'to'")
    return SearchQuery(q=q, province=province, topic=topic, person=person, organization=organization,
                       document=document, source=source, year=year, date_from=date_from, date_to=date_to,
                       page=page, size=size, collapse=collapse)


Filters = Annotated[SearchQuery, Depends(search_filters)]
