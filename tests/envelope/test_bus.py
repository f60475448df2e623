"""A ServiceBus end to end: emit in a transaction, relay, consume in another transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

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
    broker: Broker, conninfo: str, schema: str, transaction: Callable[[], Any], unique: str
) -> None:
    received: list[tuple[EventEnvelope[Any], list[Any]]] = []

    async def handler(envelope: EventEnvelope[Any], _: Any) -> None:
        received.append((envelope, current_correlation_ids()))

    bus = ServiceBus(
        service="tests",
        amqp_url=broker.amqp_url,
        conninfo=conninfo,
        schema=schema,
        transaction=transaction,
    )
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
