"""Transactional outbox: events are rows written with the change, published after commit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from psycopg import AsyncConnection, DatabaseError, OperationalError, sql
from psycopg.rows import tuple_row
from pydantic import ValidationError

from envelope._models import EventEnvelope
from envelope._publisher import Publisher, PublishFailed, UnroutableEvent
from envelope._sql import Transaction, driver_connection

log = structlog.get_logger("envelope.outbox")

# Published outbox rows are kept for `GET /api/v1/events/{id}`. An inbox row is what makes a
# repeated event id a no-op, so it must outlive every way an event can arrive again.
OUTBOX_RETENTION = timedelta(days=7)
INBOX_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class OutboxState:
    backlog: int
    oldest_age_s: float | None


class Outbox:
    """Adds events to `<schema>.outbox` inside the caller's transaction.

    Nothing reaches the bus unless that transaction commits; the relay publishes the rows.
    """

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._insert = sql.SQL(
            "INSERT INTO {}.outbox (event_id, event_type, body, correlation_ids) "
            "VALUES (%s, %s, %s::jsonb, %s)"
        ).format(sql.Identifier(schema))

    async def add(self, tx: Transaction, *envelopes: EventEnvelope[Any]) -> None:
        # pydantic writes the JSON itself (the body is the envelope as published); one row,
        # the common case, skips executemany's pipeline.
        rows = [
            (e.event_id, e.event_type, e.model_dump_json(), e.correlation_ids) for e in envelopes
        ]
        connection = await driver_connection(tx)
        if len(rows) == 1:
            await connection.execute(self._insert, rows[0])
            return
        async with connection.cursor() as cursor:
            await cursor.executemany(self._insert, rows)


class Inbox:
    """Records consumed event ids in `<schema>.inbox` so each event has one effect."""

    def __init__(self, schema: str) -> None:
        # One statement for a whole batch; correlation ids travel as array literals, since
        # `unnest` cannot take an array of arrays of different lengths.
        self._insert = sql.SQL(
            "INSERT INTO {}.inbox (event_id, event_type, queue, correlation_ids) "
            "SELECT e.event_id, e.event_type, %s, e.correlation_ids::uuid[] "
            "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS e(event_id, event_type, "
            "correlation_ids) "
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
        ).format(sql.Identifier(schema))

    async def record(
        self, tx: Transaction, envelopes: Sequence[EventEnvelope[Any]], queue: str
    ) -> list[bool]:
        """For each envelope, True the first time its event is seen (within the batch too),
        False for a duplicate."""
        connection = await driver_connection(tx)
        cursor = connection.cursor(row_factory=tuple_row)
        await cursor.execute(
            self._insert,
            (
                queue,
                [e.event_id for e in envelopes],
                [e.event_type for e in envelopes],
                ["{" + ",".join(map(str, e.correlation_ids)) + "}" for e in envelopes],
            ),
        )
        new = {row[0] for row in await cursor.fetchall()}
        firsts = []
        for envelope in envelopes:
            firsts.append(envelope.event_id in new)
            new.discard(envelope.event_id)
        return firsts


class OutboxRelay:
    """Publishes `<schema>.outbox` rows in id order, in batches, each batch with confirms.

    Woken in-process (`wake`) when a transaction of this process that queued events commits,
    and polling every `poll_interval` for the rest (events of other processes whose own relay
    is down, rows written by scripts). Rows are claimed `FOR UPDATE SKIP LOCKED`
    and marked published in the same transaction, so several relays (replicas) never publish
    a row twice while they run; a crash between confirm and commit republishes a batch, which
    consumers' inboxes absorb. A row the broker returns as unroutable is marked published with
    `last_error`, so one event nobody listens to cannot block the rest. A row whose body is no
    longer an envelope is set aside the same way, with `failed_at` instead: it was never
    published, so it stays (out of claims, in the backlog) until an operator fixes or deletes it.

    Between batches, at most one pruning round every `prune_interval` seconds deletes published
    outbox rows older than `outbox_retention` and inbox rows older than `inbox_retention`, in
    batches of `prune_batch_size`, so no delete holds many locks or runs for long.
    """

    def __init__(
        self,
        conninfo: str,
        schema: str,
        publisher: Publisher,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        outbox_retention: timedelta = OUTBOX_RETENTION,
        inbox_retention: timedelta = INBOX_RETENTION,
        prune_interval: float = 300.0,
        prune_batch_size: int = 500,
    ) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.outbox_retention = outbox_retention
        self.inbox_retention = inbox_retention
        self.prune_interval = prune_interval
        self.prune_batch_size = prune_batch_size
        self._wake = asyncio.Event()
        self._next_prune = 0.0  # monotonic time; the first round runs at start
        schema_id = sql.Identifier(schema)
        self._claim = sql.SQL(
            "SELECT id, body FROM {}.outbox WHERE published_at IS NULL AND failed_at IS NULL "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"
        ).format(schema_id)
        self._mark = sql.SQL(
            "UPDATE {}.outbox SET published_at = now(), attempts = attempts + 1, "
            "last_error = %s WHERE id = ANY(%s)"
        ).format(schema_id)
        self._set_aside = sql.SQL(
            "UPDATE {}.outbox SET failed_at = now(), attempts = attempts + 1, "
            "last_error = %s WHERE id = %s"
        ).format(schema_id)
        # SKIP LOCKED: replicas pruning at the same time take different rows, never wait.
        self._prune_outbox = sql.SQL(
            "DELETE FROM {0}.outbox WHERE id IN (SELECT id FROM {0}.outbox "
            "WHERE published_at < now() - %s LIMIT %s FOR UPDATE SKIP LOCKED)"
        ).format(schema_id)
        self._prune_inbox = sql.SQL(
            "DELETE FROM {0}.inbox WHERE event_id IN (SELECT event_id FROM {0}.inbox "
            "WHERE received_at < now() - %s LIMIT %s FOR UPDATE SKIP LOCKED)"
        ).format(schema_id)
        self._state = sql.SQL(
            "SELECT count(*), extract(epoch FROM now() - min(created_at))::float8 "
            "FROM {}.outbox WHERE published_at IS NULL"
        ).format(schema_id)

    async def run(self) -> None:
        """Relay until cancelled; database and broker outages are waited out, not raised."""
        conn: AsyncConnection[Any] | None = None
        try:
            while True:
                self._wake.clear()  # before the batch: a wake during it is not lost
                try:
                    if conn is None or conn.closed:
                        conn = await AsyncConnection.connect(self.conninfo)
                    published = await self.drain_batch(conn)
                    pruning = await self._prune_when_due(conn)
                except (OperationalError, PublishFailed) as error:
                    log.warning("outbox relay waiting", schema=self.schema, error=repr(error))
                    published, pruning = 0, False
                if published < self.batch_size and not pruning:
                    # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that
                    # arrives with the wake (a commit just before shutdown), and the relay
                    # then never stops.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.poll_interval):
                            await self._wake.wait()
        finally:
            if conn is not None:
                await conn.close()

    def wake(self) -> None:
        """Look for events now rather than at the next poll."""
        self._wake.set()

    async def drain_batch(self, conn: AsyncConnection[Any]) -> int:
        """Publish one batch; returns how many rows it claimed (published or set aside)."""
        if not self.publisher.ready:
            return 0
        async with conn.transaction():
            async with conn.cursor(row_factory=tuple_row) as cursor:
                rows = await (await cursor.execute(self._claim, (self.batch_size,))).fetchall()
            if not rows:
                return 0
            ids, envelopes = [], []
            for row_id, body in rows:
                try:
                    envelopes.append(EventEnvelope[Any].model_validate(body))
                    ids.append(row_id)
                except ValidationError as error:
                    reason = f"not an event envelope: {_problems(error)}"
                    log.error(
                        "outbox row set aside", schema=self.schema, row_id=row_id, error=reason
                    )
                    await conn.execute(self._set_aside, (reason, row_id))
            results = await self.publisher.publish_many(envelopes)
            failed = next((r for r in results if r and not isinstance(r, UnroutableEvent)), None)
            if failed is not None:
                raise failed
            confirmed = [row_id for row_id, r in zip(ids, results, strict=True) if r is None]
            unroutable = [row_id for row_id, r in zip(ids, results, strict=True) if r]
            await conn.execute(self._mark, (None, confirmed))
            if unroutable:
                log.warning("outbox events unroutable", schema=self.schema, count=len(unroutable))
                await conn.execute(self._mark, ("unroutable: no queue bound", unroutable))
        return len(rows)

    async def prune(self, conn: AsyncConnection[Any]) -> bool:
        """Delete one batch of expired rows from the outbox and from the inbox.

        True when a batch was full, so more may be due. Unpublished rows are never deleted.
        """
        async with conn.transaction():
            outbox = await conn.execute(
                self._prune_outbox, (self.outbox_retention, self.prune_batch_size)
            )
            inbox = await conn.execute(
                self._prune_inbox, (self.inbox_retention, self.prune_batch_size)
            )
        return max(outbox.rowcount, inbox.rowcount) >= self.prune_batch_size

    async def _prune_when_due(self, conn: AsyncConnection[Any]) -> bool:
        """One batch of the pruning round when one is due; True while the round goes on."""
        if time.monotonic() < self._next_prune:
            return False
        try:
            more = await self.prune(conn)
        except OperationalError:
            raise  # the connection's trouble: the relay waits it out
        except DatabaseError as error:  # housekeeping must never stop publishing
            log.error("outbox pruning failed", schema=self.schema, error=repr(error))
            more = False
        if not more:
            self._next_prune = time.monotonic() + self.prune_interval
        return more

    async def state(self, tx: Transaction) -> OutboxState:
        """The backlog (events not yet published) and how long its oldest event has waited."""
        connection = await driver_connection(tx)
        async with connection.cursor(row_factory=tuple_row) as cursor:
            row = await (await cursor.execute(self._state)).fetchone()
        backlog, age = row if row else (0, None)
        return OutboxState(int(backlog), None if age is None else float(age))


def _problems(error: ValidationError) -> str:
    """Where and why validation failed, without the input (a body may be large)."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()
    )
