"""/v1/feeds: how each followed feed is doing."""
from __future__ import annotations

from fastapi import APIRouter

from services.feeds.dependencies import FollowerDep

router = APIRouter()


@router.get("/v1/feeds")
async def feeds(follower: FollowerDep) -> dict:
    """Each feed: when it was polled, with what outcome, when it is due, and its items by status."""
    out = []
    for feed in follower.feeds.feed:
        state = await follower.state.feed(feed.key)
        out.append({"url": feed.key, "name": feed.name, "interval_s": follower.feeds.interval_s(feed),
                    "last_status": state.last_status, "last_error": state.last_error, "failures": state.failures,
                    "polled_at": state.polled_at, "next_poll_at": state.next_poll_at,
                    "items": await follower.state.counts(feed.key)})
    return {"feeds": out}
