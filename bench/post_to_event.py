"""imi `POST /api/v1/work` → its `imi.work.started` on the bus, one quiet client.

Each request is timed from before it is sent to the delivery of its event to a queue of our
own bound on the exchange; the baseline is one publish → delivery through the same broker
with publisher confirms, the floor any outbox design adds to.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import aio_pika

from bench.core import Figure, latency_summary
from bench.services import Services, scaled
from envelope import EXCHANGE

REQUESTS = 300
TARGET_P99_MS = 20.0


async def _delivery_times(
    amqp_url: str, routing_key: str, key_of: Callable[[aio_pika.abc.AbstractIncomingMessage], str]
) -> tuple[aio_pika.abc.AbstractRobustConnection, aio_pika.abc.AbstractExchange, dict[str, float]]:
    """A private queue bound to `routing_key`; each message's key → its delivery time."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(EXCHANGE)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, routing_key)
    delivered: dict[str, float] = {}

    async def record(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        delivered[key_of(message)] = time.perf_counter()
        await message.ack()

    await queue.consume(record)
    return connection, exchange, delivered


async def _arrival(delivered: dict[str, float], key: str) -> float:
    deadline = time.perf_counter() + 10
    while key not in delivered:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"event {key} never arrived")
        await asyncio.sleep(0.0002)
    return delivered[key]


async def baseline(amqp_url: str, count: int) -> list[float]:
    connection, exchange, delivered = await _delivery_times(
        amqp_url, "bench.raw.latency", lambda message: str(message.message_id)
    )
    samples = []
    try:
        for _ in range(count):
            key, started = str(uuid.uuid4()), time.perf_counter()
            message = aio_pika.Message(b"{}", message_id=key)
            await exchange.publish(message, routing_key="bench.raw.latency")
            samples.append((await _arrival(delivered, key) - started) * 1000)
    finally:
        await connection.close()
    return samples


async def through_imi(services: Services, amqp_url: str, count: int) -> list[float]:
    connection, _, delivered = await _delivery_times(
        amqp_url,
        "imi.work.started",
        lambda message: str(json.loads(message.body)["payload"]["work_item_id"]),
    )
    samples = []
    try:
        async with services.client("imi") as api:
            unique = uuid.uuid4().hex[:8]
            project = await api.post(
                "/projects",
                json={"name": f"latency-{unique}", "remote_origin": f"git@x:b/{unique}.git"},
            )
            project_id = project.json()["id"]
            for i in range(count):
                started = time.perf_counter()
                response = await api.post(
                    "/work", json={"project_id": project_id, "branch_name": f"feat/lat-{i}"}
                )
                arrived = await _arrival(delivered, response.json()["id"])
                samples.append((arrived - started) * 1000)
    finally:
        await connection.close()
    return samples


async def run(env: dict[str, Any]) -> list[Figure]:
    count = scaled(REQUESTS)
    raw = latency_summary(await baseline(env["amqp_url"], count))
    ours = latency_summary(await through_imi(env["services"], env["amqp_url"], count))
    return [
        Figure(
            name="imi POST /work → imi.work.started delivered, p99, one quiet client",
            value=ours["p99"],
            unit="ms",
            baseline=raw["p99"],
            baseline_name="publish (confirmed) → delivery, same broker",
            target=f"p99 < {TARGET_P99_MS:.0f} ms",
            met=ours["p99"] < TARGET_P99_MS,
            notes=f"p50 {ours['p50']:.1f} ms (baseline {raw['p50']:.1f} ms), {count} requests",
        )
    ]
