"""Failures are classified by cause: only the connection or the server is waited out in place."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import aio_pika
import psycopg
import pytest
from envelope_helpers import delete_queues, dlq_depth, message, start_runtime
from harness import Broker, eventually
from psycopg import AsyncConnection

from envelope import (
    BadRequest,
    Busy,
    EventEnvelope,
    TooExpensive,
    ValueTooLong,
    create_envelope,
    failure_of,
    is_contention,
    is_unavailable,
    service_source,
)
from envelope._errors import database_error


def too_long_for_an_index() -> str:
    """Random text PostgreSQL cannot compress below a B-tree entry's ~2.7 kB limit."""
    return secrets.token_urlsafe(6000)


async def raised(conninfo: str, *statements: str) -> BaseException:
    async with await AsyncConnection.connect(conninfo, autocommit=True) as conn:
        *setup, failing = statements
        for statement in setup:
            await conn.execute(statement)  # type: ignore[arg-type]
        with pytest.raises(psycopg.Error) as caught:
            await conn.execute(failing)  # type: ignore[arg-type]
    return caught.value


@pytest.fixture
async def indexed_table(conninfo: str, unique: str) -> Any:
    table = f"envelope_tests.names_{unique}"
    async with await AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute(f"CREATE TABLE {table} (name text PRIMARY KEY)")  # type: ignore[arg-type]
        yield table
        await conn.execute(f"DROP TABLE {table}")  # type: ignore[arg-type]


async def test_statement_faults_are_the_requests_not_the_servers(
    conninfo: str, indexed_table: str
) -> None:
    too_large = await raised(
        conninfo, f"INSERT INTO {indexed_table} VALUES ('{too_long_for_an_index()}')"
    )
    assert isinstance(too_large, psycopg.errors.ProgramLimitExceeded)
    cancelled = await raised(conninfo, "SET statement_timeout = 10", "SELECT pg_sleep(1)")
    for error, meaning in ((too_large, ValueTooLong), (cancelled, TooExpensive)):
        assert isinstance(error, psycopg.OperationalError)  # the class the old check trusted
        assert not is_unavailable(error)
        assert not is_contention(error)
        assert isinstance(database_error(error), meaning)
        assert isinstance(failure_of(error), meaning)  # type: ignore[arg-type]


async def test_a_malformed_value_says_why(conninfo: str) -> None:
    malformed = await raised(conninfo, "SELECT 'seven'::int")
    meaning = database_error(malformed)
    assert isinstance(meaning, BadRequest)
    assert meaning.params == {"reason": 'invalid input syntax for type integer: "seven"'}
    async with await AsyncConnection.connect(conninfo) as conn:
        with pytest.raises(psycopg.DataError) as nul:  # refused by the driver, before the server
            await conn.execute("SELECT %s::text", ("a\x00b",))
    assert "NUL" in database_error(nul.value).params["reason"]  # type: ignore[union-attr]


async def test_a_lock_timeout_is_busy_not_unavailable(conninfo: str, indexed_table: str) -> None:
    async with await AsyncConnection.connect(conninfo) as holder:
        await holder.execute(f"INSERT INTO {indexed_table} VALUES ('held')")  # type: ignore[arg-type]
        await holder.commit()
        await holder.execute(f"SELECT * FROM {indexed_table} FOR UPDATE")  # type: ignore[arg-type]
        waiting = await raised(
            conninfo, "SET lock_timeout = 20", f"SELECT * FROM {indexed_table} FOR UPDATE"
        )
    assert isinstance(waiting, psycopg.errors.LockNotAvailable)
    assert not is_unavailable(waiting)
    assert isinstance(database_error(waiting), Busy)


async def test_a_lost_or_refused_connection_is_unavailable(conninfo: str) -> None:
    async with await AsyncConnection.connect(conninfo, autocommit=True) as victim:
        pid = victim.info.backend_pid
        async with await AsyncConnection.connect(conninfo, autocommit=True) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError) as terminated:
            await victim.execute("SELECT 1")
    assert is_unavailable(terminated.value)
    assert failure_of(terminated.value) is None
    with pytest.raises(psycopg.OperationalError) as refused:
        await AsyncConnection.connect("host=127.0.0.1 port=1 connect_timeout=1")
    assert is_unavailable(refused.value)
    for state in ("57P01", "57P03", "53300", "08006"):
        assert is_unavailable(psycopg.errors.lookup(state)("server"))
    for state in ("40001", "40P01"):
        error = psycopg.errors.lookup(state)("collided")
        assert is_contention(error)
        assert not is_unavailable(error)
        assert failure_of(error) is None


async def test_a_value_the_database_refuses_is_dead_lettered_and_the_next_is_applied(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    conninfo: str,
    indexed_table: str,
    unique: str,
) -> None:
    attempts: list[str] = []

    async def handler(envelope: EventEnvelope[Any], tx: AsyncConnection[Any]) -> None:
        attempts.append(envelope.payload.name[:10])
        await tx.execute(
            f"INSERT INTO {indexed_table} VALUES (%s)",  # type: ignore[arg-type]
            (envelope.payload.name,),
        )

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    source = service_source("t")
    long_name = too_long_for_an_index()
    for name in (long_name, "valid"):
        sent = create_envelope("test.thing.happened", {"name": name}, source=source)
        await exchange.publish(message(sent), routing_key=sent.event_type)

    async def settled() -> bool:
        async with await AsyncConnection.connect(conninfo) as conn:
            cursor = await conn.execute(f"SELECT name FROM {indexed_table}")  # type: ignore[arg-type]
            stored = [row[0] for row in await cursor.fetchall()]
        return stored == ["valid"] and await dlq_depth(amqp, queue) == 1

    await eventually(settled)
    assert attempts.count(long_name[:10]) == runtime.delivery_limit + 1
    await runtime.close()
    await delete_queues(amqp, queue)
