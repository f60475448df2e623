"""Consuming from quorum queues: the waiting messages of a queue in one transaction, acked
after the commit."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
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
from envelope._sql import Transaction
from envelope._topology import DELIVERY_LIMIT, TopologyMissing

RETRY_FIRST_DELAY, RETRY_MAX_DELAY = 0.5, 10.0
CONTENTION_RETRIES = 3  # serialization failures and deadlocks, retried at once in place
BATCHES_PER_QUEUE = 2
MAX_MESSAGE_BYTES = 1024 * 1024  # larger bodies are refused before they are parsed
log = structlog.get_logger("envelope.consumer")

Handler = Callable[[EventEnvelope[BaseModel], Any], Awaitable[None]]
"""`handler(envelope, tx)`: apply the event inside `tx`; the runtime commits and acks.

`envelope.payload` is already the event type's registered model (validated once, on decode).
"""

Preparer = Callable[[list[EventEnvelope[BaseModel]], Any], Awaitable[None]]
"""`prepare(envelopes, tx)`: before a batch's handlers run, load in as few statements as it
can what they will need (e.g. lock every row the batch touches in one query), so that each
handler reads it from memory instead of asking the database once per message.
"""

TransactionFactory = Callable[[], AbstractAsyncContextManager[Transaction]]
"""Opens a transaction that commits on clean exit and rolls back on error."""


class Reject(Exception):
    """Raised by a handler for a message that can never succeed: it goes to the DLQ at once."""


@dataclass(frozen=True)
class Subscription:
    queue: str
    routing_keys: tuple[str, ...]
    handler: Handler
    prepare: Preparer | None = None
    typed: bool = True


@dataclass(frozen=True)
class Delivery:
    """A decoded message waiting for its turn, with what its log lines and events carry."""

    envelope: EventEnvelope[BaseModel]
    message: AbstractIncomingMessage
    queue: str
    started: float

    def scope(self) -> AbstractContextManager[None]:
        return correlation_scope(
            [self.envelope.event_id, *self.envelope.correlation_ids],
            event_id=str(self.envelope.event_id),
            event_type=self.envelope.event_type,
            queue=self.queue,
        )


Outcome = bool | Exception
"""What became of one message in a batch: True applied, False a duplicate, or its error."""


class ConsumerRuntime:
    """Consumes each subscription's queue in batches, one transaction per batch.

    A message waits for one of `concurrency` slots; whoever gets a slot takes every message of
    its queue that is waiting by then (at most `prefetch`), so batches are single messages
    when traffic is light and grow with the backlog. The batch's transaction records each
    message in the inbox (a duplicate event id is skipped) and runs its handler, in delivery
    order; every message is settled after the commit. Ack policy: applied or duplicate →
    ack; malformed, invalid or over `max_message_bytes` → reject to `<queue>.dlq`; a
    handler's error → the batch is rolled back and applied again one message per
    transaction, and the failing message is requeued, or rejected to the DLQ once it has
    been delivered `delivery_limit` times (the broker's delivery-limit policy is the
    backstop for a process that dies mid-batch). Database unreachable (by SQLSTATE) → the
    batch is kept and retried in place with backoff; serialization failure or deadlock → it
    is retried up to `CONTENTION_RETRIES` times, then one by one. A robust connection
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
        self._waiting: dict[str, deque[Delivery]] = {}
        self._turns: dict[str, asyncio.Semaphore] = {}
        self.delivery_limit = delivery_limit
        self.subscriptions: list[Subscription] = []
        self._channel: AbstractChannel | None = None

    def subscribe(
        self,
        queue: str,
        routing_keys: list[str],
        handler: Handler,
        prepare: Preparer | None = None,
        *,
        typed: bool = True,
    ) -> None:
        """Handle `queue`'s messages. `typed`: payloads reach the handler as their registered
        models, and one that does not fit is dead-lettered; untyped, they reach it as sent,
        for handlers that answer a payload that does not fit (commands, `run_command`)."""
        self.subscriptions.append(Subscription(queue, tuple(routing_keys), handler, prepare, typed))
        self._waiting[queue] = deque()
        self._turns[queue] = asyncio.Semaphore(BATCHES_PER_QUEUE)

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
            envelope = decode_message(
                message.body, typed=sub.typed, routing_key=message.routing_key
            )
        except Exception as error:  # decoding reads the body alone: it fails on every delivery
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
        waiting = self._waiting[sub.queue]
        waiting.append(Delivery(envelope, message, sub.queue, started))
        async with self._turns[sub.queue], self._slots:
            # Another message's turn may have taken this one already.
            batch = [waiting.popleft() for _ in range(min(len(waiting), self.prefetch))]
            if batch:
                await self._apply(sub, batch)

    async def _apply(self, sub: Subscription, batch: list[Delivery]) -> None:
        """Apply the batch in one transaction and settle each message after the commit.

        A message that fails rolls the whole batch back; the batch is then applied again one
        message per transaction, so that only that message fails (no savepoint per message:
        two more round trips each, 220 against 310 msg/s in `bench/README.md`, for failures
        that are rare).
        """
        try:
            outcomes: list[Outcome] = list(await self._transact(sub, batch))
        except Exception as error:
            if len(batch) > 1:
                log.info("a message failed its batch; applying them one by one", size=len(batch))
                for delivery in batch:
                    await self._apply(sub, [delivery])
                return
            outcomes = [error]
        for delivery, outcome in zip(batch, outcomes, strict=True):
            with delivery.scope():
                await self._settle(delivery, outcome, len(batch))

    async def _transact(self, sub: Subscription, batch: list[Delivery]) -> list[bool]:
        """Record and handle every message in one transaction: True applied, False duplicate."""
        delay, contention = RETRY_FIRST_DELAY, 0
        while True:
            try:
                async with self.transaction() as tx:
                    return await self._record_and_handle(sub, tx, batch)
            except Exception as error:
                if is_unavailable(error):
                    # Not the messages' fault: keep them (unacked) and retry in place, so a
                    # database outage of any length spends none of their delivery limit.
                    log.warning("database unavailable; retrying", retry_in=delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_DELAY)
                    continue
                if is_contention(error) and contention < CONTENTION_RETRIES:
                    contention += 1
                    log.info("transaction collided; retrying", attempt=contention)
                    continue
                raise

    async def _record_and_handle(
        self, sub: Subscription, tx: Transaction, batch: list[Delivery]
    ) -> list[bool]:
        """The batch's inbox rows in one statement, the subscription's `prepare` for the
        first-seen events, then the handler of each, in delivery order."""
        firsts = await self.inbox.record(tx, [d.envelope for d in batch], sub.queue)
        fresh = [delivery for delivery, first in zip(batch, firsts, strict=True) if first]
        if sub.prepare is not None and fresh:
            await sub.prepare([delivery.envelope for delivery in fresh], tx)
        for delivery in fresh:
            with delivery.scope():
                await sub.handler(delivery.envelope, tx)
        return firsts

    async def _settle(self, delivery: Delivery, outcome: Outcome, batch: int) -> None:
        message = delivery.message
        if isinstance(outcome, Reject):
            log.warning("handler rejected message", error_message=str(outcome))
            await message.reject(requeue=False)
        elif isinstance(outcome, Exception):
            await self._failed(message, outcome)
        else:
            await message.ack()
            log.info(
                "event consumed" if outcome else "duplicate event skipped",
                duration_ms=round((time.perf_counter() - delivery.started) * 1000, 2),
                batch=batch,
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
