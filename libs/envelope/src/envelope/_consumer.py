"""Consuming from quorum queues: one database transaction per message, ack after commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from pydantic import BaseModel

from envelope._correlation import correlation_scope
from envelope._decode import MalformedMessage, decode_message
from envelope._errors import is_contention, is_unavailable
from envelope._models import EventEnvelope
from envelope._outbox import Inbox
from envelope._registry import InvalidPayload, UnknownEventType
from envelope._sql import Transaction
from envelope._topology import DELIVERY_LIMIT, TopologyMissing

RETRY_FIRST_DELAY, RETRY_MAX_DELAY = 0.5, 10.0
CONTENTION_RETRIES = 3  # serialization failures and deadlocks, retried at once in place
MAX_MESSAGE_BYTES = 1024 * 1024  # larger bodies are refused before they are parsed
log = structlog.get_logger("envelope.consumer")

Handler = Callable[[EventEnvelope[BaseModel], Any], Awaitable[None]]
"""`handler(envelope, tx)`: apply the event inside `tx`; the runtime commits and acks.

`envelope.payload` is already the event type's registered model (validated once, on decode).
"""

TransactionFactory = Callable[[], AbstractAsyncContextManager[Transaction]]
"""Opens a transaction that commits on clean exit and rolls back on error."""


class Reject(Exception):
    """Raised by a handler for a message that can never succeed: it goes to the DLQ at once."""


PERMANENT = (MalformedMessage, UnknownEventType, InvalidPayload, Reject)


@dataclass(frozen=True)
class Subscription:
    queue: str
    routing_keys: tuple[str, ...]
    handler: Handler


class ConsumerRuntime:
    """Consumes each subscription's queue with bounded concurrency.

    Ack policy: success → ack after commit; duplicate (event id already in the inbox) → ack
    without effect; malformed, invalid or over `max_message_bytes` → reject to `<queue>.dlq`;
    database unreachable (by SQLSTATE: connection or server) → keep the message and retry in
    place with backoff; serialization failure or deadlock → retry in place up to
    `CONTENTION_RETRIES` times; any other error is the message's → requeue, and once it has
    been delivered `delivery_limit` times, reject it to the DLQ (the broker's delivery-limit
    policy is the backstop for a process that dies mid-message). A robust connection
    restarts the consumers after a broker restart.
    """

    def __init__(
        self,
        *,
        schema: str,
        transaction: TransactionFactory,
        prefetch: int = 32,
        concurrency: int = 5,
        delivery_limit: int = DELIVERY_LIMIT,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.max_message_bytes = max_message_bytes
        self.inbox = Inbox(schema)
        self.transaction = transaction
        self.prefetch = prefetch
        # Messages beyond this wait (unacked) for a slot, so consumers never hold more than
        # `concurrency` pooled connections and HTTP requests always find one.
        self._slots = asyncio.Semaphore(concurrency)
        self.delivery_limit = delivery_limit
        self.subscriptions: list[Subscription] = []
        self._channel: AbstractChannel | None = None

    def subscribe(self, queue: str, routing_keys: list[str], handler: Handler) -> None:
        self.subscriptions.append(Subscription(queue, tuple(routing_keys), handler))

    async def attach(self, connection: AbstractRobustConnection) -> None:
        """Consume every subscribed queue; the topology step has declared and bound them."""
        if not self.subscriptions:
            return
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        for sub in self.subscriptions:
            try:
                queue = await channel.get_queue(sub.queue, ensure=True)
            except aio_pika.exceptions.ChannelNotFoundEntity as error:
                raise TopologyMissing(
                    f"queue {sub.queue} does not exist; run `python -m envelope.topology`"
                ) from error
            await queue.consume(self._callback(sub))
        self._channel = channel  # ready only once every queue is consumed

    @property
    def ready(self) -> bool:
        return not self.subscriptions or (self._channel is not None and not self._channel.is_closed)

    def _callback(self, sub: Subscription) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._handle(sub, message)

        return on_message

    async def _handle(self, sub: Subscription, message: AbstractIncomingMessage) -> None:
        started = time.perf_counter()
        try:
            if len(message.body) > self.max_message_bytes:
                raise MalformedMessage(f"body of {len(message.body)} bytes is over the limit")
            envelope = decode_message(message.body)
        except PERMANENT as error:
            log.warning(
                "message rejected to dead-letter queue",
                queue=sub.queue,
                routing_key=message.routing_key,
                message_id=message.message_id,
                error_type=type(error).__name__,
                error_message=str(error),
            )
            await message.reject(requeue=False)
            return
        scope = correlation_scope(
            [envelope.event_id, *envelope.correlation_ids],
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
            queue=sub.queue,
        )
        with scope:
            async with self._slots:
                await self._apply(sub, envelope, message, started)

    async def _apply(
        self,
        sub: Subscription,
        envelope: EventEnvelope[BaseModel],
        message: AbstractIncomingMessage,
        started: float,
    ) -> None:
        delay, contention = RETRY_FIRST_DELAY, 0
        while True:
            try:
                async with self.transaction() as tx:
                    first = await self.inbox.record(tx, envelope, sub.queue)
                    if first:
                        await sub.handler(envelope, tx)
                break
            except Reject as error:
                log.warning("handler rejected message", error_message=str(error))
                await message.reject(requeue=False)
                return
            except Exception as error:
                if is_unavailable(error):
                    # Not the message's fault: keep it (unacked) and retry in place, so a
                    # database outage of any length spends none of its delivery limit.
                    log.warning("database unavailable; retrying", retry_in=delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_DELAY)
                    continue
                if is_contention(error) and contention < CONTENTION_RETRIES:
                    contention += 1
                    log.info("transaction collided; retrying", attempt=contention)
                    continue
                await self._failed(message, error)
                return
        await message.ack()
        log.info(
            "event consumed" if first else "duplicate event skipped",
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    async def _failed(self, message: AbstractIncomingMessage, error: Exception) -> None:
        """Requeue a message that failed by its own fault, or dead-letter it at the limit."""
        count = (message.headers or {}).get("x-delivery-count")
        deliveries = (count if isinstance(count, int) else 0) + 1
        final = deliveries > self.delivery_limit
        log.error(
            "handler failed; message dead-lettered" if final else "handler failed; requeued",
            error_type=type(error).__name__,
            error_message=str(error)[:500],
            deliveries=deliveries,
            exc_info=error,
        )
        if final:
            await message.reject(requeue=False)
        else:
            await message.nack(requeue=True)

    async def close(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = None
