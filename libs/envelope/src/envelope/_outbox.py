"""Transactional outbox: events are rows written with the change, published after commit."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from psycopg import AsyncConnection, OperationalError, sql
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from envelope._models import EventEnvelope
from envelope._publisher import Publisher, PublishFailed, UnroutableEvent
from envelope._sql import Transaction, driver_connection

log = structlog.get_logger("envelope.outbox")


class Outbox:
    """Adds events to `<schema>.outbox` inside the caller's transaction.

    Nothing reaches the bus unless that transaction commits; the relay publishes the rows.
    """

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._insert = sql.SQL(
            "INSERT INTO {}.outbox (event_id, event_type, body, correlation_ids) "
            "VALUES (%s, %s, %s, %s)"
        ).format(sql.Identifier(schema))

    async def add(self, tx: Transaction, *envelopes: EventEnvelope[Any]) -> None:
        connection = await driver_connection(tx)
        async with connection.cursor() as cursor:
            await cursor.executemany(
                self._insert,
                [
                    (e.event_id, e.event_type, Jsonb(e.model_dump(mode="json")), e.correlation_ids)
                    for e in envelopes
                ],
            )


class Inbox:
    """Records consumed event ids in `<schema>.inbox` so each event has one effect."""

    def __init__(self, schema: str) -> None:
        self._insert = sql.SQL(
            "INSERT INTO {}.inbox (event_id, event_type, queue, correlation_ids) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING"
        ).format(sql.Identifier(schema))

    async def record(self, tx: Transaction, envelope: EventEnvelope[Any], queue: str) -> bool:
        """True if this is the first time the event is seen; False for a duplicate."""
        connection = await driver_connection(tx)
        cursor = await connection.execute(
            self._insert,
            (envelope.event_id, envelope.event_type, queue, envelope.correlation_ids),
        )
        return cursor.rowcount == 1


class OutboxRelay:
    """Publishes `<schema>.outbox` rows in id order, in batches, each batch with confirms.

    Woken by LISTEN/NOTIFY, with a polling fallback. Rows are claimed `FOR UPDATE SKIP LOCKED`
    and marked published in the same transaction, so several relays (replicas) never publish
    a row twice while they run; a crash between confirm and commit republishes a batch, which
    consumers' inboxes absorb. A row the broker returns as unroutable is marked published with
    `last_error`, so one event nobody listens to cannot block the rest.
    """

    def __init__(
        self,
        conninfo: str,
        schema: str,
        publisher: Publisher,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
    ) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.channel = f"{schema}_outbox"
        self._wake = asyncio.Event()
        schema_id = sql.Identifier(schema)
        self._claim = sql.SQL(
            "SELECT id, body FROM {}.outbox WHERE published_at IS NULL "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"
        ).format(schema_id)
        self._mark = sql.SQL(
            "UPDATE {}.outbox SET published_at = now(), attempts = attempts + 1, "
            "last_error = %s WHERE id = ANY(%s)"
        ).format(schema_id)
        self._backlog = sql.SQL("SELECT count(*) FROM {}.outbox WHERE published_at IS NULL").format(
            schema_id
        )

    async def run(self) -> None:
        """Relay until cancelled; database and broker outages are waited out, not raised."""
        listener = asyncio.create_task(self._listen(), name=f"{self.channel}-listen")
        conn: AsyncConnection[Any] | None = None
        try:
            while True:
                try:
                    if conn is None or conn.closed:
                        conn = await AsyncConnection.connect(self.conninfo)
                    published = await self.drain_batch(conn)
                except (OperationalError, PublishFailed) as error:
                    log.warning("outbox relay waiting", schema=self.schema, error=repr(error))
                    published = 0
                if published < self.batch_size:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            if conn is not None:
                await conn.close()

    async def drain_batch(self, conn: AsyncConnection[Any]) -> int:
        """Publish one batch; returns how many rows it marked published."""
        if not self.publisher.ready:
            return 0
        async with conn.transaction():
            async with conn.cursor(row_factory=tuple_row) as cursor:
                rows = await (await cursor.execute(self._claim, (self.batch_size,))).fetchall()
            if not rows:
                return 0
            envelopes = [EventEnvelope[Any].model_validate(body) for _, body in rows]
            results = await self.publisher.publish_many(envelopes)
            failed = next((r for r in results if r and not isinstance(r, UnroutableEvent)), None)
            if failed is not None:
                raise failed
            confirmed = [row_id for (row_id, _), r in zip(rows, results, strict=True) if r is None]
            unroutable = [row_id for (row_id, _), r in zip(rows, results, strict=True) if r]
            await conn.execute(self._mark, (None, confirmed))
            if unroutable:
                log.warning("outbox events unroutable", schema=self.schema, count=len(unroutable))
                await conn.execute(self._mark, ("unroutable: no queue bound", unroutable))
        return len(rows)

    async def backlog(self, conn: AsyncConnection[Any]) -> int:
        async with conn.cursor(row_factory=tuple_row) as cursor:
            row = await (await cursor.execute(self._backlog)).fetchone()
        return int(row[0]) if row else 0

    async def _listen(self) -> None:
        while True:
            try:
                async with await AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self._wake.set()
                    async for _ in conn.notifies():
                        self._wake.set()
            except OperationalError:
                await asyncio.sleep(self.poll_interval)
