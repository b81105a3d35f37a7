"""`GET /v1/mentions/stream`: new reform mentions as Server-Sent Events, filtered like an alert subscription.

One endpoint for every API that serves it (the query API for its page, the alerts service): the same
query parameters, the same filter (provinces by any name they go by, before or after the July 2025
merger, as `common.mention_filters` reads them) and the same events. Each app says where its
mentions come from by putting a `MentionSource` on `app.state.mention_source`: the query API its own
feed reading from the latest offsets, the alerts service the hub its durable consumer fills.

The events, in order: `ready` (the filter as understood), `status` (`{"connected": …}`: does the source
reach the broker; again whenever that changes), then one `reform.mention` per matching mention (the
event's JSON, with the event id as the SSE id).
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette import EventSourceResponse

from common.fanout import MentionHub
from common.http import ApiError, problems
from common.mention_filters import TOPIC_SCHEMA, Filter, FilterError, MetricFilter, checked, province_schema
from common.mention_matching import match
from schemas.events import ReformMentioned

STATUS_EVERY_S = 5.0  # how often a quiet stream looks whether its source's connection changed
PING_S = 15
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # no cache or proxy holds events back


class MentionSource(Protocol):
    """Where a stream's mentions come from: bounded queues to listen on, and whether the broker is reached."""

    @property
    def connected(self) -> bool: ...

    def subscribe(self) -> asyncio.Queue[ReformMentioned]: ...

    def unsubscribe(self, queue: asyncio.Queue[ReformMentioned]) -> None: ...


@dataclass(frozen=True)
class FedHub:
    """A hub that something else fills (a consumer), with that something's connection to the broker."""

    hub: MentionHub
    is_connected: Callable[[], bool]

    @property
    def connected(self) -> bool:
        return self.is_connected()

    def subscribe(self) -> asyncio.Queue[ReformMentioned]:
        return self.hub.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[ReformMentioned]) -> None:
        self.hub.unsubscribe(queue)


def mention_source(request: Request) -> MentionSource:
    return request.app.state.mention_source


def _province_items(schema: dict) -> None:  # at schema time: the gazetteer is read when the docs are asked for
    schema["items"] = province_schema()


def stream_filter(
    topic: Annotated[list[str], Query(description="Only mentions of these reform topics.",
                                      json_schema_extra={"items": TOPIC_SCHEMA})] = [],  # noqa: B006
    province: Annotated[list[str], Query(description="Named before or after the 2025 merger (usual variants, "
                                                     "with or without diacritics, are accepted too).",
                                         json_schema_extra=_province_items)] = [],  # noqa: B006
    person: Annotated[list[str], Query()] = [],  # noqa: B006
    document: Annotated[list[str], Query()] = [],  # noqa: B006
    keyword: Annotated[list[str], Query(description="Looked for in the title and evidence sentences.")] = [],  # noqa: B006
    unit_contains: str | None = None,
    min_value: Annotated[float | None, Query(allow_inf_nan=False)] = None,
) -> Filter:
    """The stream's filter in canonical form (an empty one lets everything through), or 422 saying what is wrong."""
    metric = MetricFilter(unit_contains=unit_contains, min_value=min_value) \
        if unit_contains is not None or min_value is not None else None
    try:
        return checked(Filter(topics=topic, provinces=province, persons=person, documents=document,
                              keywords=keyword, metric=metric), allow_empty=True)
    except FilterError as exc:
        raise ApiError(422, exc.error, exc.detail, **exc.extra) from exc


Source = Annotated[MentionSource, Depends(mention_source)]
StreamFilter = Annotated[Filter, Depends(stream_filter)]


def wanted(filter_: Filter, event: ReformMentioned) -> bool:
    return filter_.is_empty() or match(filter_, [event.data]) is not None


async def mention_events(source: MentionSource, filter_: Filter, *,
                         status_every_s: float = STATUS_EVERY_S) -> AsyncIterator[dict]:
    """The stream's events, until the listener goes away; what it has not read yet waits in a bounded queue."""
    queue = source.subscribe()
    try:
        yield {"event": "ready", "data": json.dumps({"filter": filter_.model_dump(exclude_defaults=True)})}
        connected = source.connected
        yield {"event": "status", "data": json.dumps({"connected": connected})}
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), status_every_s)
            except TimeoutError:
                if source.connected != connected:
                    connected = source.connected
                    yield {"event": "status", "data": json.dumps({"connected": connected})}
                continue
            if wanted(filter_, event):
                yield {"event": "reform.mention", "id": event.id, "data": event.model_dump_json()}
    finally:
        source.unsubscribe(queue)


router = APIRouter(tags=["live"])


@router.get("/v1/mentions/stream", response_class=EventSourceResponse, responses=problems(422))
async def mention_stream(source: Source, filter_: StreamFilter) -> EventSourceResponse:
    """New reform mentions as Server-Sent Events (`ready`, `status`, then `reform.mention`), filtered like a subscription."""
    return EventSourceResponse(mention_events(source, filter_), ping=PING_S, headers=HEADERS)
