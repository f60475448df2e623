"""imi `POST /api/v1/work` at 32 concurrent clients and `GET /api/v1/trace/ticket/{key}` at one
quiet client and at 32, over 100k loaded work items, beside the same SQL run directly through
psycopg at the same concurrency."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from bench.core import Figure, cpu_seconds, latency_summary, plot_latencies
from bench.imi_data import load_deploys, load_mimir, load_work
from bench.services import CONCURRENCY, Services, hammer, scaled
from envelope import create_envelope, service_source
from imi.settings import ImiSettings
from imi.trace.queries import STATEMENTS

WORK_ITEMS = 100_000
CREATES = 10_000
TRACES = 10_000
QUIET_TRACES = 2_000
MIMIR_EVERY = 16  # a decision related to every 16th work item, an artifact to every project
DEPLOY_EVERY = 8  # a staging deploy of every 8th work item
MAX_SECONDS = 45.0

# What POST /work runs: the project (active?), the insert, the outbox event, the commit.
CREATE_SQL = (
    "SELECT id, active FROM imi.projects WHERE id = %(project_id)s",
    "INSERT INTO imi.work_items (id, project_id, branch_name, work_type, source_type)"
    " VALUES (%(id)s, %(project_id)s, %(branch)s, 'feature', 'manual') RETURNING *",
    "INSERT INTO imi.outbox (event_id, event_type, body) VALUES (%(event_id)s, %(event_type)s, %(body)s)",
)
# What GET /trace/ticket/{key} runs: the service's own statement, in one transaction.
TRACE_MAX_ROWS = ImiSettings.model_fields["trace_max_rows"].default


def trace_sql(statement: str) -> str:
    """A trace statement as psycopg takes it (`%(name)s` placeholders)."""
    return str(STATEMENTS[statement].compile(dialect=psycopg_dialect.dialect()))


TRACE_SQL = trace_sql("ticket")


@asynccontextmanager
async def connections(conninfo: str, size: int) -> AsyncIterator[asyncio.Queue[Any]]:
    """`size` open connections handed out through a queue (one per concurrent client)."""
    pool: asyncio.Queue[Any] = asyncio.Queue()
    opened = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(size)]
    for conn in opened:
        pool.put_nowait(conn)
    try:
        yield pool
    finally:
        for conn in opened:
            await conn.close()


async def raw_create(pool: asyncio.Queue[Any], project_id: uuid.UUID, branch: str) -> None:
    conn = await pool.get()
    try:
        item_id = uuid.uuid4()
        payload = {
            "project_id": str(project_id),
            "work_item_id": str(item_id),
            "branch_name": branch,
            "work_type": "feature",
            "source_type": "manual",
            "source_ref": None,
            "owner_id": None,
            "status": "clean",
        }
        envelope = create_envelope("imi.work.started", payload, source=service_source("bench"))
        params = {
            "id": item_id,
            "project_id": project_id,
            "branch": branch,
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "body": Jsonb(envelope.model_dump(mode="json")),
        }
        for statement in CREATE_SQL:
            cursor = await conn.execute(statement, params)
            if cursor.description:
                await cursor.fetchall()
        await conn.commit()
    finally:
        pool.put_nowait(conn)


async def raw_trace(pool: asyncio.Queue[Any], key: str) -> None:
    conn = await pool.get()
    try:
        values = {"ref": key, "max_rows": TRACE_MAX_ROWS}
        await (await conn.execute(TRACE_SQL, values)).fetchone()
        await conn.commit()
    finally:
        pool.put_nowait(conn)


async def measured(
    pid: int, call: Any, count: int, **options: Any
) -> tuple[list[float], float, float]:
    """`hammer`, and the ms of CPU the process `pid` used per call meanwhile."""
    before = cpu_seconds(pid)
    samples, wall = await hammer(call, count, **options)
    return samples, wall, (cpu_seconds(pid) - before) * 1000 / max(1, len(samples))


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    admin = services.conninfo("imi", superuser=True)
    loaded = await asyncio.to_thread(load_work, admin, scaled(WORK_ITEMS, 1000), 100, 5, "load")
    await asyncio.to_thread(load_mimir, admin, loaded, MIMIR_EVERY, 6)
    await asyncio.to_thread(load_deploys, admin, loaded, DEPLOY_EVERY, 7)
    rng = random.Random(21)
    projects = [pid for pid, _ in loaded.projects]
    creates, traces, quiet = scaled(CREATES, 500), scaled(TRACES, 500), scaled(QUIET_TRACES, 200)
    create_targets = [rng.choice(projects) for _ in range(creates)]
    trace_keys = [rng.choice(loaded.tickets) for _ in range(traces)]

    async with (
        services.client("imi") as api,
        connections(services.conninfo("imi"), CONCURRENCY) as pool,
    ):
        failed = {
            "create": 0,
            "trace": 0,
            "floor": 0,
        }  # answers other than 2xx (503: pool wait > 3 s)

        async def api_create(i: int) -> None:
            body = {"project_id": str(create_targets[i]), "branch_name": f"bench/api-{i}"}
            response = await api.post("/work", json=body)
            failed["create"] += not response.is_success

        async def api_trace(i: int) -> None:
            response = await api.get(f"/trace/ticket/{trace_keys[i]}")
            failed["trace"] += not response.is_success

        async def api_project(i: int) -> None:
            response = await api.get(f"/projects/{create_targets[i % creates]}")
            failed["floor"] += not response.is_success

        async def sql_create(i: int) -> None:
            await raw_create(pool, create_targets[i], f"bench/sql-{i}")

        async def sql_trace(i: int) -> None:
            await raw_trace(pool, trace_keys[i])

        await hammer(api_trace, 200)  # warm both paths up
        await hammer(sql_trace, 200)
        failed["trace"] = 0
        # One client first, while nothing else runs (the creates leave the relay busy).
        imi = services.processes["imi"].process.pid
        base_quiet = await hammer(sql_trace, quiet, concurrency=1, max_seconds=MAX_SECONDS)
        our_quiet = await measured(imi, api_trace, quiet, concurrency=1, max_seconds=MAX_SECONDS)
        failed_quiet, failed["trace"] = failed["trace"], 0
        # The floor of the stack: a primary-key GET through the same middleware, session and pool.
        floor = await measured(imi, api_project, quiet, concurrency=1, max_seconds=MAX_SECONDS)
        base_trace = await hammer(sql_trace, traces, max_seconds=MAX_SECONDS)
        our_trace = await measured(imi, api_trace, traces, max_seconds=MAX_SECONDS)
        base_create = await hammer(sql_create, creates, max_seconds=MAX_SECONDS)
        our_create = await measured(imi, api_create, creates, max_seconds=MAX_SECONDS)

    env["plots"].append(
        plot_latencies(
            "imi POST work at 32 clients",
            {"POST /api/v1/work": our_create[0], "same SQL via psycopg": base_create[0]},
        )
    )
    env["plots"].append(
        plot_latencies(
            "imi GET trace at one client",
            {"GET /api/v1/trace/ticket": our_quiet[0], "same SQL via psycopg": base_quiet[0]},
        )
    )
    env["plots"].append(
        plot_latencies(
            "imi GET trace at 32 clients",
            {"GET /api/v1/trace/ticket": our_trace[0], "same SQL via psycopg": base_trace[0]},
        )
    )
    create_rate = (len(our_create[0]) - failed["create"]) / our_create[1]
    base_create_rate = len(base_create[0]) / base_create[1]
    quiet_p95 = latency_summary(our_quiet[0])["p95"]
    trace_rate = (len(our_trace[0]) - failed["trace"]) / our_trace[1]
    base_trace_rate = len(base_trace[0]) / base_trace[1]
    trace_p95 = latency_summary(our_trace[0])["p95"]
    trace_cpu_ms = our_trace[2]
    create_p95 = latency_summary(our_create[0])["p95"]
    create_met = create_rate >= 400 and create_p95 < 150 and create_rate >= 0.1 * base_create_rate
    quiet_met = quiet_p95 < 10
    rate_met = trace_rate >= 500
    return [
        Figure(
            name=f"imi POST /work rate, 32 clients, {len(loaded.items):,} items loaded",
            value=create_rate,
            unit="req/s",
            baseline=base_create_rate,
            baseline_name="same SQL via psycopg, 32 connections",
            target=">= 400 req/s and >= 10% of baseline, p95 < 150 ms",
            met=create_met,
            notes=f"p95 {create_p95:.1f} ms; {failed['create']} of {len(our_create[0])} failed"
            + (
                ""
                if create_met
                else f"; imi used {our_create[2]:.1f} ms of CPU per request; the cores are shared with PostgreSQL, the relay's publishes, mimir's projection of each imi.work.started and the load generator"
            ),
        ),
        Figure(
            name="imi GET /trace/ticket p95, one client",
            value=quiet_p95,
            unit="ms",
            baseline=latency_summary(base_quiet[0])["p95"],
            baseline_name="same SQL via psycopg p95, one connection",
            target="p95 < 10 ms",
            met=quiet_met,
            notes=f"p50 {latency_summary(our_quiet[0])['p50']:.1f} ms; {failed_quiet} of {len(our_quiet[0])} failed; imi CPU {our_quiet[2]:.1f} ms per trace; GET /projects/{{id}} (a primary-key read through the same stack) p50 {latency_summary(floor[0])['p50']:.1f} ms, p95 {latency_summary(floor[0])['p95']:.1f} ms, imi CPU {floor[2]:.1f} ms ({failed['floor']} failed)"
            + ("" if quiet_met else f"; {quiet_p95 - 10:.1f} ms over"),
        ),
        Figure(
            name="imi GET /trace/ticket rate, 32 clients",
            value=trace_rate,
            unit="traces/s",
            baseline=base_trace_rate,
            baseline_name="same SQL via psycopg, 32 connections",
            target=">= 500 traces/s",
            met=rate_met,
            notes=f"p95 {trace_p95:.1f} ms (psycopg {latency_summary(base_trace[0])['p95']:.1f} ms); {failed['trace']} of {len(our_trace[0])} failed; imi used {trace_cpu_ms:.1f} ms of CPU per trace, {trace_cpu_ms * len(our_trace[0]) / 1000 / our_trace[1]:.0%} of one core"
            + (
                ""
                if rate_met
                else f"; {500 - trace_rate:.0f} traces/s short: at {trace_cpu_ms:.1f} ms of CPU per trace one core serves at most {1000 / trace_cpu_ms:,.0f}/s, and imi shares 2 cores with PostgreSQL, the load generator and the host's other work"
            ),
        ),
    ]
