"""`GET /events/{event_id}` under `/api/v1`: what a service did with an event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict, Field

from envelope._consumer import TransactionFactory
from envelope._correlation import clean_request_id, request_id_to_uuid
from envelope._errors import NotFound, error_responses
from envelope._sql import driver_connection

EVENT_ID = "3f9a1c2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
REQUEST_ID = "7c6b5a49-3827-4165-a4b3-c2d1e0f9a8b7"
CAUSED_ID = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"


class EmittedEvent(BaseModel):
    event_id: UUID = Field(description="The event's envelope id")
    event_type: str = Field(
        description="The event type, which is also its routing key", examples=["imi.work.started"]
    )
    correlation_ids: list[UUID] = Field(
        description="Ids of the events and requests that caused it, nearest first"
    )
    created_at: datetime = Field(description="When it was written to the outbox")
    published_at: datetime | None = Field(
        description="When the broker confirmed it; null while it waits in the outbox"
    )
    last_error: str | None = Field(
        None,
        description="Why the last publish attempt failed (e.g. unroutable); null if it did not",
    )


class ConsumedEvent(BaseModel):
    event_id: UUID = Field(description="The event's envelope id")
    event_type: str = Field(
        description="The event type, which is also its routing key", examples=["git.push"]
    )
    queue: str = Field(description="The queue it was consumed from", examples=["imi.git_events"])
    correlation_ids: list[UUID] = Field(
        description="Ids of the events and requests that caused it, nearest first"
    )
    received_at: datetime = Field(description="When this service handled it")


class EventHistory(BaseModel):
    """One event as this service saw it, and what it caused here."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_id": EVENT_ID,
                    "emitted": None,
                    "consumed": {
                        "event_id": EVENT_ID,
                        "event_type": "git.push",
                        "queue": "imi.git_events",
                        "correlation_ids": [REQUEST_ID],
                        "received_at": "2026-02-11T10:00:01Z",
                    },
                    "caused": [
                        {
                            "event_id": CAUSED_ID,
                            "event_type": "imi.work.git_state_updated",
                            "correlation_ids": [EVENT_ID, REQUEST_ID],
                            "created_at": "2026-02-11T10:00:01Z",
                            "published_at": "2026-02-11T10:00:01Z",
                            "last_error": None,
                        }
                    ],
                }
            ]
        }
    )

    event_id: UUID = Field(description="The event (or request) id asked about")
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
        "/{event_id:path}",  # a request id may hold a `/`
        response_model=EventHistory,
        summary="Follow an event",
        description="Whether this service emitted or consumed the event, and every event it "
        "emitted because of it. Pass a request id (as sent in `X-Request-ID`) to see what "
        "one HTTP request caused. Follow `caused` ids across services to walk a chain.",
        responses=error_responses(404, 422, 503),
    )
    async def follow(
        ref: Annotated[
            str,
            Path(
                alias="event_id",
                description="An event id, or a request id as sent in `X-Request-ID` (one that "
                "is not a UUID is read as the request's events carry it: its first 200 "
                "characters)",
            ),
        ],
    ) -> EventHistory:
        event_id = request_id_to_uuid(clean_request_id(ref))
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
