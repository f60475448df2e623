"""Everything a service needs from Bloodbank, started and stopped with the service."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aio_pika
import structlog
import yarl
from aio_pika.abc import AbstractRobustConnection

from envelope._consumer import ConsumerRuntime, Handler, TransactionFactory
from envelope._models import EventEnvelope, Source, service_source
from envelope._outbox import Outbox, OutboxRelay
from envelope._publisher import EXCHANGE, Publisher
from envelope._settings import ServiceSettings

log = structlog.get_logger("envelope.bus")


class ServiceBus:
    """One robust broker connection carrying a service's publisher, outbox relay and consumers.

    `start()` returns at once: the connection is made in the background and retried while the
    broker is down, so the service serves HTTP (and its outbox fills) during a broker outage.
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
        delivery_limit: int = 3,
        relay_batch_size: int = 200,
    ) -> None:
        self.service = service
        self.amqp_url = amqp_url
        self.source: Source = service_source(service)
        self.outbox = Outbox(schema)
        self.publisher = Publisher(exchange)
        self.relay = OutboxRelay(conninfo, schema, self.publisher, batch_size=relay_batch_size)
        self.consumers = ConsumerRuntime(
            schema=schema,
            transaction=transaction,
            exchange=exchange,
            prefetch=prefetch,
            delivery_limit=delivery_limit,
        )
        self._connection: AbstractRobustConnection | None = None
        self._tasks: set[asyncio.Task[None]] = set()

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
        )

    def subscribe(self, queue: str, routing_keys: list[str], handler: Handler) -> None:
        self.consumers.subscribe(queue, routing_keys, handler)

    async def emit(self, tx: Any, *envelopes: EventEnvelope[Any]) -> None:
        """Queue events in the caller's transaction; they are published after it commits."""
        await self.outbox.add(tx, *envelopes)

    async def start(self) -> None:
        self._spawn(self._connect(), "bus-connect")
        self._spawn(self.relay.run(), "outbox-relay")

    def _spawn(self, coroutine: Any, name: str) -> None:
        task = asyncio.create_task(coroutine, name=f"{self.service}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect(self) -> None:
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
        await self.publisher.attach(connection)
        await self.consumers.attach(connection)
        log.info("bus connected", queues=[s.queue for s in self.consumers.subscriptions])

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
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await task
                except Exception as error:  # a task that died must not stop the shutdown
                    log.error("bus task failed", task=task.get_name(), error=repr(error))
        await self.consumers.close()
        await self.publisher.close()
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
