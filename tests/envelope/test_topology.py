"""The topology step: queues exist, with their policies, before any consumer starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import aio_pika
import httpx
import pytest
from envelope_helpers import message
from harness import MANAGEMENT_URL, Broker, eventually, run_id

from envelope import (
    DELIVERY_LIMIT,
    ConsumerRuntime,
    EventEnvelope,
    ServiceBus,
    Topology,
    create_envelope,
    service_source,
)


@pytest.fixture
def empty_broker() -> Iterator[Broker]:
    """A vhost of its own, with no topology declared yet."""
    broker = Broker.create(run_id())
    try:
        yield broker
    finally:
        broker.drop()


def effective_policy(broker: Broker, queue: str) -> dict[str, Any]:
    auth = (broker.user, broker.password)
    found = httpx.get(f"{MANAGEMENT_URL}/api/queues/{broker.vhost}/{queue}", auth=auth).json()
    return dict(found.get("effective_policy_definition") or {})


async def queue_depth(url: str, queue: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        declared = await (await connection.channel()).get_queue(queue)
        return declared.declaration_result.message_count or 0


def run_topology_step(broker: Broker) -> None:
    env = {
        **os.environ,
        "BLOODBANK_URL": broker.url,
        "BLOODBANK_ADMIN_USER": broker.user,
        "BLOODBANK_ADMIN_PASSWORD": broker.password,
        "BLOODBANK_MANAGEMENT_URL": MANAGEMENT_URL,
    }
    subprocess.run([sys.executable, "-m", "envelope.topology"], env=env, check=True)


async def test_the_step_declares_every_service_queue_so_early_events_wait(
    empty_broker: Broker,
) -> None:
    run_topology_step(empty_broker)
    run_topology_step(empty_broker)  # idempotent: a second run changes nothing

    producer = await aio_pika.connect(empty_broker.account_url("producer"))
    async with producer:
        channel = await producer.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("bloodbank.events.v1")
        # The body does not matter here: nothing consumes it.
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="git.push", mandatory=True)

    # imi has never run on this vhost, yet the push waits in its queue.
    assert await queue_depth(empty_broker.account_url("imi"), "imi.git_events") == 1
    expected = {
        name: definition
        for queue in Topology.installed().queues
        for name, definition in (
            (
                queue.name,
                {
                    "delivery-limit": DELIVERY_LIMIT,
                    "dead-letter-exchange": "bloodbank.dlx",
                    "dead-letter-routing-key": queue.name,
                },
            ),
            (queue.dead_letter_queue, {"max-length": 100_000, "overflow": "drop-head"}),
        )
    }
    # The management API reports a queue's effective policy once its next statistics arrive.
    await eventually(
        lambda: _now(all(effective_policy(empty_broker, q) == d for q, d in expected.items())),
        timeout=30,
    )


async def test_a_changed_limit_is_a_policy_update_not_a_failed_redeclare(
    broker: Broker, unique: str
) -> None:
    queue = f"test.limits.{unique}"
    await broker.declare(Topology.of([(queue, ["test.thing.#"])]))
    await broker.declare(Topology.of([(queue, ["test.thing.#"])], delivery_limit=7))
    await eventually(lambda: _now(effective_policy(broker, queue).get("delivery-limit") == 7))


async def test_an_event_published_before_the_first_consumer_start_is_consumed(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    queue = f"test.early.{unique}"
    await broker.declare(Topology.of([(queue, ["test.thing.#"])]))
    early = create_envelope("test.thing.happened", {"name": unique}, source=service_source("t"))
    await exchange.publish(message(early), routing_key=early.event_type, mandatory=True)

    seen: list[EventEnvelope[Any]] = []

    async def handler(envelope: EventEnvelope[Any], _: Any) -> None:
        seen.append(envelope)

    runtime = ConsumerRuntime(schema="envelope_tests", transaction=transaction)
    runtime.subscribe(queue, ["test.thing.#"], handler)
    await runtime.attach(amqp)
    try:
        await eventually(lambda: _now([e.event_id for e in seen] == [early.event_id]))
    finally:
        await runtime.close()


async def test_a_bus_without_its_queue_retries_until_the_topology_exists(
    broker: Broker, service_bus: ServiceBus, unique: str
) -> None:
    queue = f"test.missing.{unique}"
    bus = service_bus

    async def handler(envelope: EventEnvelope[Any], _: Any) -> None:
        del envelope

    bus.subscribe(queue, ["test.thing.happened"], handler)
    await bus.start()
    try:
        state = bus.tasks.states["broker"]
        await eventually(lambda: _now(state.state == "restarting"))
        assert "envelope.topology" in (state.last_error or "")
        assert not bus.connected
        await broker.declare(Topology.of([(queue, ["test.thing.happened"])]))
        await eventually(lambda: _now(bus.connected), timeout=30)
        assert state.state == "running"
    finally:
        await bus.stop()


async def _now(value: bool) -> bool:
    return value
