"""`GET /health`: database, broker and outbox backlog; 503 when the database is down."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from envelope._bus import ServiceBus
from envelope._errors import RETRY_AFTER_SECONDS

log = structlog.get_logger("envelope.health")


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"] = Field(
        description="ok: all up; degraded: broker down (writes still succeed); down: no database"
    )
    service: str
    version: str
    database: Literal["up", "down"]
    broker: Literal["up", "down"]
    outbox_backlog: int | None = Field(description="Events written but not yet published")


def health_router(
    service: str, version: str, bus: ServiceBus, outbox_backlog: Callable[[], Awaitable[int]]
) -> APIRouter:
    """`outbox_backlog` counts unpublished rows through the service's own pool."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/health",
        response_model=Health,
        summary="Service health",
        description="Database and broker state and the outbox backlog. 503 when the database "
        "is unreachable; 200 with status `degraded` when only the broker is down.",
        responses={503: {"model": Health, "description": "Database unreachable"}},
    )
    async def health() -> JSONResponse:
        try:
            backlog: int | None = await outbox_backlog()
        except Exception as error:  # any failure to reach the database means "down"
            log.warning("health: database unreachable", error_type=type(error).__name__)
            backlog = None
        broker = "up" if bus.connected else "down"
        body = Health(
            status="down" if backlog is None else ("ok" if broker == "up" else "degraded"),
            service=service,
            version=version,
            database="down" if backlog is None else "up",
            broker=broker,
            outbox_backlog=backlog,
        )
        headers = {"Retry-After": RETRY_AFTER_SECONDS} if backlog is None else None
        status = 503 if backlog is None else 200
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)

    return router
