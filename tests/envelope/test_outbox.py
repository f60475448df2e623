"""The transactional outbox and its relay: after commit only, in order, once, through outages."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from harness import eventually, rabbitmqctl
from psycopg import AsyncConnection

from envelope import (
    EXCHANGE,
    EventEnvelope,
    Outbox,
    OutboxRelay,
    Publisher,
    create_envelope,
    service_source,
)


def event(name: str) -> EventEnvelope[Any]:
    return create_envelope("test.thing.happened", {"name": name}, source=service_source("t"))


@pytest.fixture
async def probe(
    amqp: aio_pika.abc.AbstractRobustConnection, unique: str
) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A queue receiving this test's events, so the relay's events are routable."""
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"probe.{unique}", durable=True)
    await queue.bind(exchange, "test.thing.happened")
    yield queue
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()


@contextlib.asynccontextmanager
async def relaying(conninfo: str, schema: str, amqp: Any, **options: Any) -> AsyncIterator[None]:
    publisher = Publisher()
    await publisher.attach(amqp)
    relay = OutboxRelay(conninfo, schema, publisher, poll_interval=0.2, **options)
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await publisher.close()


async def drain(queue: aio_pika.abc.AbstractQueue, expected: int) -> list[str]:
    names: list[str] = []

    async def got_all() -> bool:
        try:
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                names.append(EventEnvelope[Any].model_validate_json(message.body).payload["name"])
        except (aio_pika.exceptions.AMQPError, RuntimeError):
            return False  # the robust channel is still reconnecting after a broker restart
        return len(names) >= expected

    await eventually(got_all, timeout=20)
    await asyncio.sleep(0.3)
    assert not await got_all() or len(names) == expected, "more messages than expected"
    return names


async def test_only_committed_events_are_published_and_in_order(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)

    async def failing_request() -> None:
        async with transaction() as tx:
            await outbox.add(tx, event("rolled-back"))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        await failing_request()
    async with transaction() as tx:
        await outbox.add(tx, *(event(f"{unique}-{i}") for i in range(5)))
    async with relaying(conninfo, schema, amqp):
        names = await drain(probe, 5)
    assert names == [f"{unique}-{i}" for i in range(5)]


async def test_two_relays_publish_every_row_exactly_once(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)
    count = 600
    async with (
        relaying(conninfo, schema, amqp, batch_size=25),
        relaying(conninfo, schema, amqp, batch_size=25),
    ):
        for start in range(0, count, 50):
            async with transaction() as tx:
                await outbox.add(tx, *(event(f"{unique}-{i}") for i in range(start, start + 50)))
        names = await drain(probe, count)
    assert sorted(names) == sorted(f"{unique}-{i}" for i in range(count))
    async with await AsyncConnection.connect(conninfo) as conn:
        cursor = await conn.execute(
            "SELECT count(*), max(attempts) FROM envelope_tests.outbox "
            "WHERE body->'payload'->>'name' LIKE %s",
            (f"{unique}-%",),
        )
        assert await cursor.fetchone() == (count, 1)


@pytest.mark.outage
async def test_events_written_while_the_broker_is_down_are_delivered_when_it_returns(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)
    async with relaying(conninfo, schema, amqp):
        rabbitmqctl("stop_app")
        try:
            for i in range(20):
                async with transaction() as tx:
                    await outbox.add(tx, event(f"{unique}-{i}"))
            async with await AsyncConnection.connect(conninfo) as conn:
                cursor = await conn.execute(
                    "SELECT count(*) FROM envelope_tests.outbox WHERE published_at IS NULL "
                    "AND body->'payload'->>'name' LIKE %s",
                    (f"{unique}-%",),
                )
                assert await cursor.fetchone() == (20,)
        finally:
            rabbitmqctl("start_app")
            subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True)
        names = await drain(probe, 20)
    assert names == [f"{unique}-{i}" for i in range(20)]
