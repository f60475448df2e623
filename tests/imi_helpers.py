"""Helpers for the imi tests: polling, unique names, the event log, a bus client."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any, TypeVar

import aio_pika
import httpx
from harness import Broker, eventually, rabbitmqctl

from envelope import EXCHANGE

T = TypeVar("T")


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def remote() -> str:
    return f"git@example.com:team/{unique('repo')}.git"


class EventLog:
    """Every `imi.#` event the service publishes in this run, as JSON envelopes."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def matching(self, event_type: str, **payload: Any) -> list[dict[str, Any]]:
        return [
            e
            for e in self.received
            if e["event_type"] == event_type
            and all(e["payload"].get(k) == v for k, v in payload.items())
        ]

    async def wait_for(self, event_type: str, **payload: Any) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            found = self.matching(event_type, **payload)
            return found[0] if found else None

        return await eventually(probe)


class Bus:
    """Publishes onto the run's exchange and inspects its queues, as producers and operators."""

    def __init__(
        self,
        connection: aio_pika.abc.AbstractRobustConnection,
        channel: aio_pika.abc.AbstractChannel,
        broker: Broker,
    ) -> None:
        self.connection = connection
        self.channel = channel
        self.broker = broker

    async def publish_raw(self, routing_key: str, body: bytes) -> None:
        exchange = await self.channel.get_exchange(EXCHANGE)
        await exchange.publish(
            aio_pika.Message(body, content_type="application/json"), routing_key=routing_key
        )

    async def publish(
        self,
        event_type: str,
        payload: dict[str, Any],
        event_id: uuid.UUID | None = None,
        *,
        at: datetime | None = None,
    ) -> uuid.UUID:
        """Publish an envelope; every one has the same timestamp unless `at` says otherwise."""
        event_id = event_id or uuid.uuid4()
        envelope = {
            "event_id": str(event_id),
            "event_type": event_type,
            "timestamp": at.isoformat() if at else "2026-02-11T10:00:00Z",
            "version": "1.0.0",
            "source": {"host": "test", "type": "manual", "app": "tests"},
            "correlation_ids": [],
            "payload": payload,
        }
        await self.publish_raw(event_type, json.dumps(envelope).encode())
        return event_id

    async def dead_letters(self, queue: str) -> int:
        channel = await self.connection.channel()
        try:
            declared = await channel.declare_queue(f"{queue}.dlq", passive=True)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await channel.close()

    async def dead_lettered(self, queue: str, count: int) -> None:
        """Wait until `<queue>.dlq` holds at least `count` messages."""

        async def probe() -> bool:
            return await self.dead_letters(queue) >= count

        await eventually(probe)

    async def queue_stats(self, column: str) -> dict[str, str]:
        out = await asyncio.to_thread(
            rabbitmqctl, "list_queues", "-p", self.broker.vhost, "name", column
        )
        return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)

    async def drained(self, queue: str) -> None:
        """Wait until `queue` holds no message, neither ready nor being handled."""

        async def probe() -> bool:
            return (await self.queue_stats("messages")).get(queue) == "0"

        await eventually(probe)

    async def consuming(self, queues: list[str]) -> None:
        """Wait until every queue has a consumer (so it is declared and bound)."""

        async def probe() -> bool:
            consumers = await self.queue_stats("consumers")
            return all(consumers.get(q, "0") != "0" for q in queues)

        await eventually(probe)


async def create_project(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"name": unique("proj"), "remote_origin": remote(), **fields}
    response = await api.post("/api/v1/projects", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def start_work(api: httpx.AsyncClient, project_id: str, **fields: Any) -> dict[str, Any]:
    body = {"project_id": project_id, "branch_name": unique("feat/work"), **fields}
    response = await api.post("/api/v1/work", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
