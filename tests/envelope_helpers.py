"""Helpers for the consumer runtime tests: a runtime on a test queue, its queues' state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aio_pika
from harness import Broker

from envelope import ConsumerRuntime, EventEnvelope, Topology


async def start_runtime(
    broker: Broker,
    amqp: aio_pika.abc.AbstractRobustConnection,
    transaction: Callable[[], Any],
    queue: str,
    handler: Any,
) -> ConsumerRuntime:
    """A runtime consuming `queue` (bound to `test.thing.#`), declared by the topology step."""
    await broker.declare(Topology.of([(queue, ["test.thing.#"])]))
    runtime = ConsumerRuntime(schema="envelope_tests", transaction=transaction)
    runtime.subscribe(queue, ["test.thing.#"], handler)
    await runtime.attach(amqp)
    return runtime


async def delete_queues(amqp: aio_pika.abc.AbstractRobustConnection, queue: str) -> None:
    channel = await amqp.channel()
    await channel.queue_delete(queue)
    await channel.queue_delete(f"{queue}.dlq")
    await channel.close()


async def dlq_depth(amqp: aio_pika.abc.AbstractRobustConnection, queue: str) -> int:
    channel = await amqp.channel()
    declared = await channel.declare_queue(f"{queue}.dlq", passive=True)
    await channel.close()
    return declared.declaration_result.message_count or 0


def message(envelope: EventEnvelope[Any]) -> aio_pika.Message:
    return aio_pika.Message(envelope.to_json(), message_id=str(envelope.event_id))
