"""Publishing envelopes to the Bloodbank exchange with confirms, so a return is an error."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from envelope._models import EventEnvelope
from envelope._topology import EXCHANGE, TopologyMissing

log = structlog.get_logger("envelope.publisher")


class PublishFailed(RuntimeError):
    """The broker did not confirm the event (down, nacked or timed out); it may be retried."""


class UnroutableEvent(PublishFailed):
    """No queue is bound for this event's routing key, so the broker returned it."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"no queue is bound to routing key {event_type!r}")
        self.event_type = event_type


def to_message(envelope: EventEnvelope[Any]) -> aio_pika.Message:
    return aio_pika.Message(
        body=envelope.to_json(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(envelope.event_id),
        timestamp=envelope.timestamp,
        type=envelope.event_type,
    )


class Publisher:
    """Publishes to the topic exchange over a channel with publisher confirms.

    `publish` returns once the broker has confirmed the message, and raises `UnroutableEvent`
    when no queue takes it or `PublishFailed` when the broker cannot be reached in time.
    """

    def __init__(self, exchange: str = EXCHANGE, *, timeout: float = 10.0) -> None:
        self.exchange_name = exchange
        self.timeout = timeout
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def attach(self, connection: AbstractRobustConnection) -> None:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            self._exchange = await channel.get_exchange(self.exchange_name, ensure=True)
        except aio_pika.exceptions.ChannelNotFoundEntity as error:
            raise TopologyMissing(
                f"exchange {self.exchange_name} does not exist; run `python -m envelope.topology`"
            ) from error
        self._channel = channel

    @property
    def ready(self) -> bool:
        return self._channel is not None and not self._channel.is_closed

    async def publish(self, envelope: EventEnvelope[Any]) -> None:
        if self._exchange is None:
            raise PublishFailed("publisher is not connected")
        try:
            await self._exchange.publish(
                to_message(envelope),
                routing_key=envelope.event_type,
                mandatory=True,
                timeout=self.timeout,
            )
        except aiormq.exceptions.PublishError as error:
            raise UnroutableEvent(envelope.event_type) from error
        except (aiormq.exceptions.AMQPError, ConnectionError, TimeoutError, RuntimeError) as error:
            raise PublishFailed(f"{envelope.event_type}: {error!r}") from error

    async def publish_many(
        self, envelopes: Sequence[EventEnvelope[Any]]
    ) -> list[PublishFailed | None]:
        """Publish in order with all confirms in flight at once; one result per envelope."""
        results = await asyncio.gather(
            *(self.publish(e) for e in envelopes), return_exceptions=True
        )
        outcome: list[PublishFailed | None] = []
        for result in results:
            if isinstance(result, PublishFailed | None):
                outcome.append(result)
            else:
                raise result
        return outcome

    async def close(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = self._exchange = None
