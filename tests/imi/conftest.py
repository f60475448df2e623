"""imi fixtures: a listener on `imi.#`, a publisher onto the run's vhost, the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable

import aio_pika
import httpx
import psycopg
import pytest
from harness import Broker, Database
from imi_helpers import Bus, EventLog

from envelope import EXCHANGE
from imi.consumers import CONSUMERS


@pytest.fixture(scope="session")
async def amqp(broker: Broker) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(broker.amqp_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture(scope="session", autouse=True)
async def events(amqp: aio_pika.abc.AbstractRobustConnection) -> AsyncIterator[EventLog]:
    """Bound before any test runs, so every imi event of the run is routed here."""
    log = EventLog()
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, routing_key="imi.#")

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            log.received.append(json.loads(message.body))

    await queue.consume(on_message)
    yield log
    await channel.close()


@pytest.fixture(scope="session")
async def bus(
    amqp: aio_pika.abc.AbstractRobustConnection, broker: Broker, imi_client: httpx.AsyncClient
) -> AsyncIterator[Bus]:
    """Needs the service running: its consumers declare the queues messages go to."""
    channel = await amqp.channel()
    client = Bus(amqp, channel, broker)
    await client.consuming([queue for queue, _, _ in CONSUMERS])
    yield client
    await channel.close()


@pytest.fixture(scope="session")
def outbox(database: Database) -> Callable[[uuid.UUID], list[str]]:
    """The event types the service wrote to its outbox for a correlation id."""

    def rows(correlation_id: uuid.UUID) -> list[str]:
        with psycopg.connect(database.admin_conninfo()) as conn:
            found = conn.execute(
                "SELECT event_type FROM imi.outbox WHERE %s = ANY(correlation_ids) ORDER BY id",
                (correlation_id,),
            ).fetchall()
        return [row[0] for row in found]

    return rows


@pytest.fixture
def api(imi_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return imi_client
