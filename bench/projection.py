"""imi events → visible in mimir's projection, published at a steady 500 events/s.

Synthetic `imi.work.started` envelopes are published at the target rate and their publish
times kept; mimir's inbox records when the transaction that applied each one began (the
projection row commits in that transaction), so the difference is the bus-to-projection lag.

It starts once mimir's queue of imi events is empty (earlier benchmarks leave events behind),
and reports what could explain a tail: the backlog it waited for, the worst half second, and
any autovacuum or analyze that ran on mimir's tables meanwhile.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aio_pika
import psycopg

from bench.core import Figure, autovacuums, latency_summary, plot_latencies, vacuum_note
from bench.services import Services, scaled
from envelope import EXCHANGE, create_envelope, service_source

RATE = 500  # events per second
SECONDS = 10
TARGET_P99_MS = 100.0
QUEUE = "mimir.imi_events"
WINDOW_S = 0.5  # the lag is also summarised per window of publish time
DRAIN_S = 300.0


async def drained(amqp_url: str) -> tuple[int, float]:
    """Wait until mimir's queue of imi events holds no ready message; the backlog first seen
    and the seconds it took to drain (at most DRAIN_S)."""
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        started, first = time.monotonic(), None
        while True:
            queue = await channel.declare_queue(QUEUE, passive=True)
            waiting = queue.declaration_result.message_count or 0
            first = waiting if first is None else first
            if waiting == 0 or time.monotonic() - started > DRAIN_S:
                return first, time.monotonic() - started
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


def worst_window(
    published: dict[uuid.UUID, float], applied: dict[uuid.UUID, float]
) -> tuple[float, float]:
    """The window of publish time whose largest lag is worst: its start (s) and that lag."""
    first = min(published.values())
    worst: dict[int, float] = {}
    for event, at in applied.items():
        window = int((published[event] - first) / WINDOW_S)
        worst[window] = max(worst.get(window, 0.0), (at - published[event]) * 1000)
    window = max(worst, key=lambda w: worst[w])
    return window * WINDOW_S, worst[window]


async def publish_steadily(amqp_url: str, count: int) -> tuple[dict[uuid.UUID, float], float]:
    """Publish `count` events at RATE; return each one's wall-clock publish time and the rate."""
    project = uuid.uuid4()
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=False)
    exchange = await channel.get_exchange(EXCHANGE)
    published: dict[uuid.UUID, float] = {}
    started = time.perf_counter()
    for i in range(count):
        envelope = create_envelope(
            "imi.work.started",
            {
                "project_id": str(project),
                "work_item_id": str(uuid.uuid4()),
                "branch_name": f"feat/bench-{i}",
                "work_type": "feature",
                "source_type": "manual",
                "status": "clean",
            },
            source=service_source("imi"),
        )
        published[envelope.event_id] = time.time()
        await exchange.publish(
            aio_pika.Message(envelope.to_json(), message_id=str(envelope.event_id)),
            routing_key=envelope.event_type,
        )
        ahead = (i + 1) / RATE - (time.perf_counter() - started)
        if ahead > 0:
            await asyncio.sleep(ahead)
    rate = count / (time.perf_counter() - started)
    await connection.close()
    return published, rate


async def applied_at(conninfo: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
    """When mimir applied each event (epoch seconds), waiting up to two minutes for all."""
    deadline = time.monotonic() + 120
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        while True:
            cursor = await conn.execute(
                "SELECT event_id, extract(epoch FROM received_at) FROM mimir.inbox "
                "WHERE event_id = ANY(%s::uuid[])",
                (ids,),
            )
            rows = await cursor.fetchall()
            if len(rows) == len(ids) or time.monotonic() > deadline:
                return {row[0]: float(row[1]) for row in rows}
            await asyncio.sleep(0.5)


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    conninfo = services.conninfo("mimir", superuser=True)
    count = scaled(RATE * SECONDS, minimum=RATE)
    backlog, waited = await drained(env["amqp_url"])
    async with autovacuums(conninfo) as vacuumed:
        published, rate = await publish_steadily(env["amqp_url"], count)
        applied = await applied_at(conninfo, list(published))
    samples = [(applied[i] - published[i]) * 1000 for i in applied]
    summary = latency_summary(samples)
    env["plots"].append(plot_latencies("imi event to mimir projection", {"lag": samples}))
    lost = count - len(applied)
    at, lag = worst_window(published, applied)
    context = f"{backlog} queued imi events drained in {waited:.1f} s before it"
    context += f"; worst half second from {at:.1f} s: lag up to {lag:.0f} ms"
    context += "; " + vacuum_note(vacuumed)
    return [
        Figure(
            name=f"imi event → mimir projection p99 at {rate:,.0f} events/s",
            value=summary["p99"],
            unit="ms",
            target=f"p99 < {TARGET_P99_MS:.0f} ms",
            met=summary["p99"] < TARGET_P99_MS and lost == 0,
            notes=f"p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f} ms; "
            f"{len(applied)}/{count} applied; {context}",
        )
    ]
