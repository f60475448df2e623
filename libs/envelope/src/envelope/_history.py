"""`GET /events/{event_id}` under `/api/v1`: what a service did with an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from envelope._consumer import TransactionFactory
from envelope._errors import NotFound, error_responses
from envelope._sql import driver_connection


class EmittedEvent(BaseModel):
    event_id: UUID
    event_type: str
    correlation_ids: list[UUID]
    created_at: datetime
    published_at: datetime | None = Field(description="When the broker confirmed it")
    last_error: str | None = None


class ConsumedEvent(BaseModel):
    event_id: UUID
    event_type: str
    queue: str
    correlation_ids: list[UUID]
    received_at: datetime


class EventHistory(BaseModel):
    """One event as this service saw it, and what it caused here."""

    event_id: UUID
    emitted: EmittedEvent | None = Field(description="Set when this service published it")
    consumed: ConsumedEvent | None = Field(description="Set when this service consumed it")
    caused: list[EmittedEvent] = Field(
        description="Events this service emitted with this id among their correlation ids "
        "(a request id works too), oldest first"
    )


def events_router(schema: str, transaction: TransactionFactory) -> APIRouter:
    router = APIRouter(prefix="/events", tags=["events"])
    table = sql.Identifier(schema)
    emitted = sql.SQL(
        "SELECT event_id, event_type, correlation_ids, created_at, published_at, last_error "
        "FROM {}.outbox WHERE event_id = %(id)s"
    ).format(table)
    consumed = sql.SQL(
        "SELECT event_id, event_type, queue, correlation_ids, received_at "
        "FROM {}.inbox WHERE event_id = %(id)s"
    ).format(table)
    caused = sql.SQL(
        "SELECT event_id, event_type, correlation_ids, created_at, published_at, last_error "
        "FROM {}.outbox WHERE correlation_ids @> ARRAY[%(id)s]::uuid[] ORDER BY id LIMIT 500"
    ).format(table)

    @router.get(
        "/{event_id}",
        response_model=EventHistory,
        summary="Follow an event",
        description="Whether this service emitted or consumed the event, and every event it "
        "emitted because of it. Pass a request id (as sent in `X-Request-ID`) to see what "
        "one HTTP request caused. Follow `caused` ids across services to walk a chain.",
        responses=error_responses(404, 422, 503),
    )
    async def follow(event_id: UUID) -> EventHistory:
        params: dict[str, Any] = {"id": event_id}
        async with transaction() as tx:
            conn = await driver_connection(tx)
            async with conn.cursor(row_factory=dict_row) as cursor:
                out = await (await cursor.execute(emitted, params)).fetchone()
                into = await (await cursor.execute(consumed, params)).fetchone()
                effects = await (await cursor.execute(caused, params)).fetchall()
        if out is None and into is None and not effects:
            raise NotFound("this service has no record of the event", event_id=str(event_id))
        return EventHistory(
            event_id=event_id,
            emitted=EmittedEvent.model_validate(out) if out else None,
            consumed=ConsumedEvent.model_validate(into) if into else None,
            caused=[EmittedEvent.model_validate(row) for row in effects],
        )

    return router
