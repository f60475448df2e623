"""`GET /health`: database, broker, background tasks and the outbox; 503 without a database."""

from __future__ import annotations

from typing import Literal

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model

from envelope._bus import ServiceBus
from envelope._consumer import TransactionFactory
from envelope._errors import RETRY_AFTER_SECONDS
from envelope._examples import answer_example
from envelope._outbox import OutboxState
from envelope._supervisor import TaskState

log = structlog.get_logger("envelope.health")


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"] = Field(
        description="ok: all up; degraded: the broker is down, a background task is restarting "
        "or events wait too long to be published (writes still succeed); down: no database"
    )
    service: str = Field(description="The service answering")
    version: str = Field(description="Its release version")
    database: Literal["up", "down"] = Field(description="Whether PostgreSQL answered")
    broker: Literal["up", "down"] = Field(description="Whether the RabbitMQ connection is open")
    outbox_backlog: int | None = Field(
        description="Events written but not yet published; null when the database is down"
    )
    outbox_oldest_age_s: float | None = Field(
        None, description="Seconds the oldest unpublished event has waited; null when none waits"
    )
    tasks: dict[str, TaskState] = Field(
        default_factory=dict, description="Each background task's state, restarts and last error"
    )


def _with_example(service: str, version: str) -> type[Health]:
    """`Health` with an example answer naming this service; its schema is still `Health`."""
    example = Health(
        status="ok",
        service=service,
        version=version,
        database="up",
        broker="up",
        outbox_backlog=0,
        tasks={"broker": TaskState("running"), "outbox-relay": TaskState("running")},
    )
    return create_model(
        "Health",
        __base__=Health,
        __module__=__name__,
        __cls_kwargs__={"json_schema_extra": {"examples": [example.model_dump(mode="json")]}},
    )


def health_router(
    service: str,
    version: str,
    bus: ServiceBus,
    transaction: TransactionFactory,
    *,
    degraded_after: float = 60.0,
) -> APIRouter:
    """`transaction` opens one of the service's own units of work, to read the outbox state."""
    router = APIRouter(tags=["health"])
    answer = _with_example(service, version)

    @router.get(
        "/health",
        response_model=answer,
        summary="Service health",
        description="Database, broker and background-task state and the outbox backlog. 503 "
        "when the database is unreachable; 200 with status `degraded` when the broker is down, "
        f"a task is restarting or an event has waited over the threshold ({degraded_after:g} s "
        "by default) to be published.",
        responses={
            503: {
                "model": answer,
                "description": "Database unreachable",
                **answer_example(
                    answer,
                    503,
                    status="down",
                    database="down",
                    outbox_backlog=None,
                    outbox_oldest_age_s=None,
                )[503],
            }
        },
    )
    async def health() -> JSONResponse:
        try:
            async with transaction() as tx:
                outbox: OutboxState | None = await bus.relay.state(tx)
        except Exception as error:  # any failure to reach the database means "down"
            log.warning("health: database unreachable", error_type=type(error).__name__)
            outbox = None
        broker = "up" if bus.connected else "down"
        late = outbox is not None and (outbox.oldest_age_s or 0.0) > degraded_after
        healthy = broker == "up" and not late and not bus.tasks.failing
        body = Health(
            status="down" if outbox is None else ("ok" if healthy else "degraded"),
            service=service,
            version=version,
            database="down" if outbox is None else "up",
            broker=broker,
            outbox_backlog=None if outbox is None else outbox.backlog,
            outbox_oldest_age_s=None if outbox is None else outbox.oldest_age_s,
            tasks=bus.tasks.states,
        )
        headers = {"Retry-After": RETRY_AFTER_SECONDS} if outbox is None else None
        status = 503 if outbox is None else 200
        return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)

    return router
