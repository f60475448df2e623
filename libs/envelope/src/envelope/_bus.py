"""Everything a service needs from Bloodbank, started and stopped with the service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import aio_pika
import structlog
import yarl
from aio_pika.abc import AbstractRobustConnection
from pydantic import BaseModel

from envelope._consumer import ConsumerRuntime, Handler, Preparer, TransactionFactory
from envelope._create import create_envelope
from envelope._models import EventEnvelope, Source, service_source
from envelope._outbox import INBOX_RETENTION, OUTBOX_RETENTION, Outbox, OutboxRelay
from envelope._publisher import Publisher
from envelope._settings import ServiceSettings
from envelope._sql import Transaction, savepoint
from envelope._supervisor import Supervisor
from envelope._topology import DELIVERY_LIMIT, EXCHANGE

log = structlog.get_logger("envelope.bus")


class ServiceBus:
    """One robust broker connection carrying a service's publisher, outbox relay and consumers.

    `start()` returns at once: the connection and the relay are supervised tasks (`tasks`),
    retried while the broker is down and restarted whatever they fail of, so the service serves
    HTTP (and its outbox fills) during a broker outage. A service adds its own background work
    to `tasks` so that `/health` reports it too.
    """

    def __init__(
        self,
        *,
        service: str,
        amqp_url: str,
        conninfo: str,
        schema: str,
        transaction: TransactionFactory,
        exchange: str = EXCHANGE,
        prefetch: int = 32,
        concurrency: int = 5,
        delivery_limit: int = DELIVERY_LIMIT,
        relay_batch_size: int = 200,
        outbox_retention: timedelta = OUTBOX_RETENTION,
        inbox_retention: timedelta = INBOX_RETENTION,
    ) -> None:
        self.service = service
        self.amqp_url = amqp_url
        self.source: Source = service_source(service)
        self.outbox = Outbox(schema)
        self.publisher = Publisher(exchange)
        self.relay = OutboxRelay(
            conninfo,
            schema,
            self.publisher,
            batch_size=relay_batch_size,
            outbox_retention=outbox_retention,
            inbox_retention=inbox_retention,
        )
        self._begin = transaction
        # The events of each open `transaction`, by id(tx): written at its end, in one go.
        self._pending: dict[int, list[EventEnvelope[Any]]] = {}
        self.consumers = ConsumerRuntime(
            schema=schema,
            transaction=self.transaction,
            prefetch=prefetch,
            concurrency=concurrency,
            delivery_limit=delivery_limit,
        )
        self.tasks = Supervisor(service)
        self._connection: AbstractRobustConnection | None = None

    @classmethod
    def for_service(
        cls, service: str, settings: ServiceSettings, schema: str, transaction: TransactionFactory
    ) -> ServiceBus:
        """The bus as a service's settings describe it (broker account, exchange, prefetch)."""
        return cls(
            service=service,
            amqp_url=settings.amqp_url,
            conninfo=settings.conninfo,
            schema=schema,
            transaction=transaction,
            exchange=settings.bloodbank_exchange,
            prefetch=settings.consumer_prefetch,
            concurrency=settings.consumer_concurrency,
            outbox_retention=timedelta(days=settings.outbox_retention_days),
            inbox_retention=timedelta(days=settings.inbox_retention_days),
        )

    def subscribe(
        self,
        queue: str,
        routing_keys: list[str],
        handler: Handler,
        prepare: Preparer | None = None,
        *,
        typed: bool = True,
    ) -> None:
        self.consumers.subscribe(queue, routing_keys, handler, prepare, typed=typed)

    async def emit(
        self, tx: Transaction, event_type: str, payload: BaseModel | dict[str, Any]
    ) -> EventEnvelope[Any]:
        """Queue one event in the caller's transaction; it is published after it commits.

        The payload is checked against `event_type`'s registered model; the envelope carries
        this service as its source and the correlation ids of the current request or event.
        In a `transaction` of this bus the outbox row is written when its body ends, with
        the others of that transaction (one statement for a consumer's whole batch); events
        emitted inside a savepoint are dropped with it only if it is this bus's `savepoint`.
        In any other transaction the row is written at once.
        """
        envelope = create_envelope(event_type, payload, source=self.source)
        pending = self._pending.get(id(tx))
        if pending is None:
            await self.outbox.add(tx, envelope)
        else:
            pending.append(envelope)
        return envelope

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """The service's unit of work, whose commit wakes this process's relay when the
        transaction queued events (`emit`): they go out at once, with no NOTIFY per commit.
        Events committed elsewhere (another replica, a script) wait for the relay's poll."""
        pending: list[EventEnvelope[Any]] = []
        async with self._begin() as tx:
            self._pending[id(tx)] = pending
            try:
                yield tx
                if pending:
                    await self.outbox.add(tx, *pending)
            finally:
                del self._pending[id(tx)]
        if pending:  # committed
            self.relay.wake()

    @asynccontextmanager
    async def savepoint(self, tx: Transaction) -> AsyncIterator[None]:
        """A savepoint in `tx` that takes its events with it: when its body raises, what it
        wrote is rolled back and what it emitted is never written."""
        pending = self._pending.get(id(tx), [])
        kept = len(pending)
        try:
            async with savepoint(tx):
                yield
        except BaseException:
            del pending[kept:]
            raise

    async def start(self) -> None:
        self.tasks.start("broker", self._connect)
        self.tasks.start("outbox-relay", self.relay.run)

    async def _connect(self) -> None:
        """Connect (waiting out an unreachable broker), attach, then hold the connection: the
        robust connection reconnects by itself. Anything else (a missing queue, a refused
        account) raises, and the supervisor retries with back-off."""
        delay = 0.5
        while True:
            # Kept on self before connecting, so stop() can close a half-made connection too.
            self._connection = connection = aio_pika.RobustConnection(
                yarl.URL(self.amqp_url), client_properties={"connection_name": self.service}
            )
            try:
                await connection.connect()
                break
            except (ConnectionError, OSError, aio_pika.exceptions.AMQPError) as error:
                await connection.close()
                log.warning("broker unreachable; retrying", error=repr(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        try:
            await self.publisher.attach(connection)
            await self.consumers.attach(connection)
        except Exception:  # a cancellation leaves the closing to stop()
            await self._disconnect()
            raise
        log.info("bus connected", queues=[s.queue for s in self.consumers.subscriptions])
        await asyncio.Event().wait()

    @property
    def connected(self) -> bool:
        connection = self._connection
        return (
            connection is not None
            and not connection.is_closed
            and self.publisher.ready
            and self.consumers.ready
        )

    async def stop(self) -> None:
        await self.tasks.stop()
        await self._disconnect()

    async def _disconnect(self) -> None:
        await self.consumers.close()
        await self.publisher.close()
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
