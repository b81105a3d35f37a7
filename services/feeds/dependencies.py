"""What the feeds routes are handed (FastAPI dependencies over app.state): the follower and its polling
loop. Tests may override them."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from services.feeds.follower import Follower


def follower_of(request: Request) -> Follower:
    return request.app.state.follower


def polling_loop_of(request: Request) -> asyncio.Task:
    return request.app.state.loop


FollowerDep = Annotated[Follower, Depends(follower_of)]
PollingLoop = Annotated[asyncio.Task, Depends(polling_loop_of)]
