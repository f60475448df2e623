"""Fixtures for the envelope library: a scratch schema with outbox/inbox, a broker connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import pytest
from harness import Broker, Database, scratch_messaging_schema
from psycopg import AsyncConnection
from pydantic import BaseModel

from envelope import EXCHANGE, ServiceBus, registry

SCHEMA = "envelope_tests"


class Thing(BaseModel):
    """Payload of the test events."""

    name: str
    size: int = 0


for _event_type in ("test.thing.happened", "test.thing.other"):
    registry.register(_event_type, Thing, producer="tests", summary="A test event")


@pytest.fixture(scope="session")
def conninfo(database: Database) -> str:
    return scratch_messaging_schema(database, SCHEMA)


@asynccontextmanager
async def transaction_on(conninfo: str) -> AsyncIterator[AsyncConnection[Any]]:
    async with await AsyncConnection.connect(conninfo) as conn, conn.transaction():
        yield conn


@pytest.fixture
def transaction(conninfo: str) -> Callable[[], Any]:
    return lambda: transaction_on(conninfo)


@pytest.fixture
async def amqp(broker: Broker) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(broker.amqp_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def schema(conninfo: str) -> str:
    """The scratch schema holding the outbox and inbox these tests use."""
    return SCHEMA


@pytest.fixture
def service_bus(
    broker: Broker, conninfo: str, schema: str, transaction: Callable[[], Any]
) -> ServiceBus:
    """A bus of service "tests" on the run's vhost and the scratch schema, not started."""
    return ServiceBus(
        service="tests",
        amqp_url=broker.amqp_url,
        conninfo=conninfo,
        schema=schema,
        transaction=transaction,
    )


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
async def exchange(
    amqp: aio_pika.abc.AbstractRobustConnection,
) -> AsyncIterator[aio_pika.abc.AbstractExchange]:
    channel = await amqp.channel()
    yield await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    await channel.close()
