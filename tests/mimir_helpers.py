"""Helpers for mimir's bus tests: a publisher onto the run's exchange, waiting for events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import aio_pika
import psycopg
from harness import Broker, Database, rabbitmqctl
from psycopg.rows import dict_row

from envelope import EventEnvelope, create_envelope, service_source
from mimir.embedding.indexes import build_space_indexes


class Bloodbank:
    """The run's exchange as imi and agents see it: publish envelopes, inspect queues, read
    what mimir stored (its inbox, its projection) with the admin connection."""

    def __init__(
        self, exchange: aio_pika.abc.AbstractExchange, broker: Broker, database: Database
    ) -> None:
        self.exchange = exchange
        self.broker = broker
        self.database = database

    async def publish(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        source: str = "imi",
        timestamp: datetime | None = None,
        event_id: uuid.UUID | None = None,
    ) -> EventEnvelope[Any]:
        envelope = create_envelope(
            event_type, payload, source=service_source(source), event_id=event_id
        )
        if timestamp is not None:
            envelope = envelope.model_copy(update={"timestamp": timestamp})
        await self.publish_raw(event_type, envelope.model_dump_json().encode())
        return envelope

    async def publish_raw(self, routing_key: str, body: bytes) -> None:
        message = aio_pika.Message(body, content_type="application/json")
        await self.exchange.publish(message, routing_key=routing_key)

    async def queue_counts(self, column: str) -> dict[str, str]:
        out = await asyncio.to_thread(
            rabbitmqctl, "list_queues", "-p", self.broker.vhost, "name", column
        )
        return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)

    async def dead_letters(self, queue: str) -> int:
        return int((await self.queue_counts("messages")).get(f"{queue}.dlq", "0"))

    async def query(self, statement: str, *params: Any) -> list[dict[str, Any]]:
        async with await psycopg.AsyncConnection.connect(
            self.database.admin_conninfo(), row_factory=dict_row
        ) as conn:
            cursor = await conn.execute(statement, params)  # type: ignore[arg-type]
            return await cursor.fetchall()

    async def consumed(self, event_id: uuid.UUID) -> bool:
        rows = await self.query("SELECT 1 FROM mimir.inbox WHERE event_id = %s", event_id)
        return bool(rows)

    async def entity(self, entity_type: str, entity_id: Any) -> dict[str, Any] | None:
        rows = await self.query(
            "SELECT * FROM mimir.external_entities WHERE entity_type = %s AND entity_id = %s",
            entity_type,
            entity_id,
        )
        return rows[0] if rows else None


async def next_event(received: asyncio.Queue[Any], event_type: str, **match: Any) -> Any:
    """The first event of `event_type` whose payload has the `match` values (bounded wait)."""
    async with asyncio.timeout(20):
        while True:
            event = await received.get()
            payload = event["payload"]
            if event["event_type"] == event_type and all(
                payload.get(k) == v for k, v in match.items()
            ):
                return event


def hnsw_indexes(database: Database, space_id: str) -> list[str]:
    """The definition of the space's HNSW index, if it has one."""
    with psycopg.connect(database.admin_conninfo()) as conn:
        rows = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'mimir' AND indexname = %s",
            ("embeddings_hnsw_" + uuid.UUID(space_id).hex,),
        ).fetchall()
    return [row[0] for row in rows]


async def execute(conninfo: str, statement: Any, *params: Any) -> None:
    """Run one statement in autocommit without blocking the event loop: the app under test
    runs its workers on the same loop, and a transaction of theirs that holds a lock this
    statement waits for could never end if the loop were blocked."""
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute(statement, params or None)


async def build_indexes(database: Database) -> list[str]:
    """What the migration step (or its watcher) does: build missing indexes as the owner."""
    conn = await psycopg.AsyncConnection.connect(
        database.migrator_conninfo("mimir"), autocommit=True, row_factory=dict_row
    )
    async with conn:
        return await build_space_indexes(conn)


async def wait_indexed(api: Any, artifact_id: str) -> dict[str, Any]:
    for _ in range(200):
        artifact = await api.ok(f"/artifacts/{artifact_id}")
        if artifact["indexing_status"] != "pending":
            return artifact  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"artifact {artifact_id} was not indexed in time")
