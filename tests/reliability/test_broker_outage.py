"""RabbitMQ stops while both services take writes: nothing fails, nothing is lost or doubled."""

from __future__ import annotations

import uuid

import httpx
import pytest
from harness import Database, ServiceProcess, eventually, rabbitmqctl, scalar

pytestmark = [pytest.mark.outage, pytest.mark.e2e]


async def test_writes_succeed_during_an_outage_and_every_event_arrives_once(
    imi_process: ServiceProcess, mimir_process: ServiceProcess, database: Database
) -> None:
    imi = httpx.AsyncClient(base_url=imi_process.url, timeout=30)
    mimir = httpx.AsyncClient(base_url=mimir_process.url, timeout=30)
    batch = uuid.uuid4().hex[:8]
    rabbitmqctl("stop_app")
    try:
        for i in range(10):
            project = await imi.post(
                "/api/v1/projects",
                json={"name": f"o-{i}", "remote_origin": f"git@example.invalid:o/{batch}-{i}.git"},
            )
            assert project.status_code == 201
            decision = await mimir.post(
                "/api/v1/decisions", json={"statement": f"outage {batch} {i}", "status": "active"}
            )
            assert decision.status_code == 201
        health = (await imi.get("/health")).json()
        assert (health["status"], health["broker"]) == ("degraded", "down")
        assert health["outbox_backlog"] >= 10
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")

    admin = database.admin_conninfo()
    imi_events = (
        "SELECT array_agg(event_id::text) FROM imi.outbox WHERE event_type = "
        "'imi.project.registered' AND body->'payload'->>'remote_origin' LIKE %s"
    )
    mimir_events = (
        "SELECT array_agg(event_id::text) FROM mimir.outbox WHERE event_type = "
        "'mimir.decision.recorded' AND body->'payload'->>'statement' LIKE %s"
    )
    sent_by_imi = scalar(admin, imi_events, f"%{batch}-%")
    sent_by_mimir = scalar(admin, mimir_events, f"outage {batch} %")
    assert len(sent_by_imi) == len(sent_by_mimir) == 10

    async def delivered_once() -> bool:
        in_mimir = scalar(
            admin, "SELECT count(*) FROM mimir.inbox WHERE event_id = ANY(%s::uuid[])", sent_by_imi
        )
        in_imi = scalar(
            admin, "SELECT count(*) FROM imi.inbox WHERE event_id = ANY(%s::uuid[])", sent_by_mimir
        )
        return in_mimir == 10 and in_imi == 10

    await eventually(delivered_once, timeout=90)

    async def recovered() -> bool:
        # The relays' last batches and reconnections settle a moment after the deliveries.
        bodies = [(await client.get("/health")).json() for client in (imi, mimir)]
        return all((b["broker"], b["outbox_backlog"]) == ("up", 0) for b in bodies)

    await eventually(recovered, timeout=30)
    for client in (imi, mimir):
        await client.aclose()
