"""The consumer runtime: ack after commit, inbox dedup, DLQ for poison, requeue for transient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aio_pika
import psycopg
import pytest
from envelope_helpers import delete_queues, dlq_depth, message, start_runtime
from harness import Broker, eventually, rabbitmqctl
from psycopg import AsyncConnection

from envelope import (
    EXCHANGE,
    ConsumerRuntime,
    EventEnvelope,
    Reject,
    Topology,
    create_envelope,
    current_correlation_ids,
    service_source,
)


async def test_each_event_has_one_effect_even_when_delivered_twice(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    conninfo: str,
    unique: str,
) -> None:
    seen: list[tuple[str, list[Any]]] = []

    async def handler(envelope: EventEnvelope[Any], tx: AsyncConnection[Any]) -> None:
        await tx.execute("SELECT 1")
        seen.append((envelope.payload.name, current_correlation_ids()))

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    sent = create_envelope("test.thing.happened", {"name": unique}, source=service_source("t"))
    await exchange.publish(message(sent), routing_key=sent.event_type)
    await exchange.publish(message(sent), routing_key=sent.event_type)
    async with await AsyncConnection.connect(conninfo) as conn:

        async def recorded() -> bool:
            cursor = await conn.execute(
                "SELECT queue FROM envelope_tests.inbox WHERE event_id = %s", (sent.event_id,)
            )
            return (await cursor.fetchone()) == (queue,)

        await eventually(recorded)
    follow = create_envelope("test.thing.happened", {"name": "after"}, source=service_source("t"))
    await exchange.publish(message(follow), routing_key=follow.event_type)
    await eventually(lambda: _async(len(seen) == 2))
    assert [name for name, _ in seen] == [unique, "after"]
    assert seen[0][1] == [sent.event_id]
    await runtime.close()
    await delete_queues(amqp, queue)


async def _async(value: bool) -> bool:
    return value


async def test_poison_goes_to_the_dead_letter_queue_and_the_next_message_is_processed(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    handled: list[str] = []

    async def handler(envelope: EventEnvelope[Any], _: AsyncConnection[Any]) -> None:
        if envelope.payload.name == "refuse":
            raise Reject("this one can never work")
        handled.append(envelope.payload.name)

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    await exchange.publish(aio_pika.Message(b"{not json"), routing_key="test.thing.happened")
    bad_payload = create_envelope("test.thing.happened", {"name": "x"}, source=service_source("t"))
    wire = bad_payload.to_json().replace(b'"size":0', b'"size":"huge"')
    await exchange.publish(aio_pika.Message(wire), routing_key="test.thing.happened")
    refused = create_envelope("test.thing.happened", {"name": "refuse"}, source=service_source("t"))
    await exchange.publish(message(refused), routing_key="test.thing.happened")
    good = create_envelope("test.thing.happened", {"name": "good"}, source=service_source("t"))
    await exchange.publish(message(good), routing_key="test.thing.happened")

    await eventually(lambda: _async(handled == ["good"]))
    await runtime.close()

    async def three_dead() -> bool:
        return await dlq_depth(amqp, queue) == 3

    await eventually(three_dead)
    await delete_queues(amqp, queue)


async def transaction_id(tx: AsyncConnection[Any]) -> int:
    cursor = await tx.execute("SELECT txid_current()")
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_a_backlog_is_applied_in_shared_transactions_and_a_failure_costs_only_its_own(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    conninfo: str,
    unique: str,
) -> None:
    attempts: list[tuple[str, int]] = []  # (name, transaction id) of every handler call
    prepared: dict[int, list[str]] = {}  # transaction id -> the names its `prepare` was given

    async def prepare(envelopes: list[EventEnvelope[Any]], tx: AsyncConnection[Any]) -> None:
        prepared[await transaction_id(tx)] = [envelope.payload.name for envelope in envelopes]

    async def handler(envelope: EventEnvelope[Any], tx: AsyncConnection[Any]) -> None:
        name = envelope.payload.name
        attempts.append((name, await transaction_id(tx)))
        if name == "refuse":
            raise Reject("never")
        if name == "bug":
            raise RuntimeError("a bug in one message")

    queue = f"test.{unique}"
    await broker.declare(Topology.of([(queue, ["test.thing.#"])]))
    good = [f"m{i}" for i in range(80)]
    names = [*good[:12], "refuse", *good[12:24], "bug", *good[24:]]
    for name in names:  # queued before the consumer starts: a backlog
        sent = create_envelope("test.thing.happened", {"name": name}, source=service_source("t"))
        await exchange.publish(message(sent), routing_key=sent.event_type)
    runtime = ConsumerRuntime(schema="envelope_tests", transaction=transaction)
    runtime.subscribe(queue, ["test.thing.#"], handler, prepare=prepare)
    await runtime.attach(amqp)

    async def two_dead() -> bool:
        return await dlq_depth(amqp, queue) == 2

    async with await AsyncConnection.connect(conninfo) as conn:

        async def all_good_recorded() -> bool:
            cursor = await conn.execute(
                "SELECT count(*) FROM envelope_tests.inbox WHERE queue = %s", (queue,)
            )
            return (await cursor.fetchone()) == (len(good),)

        await eventually(all_good_recorded, timeout=30)
        await eventually(two_dead, timeout=30)
        await runtime.close()
        cursor = await conn.execute(
            "SELECT t, pg_xact_status(t::text::xid8) FROM unnest(%s::bigint[]) AS t",
            ([txid for _, txid in attempts],),
        )
        status = dict(await cursor.fetchall())
    committed: dict[str, list[int]] = {}
    for name, txid in attempts:
        if status[txid] == "committed":
            committed.setdefault(name, []).append(txid)
    # every good message took effect exactly once, the two failures never
    assert sorted(committed) == sorted(good)
    assert all(len(txids) == 1 for txids in committed.values())
    # messages shared transactions, and the ones batched with a failure were rolled back
    # once and applied again on their own
    shared = {txids[0] for txids in committed.values()}
    assert len(shared) < len(good)
    assert any(status[txid] == "aborted" for name, txid in attempts if name in good)
    # each transaction's `prepare` was given its messages before their handlers ran: all of
    # them where it committed, and those of a failed batch up to the failure
    handled: dict[int, list[str]] = {}
    for name, txid in attempts:
        handled.setdefault(txid, []).append(name)
    for txid, names in handled.items():
        given = prepared[txid]
        assert given == names if status[txid] == "committed" else given[: len(names)] == names
    await delete_queues(amqp, queue)


async def test_failing_handlers_are_retried_until_the_delivery_limit(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    attempts: list[str] = []

    async def handler(envelope: EventEnvelope[Any], _: AsyncConnection[Any]) -> None:
        attempts.append(envelope.payload.name)
        if envelope.payload.name == "always" or len(attempts) < 2:
            raise RuntimeError("a bug that only sometimes bites")

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    flaky = create_envelope("test.thing.happened", {"name": "flaky"}, source=service_source("t"))
    await exchange.publish(message(flaky), routing_key="test.thing.happened")
    await eventually(lambda: _async(attempts == ["flaky", "flaky"]))

    always = create_envelope("test.thing.happened", {"name": "always"}, source=service_source("t"))
    await exchange.publish(message(always), routing_key="test.thing.happened")

    async def dead() -> bool:
        return await dlq_depth(amqp, queue) == 1

    await eventually(dead)
    assert attempts.count("always") == runtime.delivery_limit + 1
    await runtime.close()
    await delete_queues(amqp, queue)


@pytest.mark.outage
async def test_consumers_reattach_after_a_broker_restart(
    amqp: aio_pika.abc.AbstractRobustConnection,
    broker: Broker,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    handled: list[str] = []

    async def handler(envelope: EventEnvelope[Any], _: AsyncConnection[Any]) -> None:
        handled.append(envelope.payload.name)

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    rabbitmqctl("stop_app")
    rabbitmqctl("start_app")
    rabbitmqctl("await_startup")
    after = create_envelope("test.thing.happened", {"name": "after"}, source=service_source("t"))
    publisher_connection = await aio_pika.connect(broker.amqp_url)
    channel = await publisher_connection.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    await exchange.publish(message(after), routing_key=after.event_type)
    await publisher_connection.close()
    await eventually(lambda: _async(handled == ["after"]), timeout=30)
    await runtime.close()
    await delete_queues(amqp, queue)


async def test_an_unreachable_database_is_waited_out_without_spending_deliveries(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange: aio_pika.abc.AbstractExchange,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    attempts: list[int] = []

    async def handler(envelope: EventEnvelope[Any], _: AsyncConnection[Any]) -> None:
        attempts.append(1)
        if len(attempts) <= 5:  # more failures than the delivery limit allows
            raise psycopg.OperationalError("connection to server was lost")

    queue = f"test.{unique}"
    runtime = await start_runtime(broker, amqp, transaction, queue, handler)
    sent = create_envelope("test.thing.happened", {"name": "patient"}, source=service_source("t"))
    await exchange.publish(message(sent), routing_key=sent.event_type)
    await eventually(lambda: _async(len(attempts) == 6), timeout=60)
    assert await dlq_depth(amqp, queue) == 0
    await runtime.close()
    await delete_queues(amqp, queue)
