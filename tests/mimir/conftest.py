"""mimir-only fixtures: unique names per test, a helper over the HTTP API, and the bus."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import pytest
from harness import Broker, Database, eventually
from mimir_helpers import Bloodbank

from envelope import EXCHANGE

API = "/api/v1"


@pytest.fixture
def unique() -> str:
    """A fresh token for names and sources, since one database serves the whole run."""
    return uuid.uuid4().hex[:12]


class Api:
    """Builders and assertions used across mimir's tests."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def created(self, path: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        response = await self.client.post(f"{API}{path}", json=body, **kwargs)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def ok(self, path: str, **params: Any) -> Any:
        response = await self.client.get(f"{API}{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def artifact(self, content: str, **fields: Any) -> dict[str, Any]:
        body = {"artifact_type": "document", "source": "tests", "content": content, **fields}
        return await self.created("/artifacts", body)

    @staticmethod
    def code(response: httpx.Response) -> str:
        """The error code of a response, checking the shared error shape on the way."""
        detail = response.json()["detail"]
        assert set(detail) == {"code", "message", "params"}
        return detail["code"]  # type: ignore[no-any-return]


@pytest.fixture
def api(mimir_client: httpx.AsyncClient) -> Api:
    return Api(mimir_client)


@pytest.fixture(scope="session")
async def bloodbank(
    broker: Broker, database: Database, mimir_client: httpx.AsyncClient
) -> AsyncIterator[Bloodbank]:
    """Needs mimir running: its consumers declare and bind the queues messages go to."""
    connection = await aio_pika.connect_robust(broker.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    client = Bloodbank(exchange, broker, database)

    async def consuming() -> bool:
        consumers = await client.queue_counts("consumers")
        return all(consumers.get(q, "0") != "0" for q in ("mimir.imi_events", "mimir.commands"))

    await eventually(consuming, timeout=30)
    yield client
    await connection.close()


@pytest.fixture
async def mimir_events(broker: Broker) -> AsyncIterator[asyncio.Queue[Any]]:
    """Every `mimir.#` message on the run's vhost, from a test queue bound for this test."""
    connection = await aio_pika.connect_robust(broker.amqp_url)
    received: asyncio.Queue[Any] = asyncio.Queue()
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "mimir.#")

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                received.put_nowait(json.loads(message.body))

        await queue.consume(collect)
        yield received
