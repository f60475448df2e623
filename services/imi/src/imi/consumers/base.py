"""What every consumer shares: the bus (to emit) and typed payloads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, Reject, ServiceBus

P = TypeVar("P", bound=BaseModel)


class Consumer:
    """A handler for one queue; the runtime gives it the unit of work of its batch.

    Subclasses implement `handle`, and `prepare` when a batch's messages can share a query;
    they never commit (the runtime does, then acks).
    """

    def __init__(self, bus: ServiceBus) -> None:
        self.bus = bus

    async def __call__(self, envelope: EventEnvelope[BaseModel], session: AsyncSession) -> None:
        """Apply the message; one whose values imi cannot accept is dead-lettered at once."""
        try:
            await self.handle(envelope, session)
        except ValidationError as error:
            raise Reject(
                f"{envelope.event_type}: {error.error_count()} invalid value(s)"
            ) from error

    async def prepare(
        self, envelopes: Sequence[EventEnvelope[BaseModel]], session: AsyncSession
    ) -> None:
        """Before the batch's `handle` calls: load what they need in one go (optional)."""

    async def handle(self, envelope: EventEnvelope[BaseModel], session: AsyncSession) -> None:
        raise NotImplementedError

    @staticmethod
    def payload(envelope: EventEnvelope[BaseModel], model: type[P]) -> P:
        """The envelope's payload, which the runtime decoded into its registered model."""
        if not isinstance(envelope.payload, model):
            raise TypeError(f"{envelope.event_type} carries {type(envelope.payload).__name__}")
        return envelope.payload
