"""What every consumer shares: the bus (to emit) and typed payloads."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, Reject, ServiceBus, registry

P = TypeVar("P", bound=BaseModel)


class Consumer:
    """A handler for one queue; the runtime gives it one unit of work per message.

    Subclasses implement `handle`; they never commit (the runtime does, then acks).
    """

    def __init__(self, bus: ServiceBus) -> None:
        self.bus = bus

    async def __call__(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        """Apply the message; one whose values imi cannot accept is dead-lettered at once."""
        try:
            await self.handle(envelope, session)
        except ValidationError as error:
            raise Reject(
                f"{envelope.event_type}: {error.error_count()} invalid value(s)"
            ) from error

    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        raise NotImplementedError

    @staticmethod
    def payload(envelope: EventEnvelope[Any], model: type[P]) -> P:
        """The envelope's payload as its registered model (the runtime already validated it)."""
        parsed = registry.validate(envelope.event_type, envelope.payload)
        if not isinstance(parsed, model):
            raise TypeError(f"{envelope.event_type} carries {type(parsed).__name__}")
        return parsed
