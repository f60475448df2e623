"""A service killed mid-message loses nothing and applies nothing twice; replicas share work."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import pytest
from harness import Broker, Database, ServiceProcess, eventually, publish, scalar

from envelope import create_envelope, service_source

pytestmark = pytest.mark.e2e


def register(remote: str) -> object:
    return create_envelope(
        "imi.cmd.register_project",
        {"name": remote.rsplit("/", 1)[-1], "remote_origin": remote},
        source=service_source("orchestrator"),
    )


async def test_sigkill_while_consuming_loses_nothing_and_doubles_nothing(
    imi_env: dict[str, str], broker: Broker, database: Database, tmp_path: Path
) -> None:
    batch = uuid.uuid4().hex[:8]
    commands = [register(f"git@example.invalid:crash/{batch}-{i}.git") for i in range(300)]
    first = ServiceProcess("imi", imi_env, tmp_path / "imi-1.log").start()
    await publish(broker.amqp_url, *commands)
    admin = database.admin_conninfo()
    pattern = f"git@example.invalid:crash/{batch}-%"

    async def some_applied() -> bool:
        return (
            int(
                scalar(
                    admin, "SELECT count(*) FROM imi.projects WHERE remote_origin LIKE %s", pattern
                )
            )
            > 0
        )

    await eventually(some_applied, timeout=30)
    first.stop(signal.SIGKILL)
    second = ServiceProcess("imi", imi_env, tmp_path / "imi-2.log").start()
    try:

        async def all_applied() -> bool:
            count = scalar(
                admin, "SELECT count(*) FROM imi.projects WHERE remote_origin LIKE %s", pattern
            )
            return int(count) == len(commands)

        await eventually(all_applied, timeout=60)
        ids = [str(c.event_id) for c in commands]  # type: ignore[attr-defined]
        inbox = scalar(
            admin, "SELECT count(*) FROM imi.inbox WHERE event_id = ANY(%s::uuid[])", ids
        )
        assert inbox == len(commands)
        events = scalar(
            admin,
            "SELECT count(*) FROM imi.outbox WHERE event_type = 'imi.project.registered' "
            "AND body->'payload'->>'remote_origin' LIKE %s",
            pattern,
        )
        assert events == len(commands), "each command emitted its event exactly once"
    finally:
        second.stop()


async def test_two_replicas_of_each_service_share_the_queues_and_the_outbox(
    imi_env: dict[str, str],
    mimir_env: dict[str, str],
    broker: Broker,
    database: Database,
    tmp_path: Path,
) -> None:
    replicas = [
        ServiceProcess(service, env, tmp_path / f"{service}-{n}.log")
        for service, env in (("imi", imi_env), ("mimir", mimir_env))
        for n in (1, 2)
    ]
    await asyncio.gather(*(asyncio.to_thread(r.start) for r in replicas))
    try:
        batch = uuid.uuid4().hex[:8]
        commands = [register(f"git@example.invalid:twins/{batch}-{i}.git") for i in range(200)]
        await publish(broker.amqp_url, *commands)
        admin = database.admin_conninfo()
        pattern = f"git@example.invalid:twins/{batch}-%"

        async def applied_once() -> bool:
            projects = scalar(
                admin, "SELECT count(*) FROM imi.projects WHERE remote_origin LIKE %s", pattern
            )
            published = scalar(
                admin,
                "SELECT count(*) FROM imi.outbox WHERE published_at IS NOT NULL "
                "AND body->'payload'->>'remote_origin' LIKE %s",
                pattern,
            )
            return int(projects) == len(commands) and int(published) == len(commands)

        await eventually(applied_once, timeout=60)
        attempts = scalar(
            admin,
            "SELECT max(attempts) FROM imi.outbox WHERE body->'payload'->>'remote_origin' LIKE %s",
            pattern,
        )
        assert attempts == 1, "no outbox row was published by both relays"
        served = {
            line.get("message")
            for r in replicas[:2]
            for line in r.logs()
            if line.get("message") == "event consumed"
        }
        assert served == {"event consumed"}
        per_replica = [
            sum(1 for line in r.logs() if line.get("message") == "event consumed")
            for r in replicas[:2]
        ]
        assert all(count > 0 for count in per_replica), f"both imi replicas consumed: {per_replica}"
    finally:
        for replica in replicas:
            replica.stop()
