"""A subscription's deliveries, each with its attempts, and sending a dead one again."""
from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from common.http import ApiError, problems
from common.logs import get_logger
from services.alerts.dependencies import Owner, PokeDelivery, Store
from services.alerts.ports import DeliveryRecord, DeliveryStatus
from services.alerts.routes.subscriptions import owned

log = get_logger(__name__)


class DeliveryList(BaseModel):
    deliveries: list[DeliveryRecord]


router = APIRouter()


@router.get("/v1/subscriptions/{subscription_id}/deliveries", response_model=DeliveryList,
            responses=problems(401, 404, 422, 429))
async def list_deliveries(subscription_id: str, owner: Owner, store: Store,
                          status: DeliveryStatus | None = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveryList:
    """Deliveries, newest first, each with its attempts: outcome, status code, latency, next retry."""
    await owned(store, subscription_id, owner)
    return DeliveryList(deliveries=await store.deliveries(subscription_id, status, limit))


@router.post("/v1/deliveries/{delivery_id}/redeliver", status_code=202, responses=problems(401, 404, 409, 422, 429))
async def redeliver(delivery_id: str, owner: Owner, store: Store, poke: PokeDelivery) -> dict:
    """Send a dead delivery again, from a fresh round of attempts."""
    outcome = await store.redeliver(delivery_id, owner, time.time())
    if outcome == "not_found":
        raise ApiError(404, "not_found", f"no delivery with id {delivery_id!r}")
    if outcome == "not_dead":
        raise ApiError(409, "not_dead", "only a dead delivery can be redelivered; this one is pending or delivered")
    poke()
    log.info("delivery.redelivered", delivery_id=delivery_id)
    return {"id": delivery_id, "status": "pending"}
