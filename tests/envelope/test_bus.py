"""A ServiceBus end to end: emit in a transaction, relay, consume in another transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import structlog
import yaml
from harness import ROOT, Broker, eventually

from envelope import (
    EventEnvelope,
    ServiceBus,
    Topology,
    configure_logging,
    current_correlation_ids,
)


async def test_emitted_events_reach_subscribers_with_their_cause(
    broker: Broker, service_bus: ServiceBus, transaction: Callable[[], Any], unique: str
) -> None:
    received: list[tuple[EventEnvelope[Any], list[Any]]] = []

    async def handler(envelope: EventEnvelope[Any], _: Any) -> None:
        received.append((envelope, current_correlation_ids()))

    bus = service_bus
    queue = f"test.bus.{unique}"
    await broker.declare(Topology.of([(queue, ["test.thing.happened"])]))
    bus.subscribe(queue, ["test.thing.happened"], handler)
    await bus.start()
    try:
        await eventually(lambda: _now(bus.connected))
        async with transaction() as tx:
            sent = await bus.emit(tx, "test.thing.happened", {"name": unique})
        await eventually(lambda: _now(any(e.event_id == sent.event_id for e, _ in received)))
        envelope, context = next(r for r in received if r[0].event_id == sent.event_id)
        assert envelope.source.app == "tests"
        assert context == [sent.event_id]
    finally:
        await bus.stop()
    assert not bus.connected


async def test_a_commit_that_queued_events_wakes_the_relay_at_once(
    broker: Broker, service_bus: ServiceBus, unique: str
) -> None:
    received: list[EventEnvelope[Any]] = []

    async def handler(envelope: EventEnvelope[Any], _: Any) -> None:
        received.append(envelope)

    bus = service_bus
    bus.relay.poll_interval = 3600.0  # only the wake-up can send the event within the test
    queue = f"test.wake.{unique}"
    await broker.declare(Topology.of([(queue, ["test.thing.happened"])]))
    bus.subscribe(queue, ["test.thing.happened"], handler)
    await bus.start()
    try:
        await eventually(lambda: _now(bus.connected and bus.publisher.ready))

        async def failed_request() -> None:
            async with bus.transaction() as tx:
                await bus.emit(tx, "test.thing.happened", {"name": f"rolled back {unique}"})
                raise RuntimeError("the request failed")

        with pytest.raises(RuntimeError):
            await failed_request()
        async with bus.transaction() as tx:
            sent = await bus.emit(tx, "test.thing.happened", {"name": unique})
        await eventually(lambda: _now(any(e.event_id == sent.event_id for e in received)))
        assert [e.payload.name for e in received] == [unique]  # nothing of the rolled back one
    finally:
        await bus.stop()


async def test_a_transactions_events_are_written_at_its_end_in_one_go(
    service_bus: ServiceBus, schema: str, transaction: Callable[[], Any], unique: str
) -> None:
    bus = service_bus  # never started: the rows stay in the outbox
    count = f"SELECT count(*) FROM {schema}.outbox WHERE event_id = ANY(%s)"
    async with bus.transaction() as tx:
        sent = [await bus.emit(tx, "test.thing.happened", {"name": f"{unique}-{i}"}) for i in "abc"]
        ids = [envelope.event_id for envelope in sent]
        assert await (await tx.execute(count, (ids,))).fetchone() == (0,)
    # A transaction the bus did not open gets its event's row at once.
    async with transaction() as tx:
        other = await bus.emit(tx, "test.thing.happened", {"name": f"{unique}-d"})
        assert await (await tx.execute(count, ([other.event_id],))).fetchone() == (1,)
    async with transaction() as tx:
        cursor = await tx.execute(
            f"DELETE FROM {schema}.outbox WHERE event_id = ANY(%s) RETURNING event_id, id",
            ([*ids, other.event_id],),
        )
        written = [event_id for event_id, _ in sorted(await cursor.fetchall(), key=lambda r: r[1])]
    assert written == [*ids, other.event_id]  # in the order they were emitted


def test_the_services_outboxes_notify_nobody(database: Any, imi_env: Any, mimir_env: Any) -> None:
    with psycopg.connect(database.admin_conninfo()) as conn:
        triggers = conn.execute(
            "SELECT n.nspname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('imi', 'mimir') AND NOT t.tgisinternal"
        ).fetchall()
    assert ("imi", "outbox_notify") not in triggers
    assert ("mimir", "outbox_notify") not in triggers


async def _now(value: bool) -> bool:
    return value


def test_logs_are_json_and_never_show_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    structlog.get_logger("tests").info("connecting", db_password="hunter2-hunter2", host="db")
    logging.getLogger("plain").warning("from the standard library")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first, second = lines[-2], lines[-1]
    assert first["message"] == "connecting"
    assert first["db_password"] == "[redacted]"
    assert {"timestamp", "level", "logger"} <= set(first)
    assert second["message"] == "from the standard library"
    assert second["level"] == "WARNING"


def test_an_error_log_carries_its_type_message_and_stack_trace_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO")
    secret = "a-local-that-must-not-be-logged"
    try:
        raise ValueError(f"bad value of length {len(secret)}")
    except ValueError:
        structlog.get_logger("tests").exception("operation failed")
    structlog.get_logger("tests").debug("below the level")
    out = capsys.readouterr().out
    (entry,) = [json.loads(line) for line in out.splitlines()]
    assert (entry["level"], entry["error_type"], entry["error_message"]) == (
        "ERROR",
        "ValueError",
        "bad value of length 31",
    )
    assert entry["stack_trace"][0]["frames"]
    assert secret not in out


def test_the_development_profile_logs_at_debug() -> None:
    for service in ("imi", "mimir"):
        profile = yaml.safe_load(
            (ROOT / "services" / service / "config" / "development.yaml").read_text()
        )
        assert profile["log_level"] == "DEBUG"
