"""PostgreSQL stops under load: requests fail fast with 503, nothing consumed is lost."""

from __future__ import annotations

import time
import uuid

import aio_pika
import httpx
import pytest
from harness import Broker, Database, ServiceProcess, eventually, postgres

from envelope import EXCHANGE, create_envelope, service_source

pytestmark = [pytest.mark.outage, pytest.mark.e2e]


async def test_imi_fails_fast_and_recovers_without_restart(
    imi_process: ServiceProcess, broker: Broker, database: Database
) -> None:
    api = httpx.AsyncClient(base_url=imi_process.url, timeout=30)
    remote = f"git@example.invalid:team/{uuid.uuid4().hex[:8]}.git"
    project = (
        await api.post("/api/v1/projects", json={"name": "outage", "remote_origin": remote})
    ).json()
    work = (
        await api.post("/api/v1/work", json={"project_id": project["id"], "branch_name": "feat/o"})
    ).json()
    push = create_envelope(
        "git.push",
        {
            "remote_url": remote,
            "branch": "feat/o",
            "commits": [{"hash": "abc1234", "message": "x"}],
        },
        source=service_source("tests"),
    )

    postgres("stop")
    try:
        started = time.monotonic()
        refused = await api.post(
            "/api/v1/projects", json={"name": "x", "remote_origin": remote + "2"}
        )
        took = time.monotonic() - started
        assert refused.status_code == 503
        assert refused.json()["detail"]["code"] == "SERVICE_UNAVAILABLE"
        assert refused.headers["retry-after"]
        assert took < 15, "a request must not hang while the database is down"
        assert (await api.get("/health")).status_code == 503
        connection = await aio_pika.connect(broker.amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        await exchange.publish(
            aio_pika.Message(push.to_json(), message_id=str(push.event_id)), routing_key="git.push"
        )
        await connection.close()
    finally:
        postgres("start")

    async def healthy() -> bool:
        return (await api.get("/health")).status_code == 200

    await eventually(healthy, timeout=30)

    async def pushed() -> bool:
        item = (await api.get(f"/api/v1/work/{work['id']}")).json()
        return item["last_commit_hash"] == "abc1234"

    await eventually(pushed, timeout=60)
    history = (await api.get(f"/api/v1/events/{push.event_id}")).json()
    assert history["consumed"]["queue"] == "imi.git_events"
    again = await api.post(
        "/api/v1/projects", json={"name": "after", "remote_origin": remote + "3"}
    )
    assert again.status_code == 201
    await api.aclose()
