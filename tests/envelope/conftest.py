"""Fixtures for the envelope library: a scratch schema with outbox/inbox, a broker connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import aio_pika
import psycopg
import pytest
import sqlalchemy as sa
from harness import Broker, Database
from psycopg import AsyncConnection
from pydantic import BaseModel

from envelope import create_messaging_tables, registry

SCHEMA = "envelope_tests"


class Thing(BaseModel):
    """Payload of the test events."""

    name: str
    size: int = 0


for _event_type in ("test.thing.happened", "test.thing.other"):
    registry.register(_event_type, Thing, producer="tests", summary="A test event")


@pytest.fixture(scope="session")
def conninfo(database: Database) -> str:
    admin = database.admin_conninfo()
    sync = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(admin))
    with sync.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA envelope_tests")
        create_messaging_tables(SimpleNamespace(get_bind=lambda: conn), SCHEMA)
    sync.dispose()
    return admin


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
def unique() -> str:
    return uuid.uuid4().hex[:8]
