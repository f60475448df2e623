"""The transactional outbox and its relay: after commit only, in order, once, through outages."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from harness import eventually, rabbitmqctl
from psycopg import AsyncConnection

from envelope import (
    EXCHANGE,
    EventEnvelope,
    Inbox,
    Outbox,
    OutboxRelay,
    Publisher,
    configure_logging,
    create_envelope,
    service_source,
)


def event(name: str) -> EventEnvelope[Any]:
    return create_envelope("test.thing.happened", {"name": name}, source=service_source("t"))


@pytest.fixture
async def probe(
    amqp: aio_pika.abc.AbstractRobustConnection, unique: str
) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A queue receiving this test's events, so the relay's events are routable."""
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"probe.{unique}", durable=True)
    await queue.bind(exchange, "test.thing.happened")
    yield queue
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()


@contextlib.asynccontextmanager
async def relaying(conninfo: str, schema: str, amqp: Any, **options: Any) -> AsyncIterator[None]:
    publisher = Publisher()
    await publisher.attach(amqp)
    relay = OutboxRelay(conninfo, schema, publisher, poll_interval=0.2, **options)
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await publisher.close()


async def drain(queue: aio_pika.abc.AbstractQueue, expected: int) -> list[str]:
    names: list[str] = []

    async def got_all() -> bool:
        try:
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                names.append(EventEnvelope[Any].model_validate_json(message.body).payload["name"])
        except (aio_pika.exceptions.AMQPError, RuntimeError):
            return False  # the robust channel is still reconnecting after a broker restart
        return len(names) >= expected

    await eventually(got_all, timeout=20)
    await asyncio.sleep(0.3)
    assert not await got_all() or len(names) == expected, "more messages than expected"
    return names


async def test_only_committed_events_are_published_and_in_order(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)

    async def failing_request() -> None:
        async with transaction() as tx:
            await outbox.add(tx, event("rolled-back"))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        await failing_request()
    async with transaction() as tx:
        await outbox.add(tx, *(event(f"{unique}-{i}") for i in range(5)))
    async with relaying(conninfo, schema, amqp):
        names = await drain(probe, 5)
    assert names == [f"{unique}-{i}" for i in range(5)]


async def test_two_relays_publish_every_row_exactly_once(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)
    count = 600
    async with (
        relaying(conninfo, schema, amqp, batch_size=25),
        relaying(conninfo, schema, amqp, batch_size=25),
    ):
        for start in range(0, count, 50):
            async with transaction() as tx:
                await outbox.add(tx, *(event(f"{unique}-{i}") for i in range(start, start + 50)))
        names = await drain(probe, count)
    assert sorted(names) == sorted(f"{unique}-{i}" for i in range(count))
    async with await AsyncConnection.connect(conninfo) as conn:
        cursor = await conn.execute(
            "SELECT count(*), max(attempts) FROM envelope_tests.outbox "
            "WHERE body->'payload'->>'name' LIKE %s",
            (f"{unique}-%",),
        )
        assert await cursor.fetchone() == (count, 1)


@pytest.mark.outage
async def test_events_written_while_the_broker_is_down_are_delivered_when_it_returns(
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)
    async with relaying(conninfo, schema, amqp):
        rabbitmqctl("stop_app")
        try:
            for i in range(20):
                async with transaction() as tx:
                    await outbox.add(tx, event(f"{unique}-{i}"))
            async with await AsyncConnection.connect(conninfo) as conn:
                cursor = await conn.execute(
                    "SELECT count(*) FROM envelope_tests.outbox WHERE published_at IS NULL "
                    "AND body->'payload'->>'name' LIKE %s",
                    (f"{unique}-%",),
                )
                assert await cursor.fetchone() == (20,)
        finally:
            rabbitmqctl("start_app")
            subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True)
        names = await drain(probe, 20)
    assert names == [f"{unique}-{i}" for i in range(20)]


async def test_the_inbox_records_a_batch_at_once_and_tells_each_first_sighting(
    schema: str, transaction: Callable[[], Any], unique: str
) -> None:
    inbox = Inbox(schema)
    a, b, c = event(f"{unique}-a"), event(f"{unique}-b"), event(f"{unique}-c")
    b.correlation_ids = [a.event_id, c.event_id]
    async with transaction() as tx:
        # within one batch a repeated event is a duplicate too, whichever copy comes first
        assert await inbox.record(tx, [a, b, a], f"q.{unique}") == [True, True, False]
        assert await inbox.record(tx, [b, c], f"q.{unique}") == [False, True]
        assert await inbox.record(tx, [], f"q.{unique}") == []
        cursor = await tx.execute(
            f"SELECT event_id, event_type, queue, correlation_ids FROM {schema}.inbox"
            " WHERE queue = %s ORDER BY received_at, event_type",
            (f"q.{unique}",),
        )
        rows = {row[0]: row[1:] for row in await cursor.fetchall()}
    assert rows == {
        a.event_id: ("test.thing.happened", f"q.{unique}", []),
        b.event_id: ("test.thing.happened", f"q.{unique}", [a.event_id, c.event_id]),
        c.event_id: ("test.thing.happened", f"q.{unique}", []),
    }


async def test_the_relay_prunes_old_published_and_inbox_rows_and_keeps_the_rest(
    conninfo: str, schema: str, transaction: Callable[[], Any], unique: str
) -> None:
    outbox, inbox = Outbox(schema), Inbox(schema)
    ages = {"old": "8 days", "recent": "6 days"}  # published this long ago (retention 7 days)
    async with transaction() as tx:
        for age in ages:
            await outbox.add(tx, *(event(f"{unique}-{age}-{i}") for i in range(5)))
        await outbox.add(tx, event(f"{unique}-pending"), event(f"{unique}-set-aside"))
        for age in ages:
            received = [event(f"{unique}-in-{age}-{i}") for i in range(5)]
            await inbox.record(tx, received, f"q.{unique}.{age}")
        for age, interval in ages.items():
            await tx.execute(
                "UPDATE envelope_tests.outbox SET published_at = now() - %s::interval "
                "WHERE body->'payload'->>'name' LIKE %s",
                (interval, f"{unique}-{age}-%"),
            )
        await tx.execute(
            "UPDATE envelope_tests.outbox SET created_at = now() - interval '90 days' "
            "WHERE body->'payload'->>'name' IN (%s, %s)",
            (f"{unique}-pending", f"{unique}-set-aside"),
        )
        await tx.execute(
            "UPDATE envelope_tests.outbox SET failed_at = now() - interval '90 days' "
            "WHERE body->'payload'->>'name' = %s",
            (f"{unique}-set-aside",),
        )
        await tx.execute(
            "UPDATE envelope_tests.inbox SET received_at = now() - "
            "CASE queue WHEN %s THEN interval '31 days' ELSE interval '29 days' END "
            "WHERE queue LIKE %s",
            (f"q.{unique}.old", f"q.{unique}.%"),
        )

    async def remaining() -> tuple[list[str], list[str]]:
        async with await AsyncConnection.connect(conninfo) as conn:
            out = await conn.execute(
                "SELECT body->'payload'->>'name' FROM envelope_tests.outbox "
                "WHERE body->'payload'->>'name' LIKE %s ORDER BY id",
                (f"{unique}-%",),
            )
            into = await conn.execute(
                "SELECT queue FROM envelope_tests.inbox WHERE queue LIKE %s", (f"q.{unique}.%",)
            )
            return [r[0] for r in await out.fetchall()], [r[0] for r in await into.fetchall()]

    async def old_rows_gone() -> bool:
        outbox_names, inbox_queues = await remaining()
        return not any("-old-" in name for name in outbox_names) and (
            f"q.{unique}.old" not in inbox_queues
        )

    # A publisher never attached: the relay publishes nothing, so the pending row stays pending.
    relay = OutboxRelay(conninfo, schema, Publisher(), poll_interval=0.2, prune_batch_size=2)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(old_rows_gone)
        outbox_names, inbox_queues = await remaining()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with transaction() as tx:  # the next tests' relays would publish the pending row
            await tx.execute(
                "DELETE FROM envelope_tests.outbox WHERE body->'payload'->>'name' = %s",
                (f"{unique}-pending",),
            )
    assert outbox_names == [
        *(f"{unique}-recent-{i}" for i in range(5)),
        f"{unique}-pending",
        f"{unique}-set-aside",
    ]
    assert inbox_queues == [f"q.{unique}.recent"] * 5


async def test_a_row_that_is_no_longer_an_envelope_is_set_aside_and_the_rows_behind_it_go_out(
    capsys: pytest.CaptureFixture[str],
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    outbox = Outbox(schema)
    async with transaction() as tx:
        await outbox.add(tx, event(f"{unique}-poison"), event(f"{unique}-valid"))
        cursor = await tx.execute(
            "UPDATE envelope_tests.outbox SET body = jsonb_set(body, '{timestamp}', '\"soon\"') "
            "WHERE body->'payload'->>'name' = %s RETURNING id",
            (f"{unique}-poison",),
        )
        (poison_id,) = await cursor.fetchone()

    async def set_aside() -> Any:
        async with await AsyncConnection.connect(conninfo) as conn:
            cursor = await conn.execute(
                "SELECT published_at, last_error FROM envelope_tests.outbox "
                "WHERE id = %s AND failed_at IS NOT NULL",
                (poison_id,),
            )
            return await cursor.fetchone()

    configure_logging("INFO")
    async with relaying(conninfo, schema, amqp):
        names = await drain(probe, 1)
        published_at, last_error = await eventually(set_aside)
    assert names == [f"{unique}-valid"]
    assert published_at is None
    assert last_error.startswith("not an event envelope: timestamp: ")
    (entry,) = logged(capsys, "outbox row set aside")
    assert (entry["level"], entry["row_id"], entry["error"]) == ("ERROR", poison_id, last_error)


async def test_a_failing_prune_does_not_stop_publishing(
    capsys: pytest.CaptureFixture[str],
    conninfo: str,
    schema: str,
    amqp: Any,
    probe: aio_pika.abc.AbstractQueue,
    transaction: Callable[[], Any],
    unique: str,
) -> None:
    refuse = (
        "CREATE FUNCTION envelope_tests.refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no deletes here'; END $$; "
        "CREATE TRIGGER refuse_deletes BEFORE DELETE ON envelope_tests.inbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION envelope_tests.refuse()"
    )
    async with transaction() as tx:
        await tx.execute(refuse)
    configure_logging("INFO")
    try:
        async with relaying(conninfo, schema, amqp):
            async with transaction() as tx:
                await Outbox(schema).add(tx, event(f"{unique}-after"))
            names = await drain(probe, 1)
    finally:
        async with transaction() as tx:
            await tx.execute("DROP FUNCTION envelope_tests.refuse() CASCADE")
    assert names == [f"{unique}-after"]
    assert [e["level"] for e in logged(capsys, "outbox pruning failed")] == ["ERROR"]


def logged(capsys: pytest.CaptureFixture[str], message: str) -> list[dict[str, Any]]:
    """The JSON log lines with `message` that configure_logging wrote to stdout."""
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return [entry for entry in map(json.loads, lines) if entry.get("message") == message]


async def test_the_relay_stops_when_it_is_cancelled_as_a_commit_wakes_it(
    conninfo: str, schema: str
) -> None:
    """A service stopping right after a commit woke its relay still stops: the wake and the
    cancellation arrive together, and the cancellation wins."""
    relay = OutboxRelay(conninfo, schema, Publisher(), poll_interval=30)  # never attached
    for _ in range(3):
        task = asyncio.create_task(relay.run())
        await asyncio.sleep(0.3)  # connected, found nothing to publish: waiting to be woken
        relay.wake()
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert done, "the relay kept running after it was cancelled"
