"""Outbox relay publish rate against raw aio-pika publishing with confirms, 100 in flight."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aio_pika
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.core import Figure
from envelope import EXCHANGE, OutboxRelay, Publisher, create_envelope, service_source

COUNT = 20_000
IN_FLIGHT = 100
PAYLOAD = "x" * 1000  # ~1 KB bodies


async def _sink(amqp_url: str, key: str) -> tuple[aio_pika.abc.AbstractRobustConnection, str]:
    """A queue bound to the benchmark's routing key, so every message is routable."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"bench.sink.{key}", auto_delete=False)
    await queue.bind(exchange, key)
    return connection, queue.name


async def raw_publish_rate(amqp_url: str) -> float:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    body = create_envelope(
        "bench.thing.happened", {"name": PAYLOAD}, source=service_source("bench")
    )
    message = aio_pika.Message(body.to_json(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> None:
        async with gate:
            await exchange.publish(message, routing_key="bench.thing.happened", mandatory=True)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(COUNT)))
    elapsed = time.perf_counter() - started
    await connection.close()
    return COUNT / elapsed


async def relay_rate(amqp_url: str, conninfo: str, schema: str) -> float:
    rows = [
        create_envelope("bench.thing.happened", {"name": PAYLOAD}, source=service_source("bench"))
        for _ in range(COUNT)
    ]
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        async with conn.cursor() as cursor:
            insert = sql.SQL(
                "INSERT INTO {}.outbox (event_id, event_type, body) VALUES (%s, %s, %s)"
            ).format(sql.Identifier(schema))
            await cursor.executemany(
                insert,
                [(e.event_id, e.event_type, Jsonb(e.model_dump(mode="json"))) for e in rows],
            )
        await conn.commit()
    connection = await aio_pika.connect_robust(amqp_url)
    publisher = Publisher()
    await publisher.attach(connection)
    relay = OutboxRelay(conninfo, schema, publisher, batch_size=IN_FLIGHT * 2)
    started = time.perf_counter()
    task = asyncio.create_task(relay.run())
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        while (await relay.state(conn)).backlog:
            await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await connection.close()
    return COUNT / elapsed


async def run(env: dict[str, Any]) -> list[Figure]:
    from pydantic import BaseModel

    from envelope import registry

    class BenchThing(BaseModel):
        name: str

    if "bench.thing.happened" not in registry:
        registry.register("bench.thing.happened", BenchThing, producer="bench", summary="bench")
    sink, _ = await _sink(env["amqp_url"], "bench.thing.happened")
    baseline = await raw_publish_rate(env["amqp_url"])
    ours = await relay_rate(env["amqp_url"], env["conninfo"], env["schema"])
    channel = await sink.channel()
    await channel.queue_delete("bench.sink.bench.thing.happened")
    await sink.close()
    return [
        Figure(
            name="outbox relay publish rate (1 KB events)",
            value=ours,
            unit="events/s",
            baseline=baseline,
            baseline_name="raw aio-pika publish, confirms, 100 in flight",
            target=">= 50% of baseline",
            met=ours >= 0.5 * baseline,
        )
    ]
