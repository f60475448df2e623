"""imi's `git.push` consumer (DB update + inbox → ack) against a raw aio-pika consume+ack loop."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import Any

import aio_pika
import psycopg

from bench.core import Figure
from bench.imi_data import load_work
from bench.services import Services, scaled
from envelope import EXCHANGE

MESSAGES = 20_000
IN_FLIGHT = 100
PREFETCH = 32  # the consumers' default
MAX_SECONDS = 90.0


def push_bodies(items: list[tuple[uuid.UUID, str, str]], count: int) -> list[bytes]:
    """`git.push` envelopes round-robin over the loaded branches, with fresh head commits."""
    rng = random.Random(11)
    bodies = []
    for i in range(count):
        _, remote, branch = items[i % len(items)]
        head = f"{rng.getrandbits(160):040x}"
        envelope = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "event_type": "git.push",
            "timestamp": "2026-02-11T10:00:00Z",
            "version": "1.0.0",
            "source": {"host": "bench", "type": "manual", "app": "bench"},
            "correlation_ids": [],
            "payload": {
                "remote_url": remote,
                "ref": f"refs/heads/{branch}",
                "commits": [{"id": head, "message": "bench commit"}],
                "ahead_of_trunk": i % 7,
                "behind_trunk": i % 3,
            },
        }
        bodies.append(json.dumps(envelope).encode())
    return bodies


async def publish(amqp_url: str, routing_key: str, bodies: list[bytes]) -> None:
    """Publish with confirms, IN_FLIGHT at a time."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(EXCHANGE)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(body: bytes) -> None:
        async with gate:
            message = aio_pika.Message(body, content_type="application/json")
            await exchange.publish(message, routing_key=routing_key)

    await asyncio.gather(*(one(b) for b in bodies))
    await connection.close()


async def raw_consume_rate(amqp_url: str, bodies: list[bytes]) -> float:
    """Consume and ack the same messages from a plain queue, prefetch as imi's consumers."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=PREFETCH)
    exchange = await channel.get_exchange(EXCHANGE)
    queue = await channel.declare_queue(
        "bench.raw_consume", arguments={"x-queue-type": "quorum"}, durable=True
    )
    await queue.bind(exchange, "bench.raw.push")
    done = asyncio.Event()
    seen = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen
        json.loads(message.body)
        await message.ack()
        seen += 1
        if seen >= len(bodies):
            done.set()

    started = time.perf_counter()
    tag = await queue.consume(on_message)
    await publish(amqp_url, "bench.raw.push", bodies)
    await asyncio.wait_for(done.wait(), MAX_SECONDS)
    elapsed = time.perf_counter() - started
    await queue.cancel(tag)
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()
    return len(bodies) / elapsed


async def imi_consume_rate(
    services: Services, amqp_url: str, bodies: list[bytes]
) -> tuple[float, int]:
    """Publish the pushes to imi's queue; time until every one is in imi's inbox."""
    conninfo = services.conninfo("imi")
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:

        async def recorded() -> int:
            cur = await conn.execute("SELECT count(*) FROM imi.inbox WHERE event_type = 'git.push'")
            row = await cur.fetchone()
            return int(row[0]) if row else 0

        before = await recorded()
        started = time.perf_counter()
        await publish(amqp_url, "git.push", bodies)
        count = before
        while count - before < len(bodies) and time.perf_counter() - started < MAX_SECONDS:
            await asyncio.sleep(0.05)
            count = await recorded()
        elapsed = time.perf_counter() - started
    await drop_backlog(amqp_url, "imi.git_events")
    return (count - before) / elapsed, count - before


async def drop_backlog(amqp_url: str, queue_name: str) -> None:
    """Purge what the time limit left in the queue, so later benchmarks run on a quiet imi."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(queue_name, passive=True)
    await queue.purge()
    await connection.close()
    await asyncio.sleep(2)  # the messages already prefetched finish


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    loaded = load_work(
        services.conninfo("imi", superuser=True), scaled(2_000), 20, seed=3, tag="push"
    )
    bodies = push_bodies(loaded.items, scaled(MESSAGES, 500))
    baseline = await raw_consume_rate(env["amqp_url"], bodies)
    ours, handled = await imi_consume_rate(services, env["amqp_url"], bodies)
    met = ours >= 1500 and ours >= 0.2 * baseline
    notes = f"{handled} of {len(bodies)} handled within {MAX_SECONDS:.0f} s"
    if not met:
        notes += (
            "; each message is its own transaction (work item lookup, UPDATE, outbox event,"
            " inbox row, commit) before the ack, prefetch 32 on one process"
        )
    return [
        Figure(
            name="imi consumer git.push → DB + inbox → ack",
            value=ours,
            unit="msg/s",
            baseline=baseline,
            baseline_name="raw aio-pika consume+ack, same messages",
            target=">= 1,500 msg/s and >= 20% of baseline",
            met=met,
            notes=notes,
        )
    ]
