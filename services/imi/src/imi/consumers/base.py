"""What every consumer shares: the bus (to emit) and typed payloads."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, ServiceBus, registry

P = TypeVar("P", bound=BaseModel)


class Consumer:
    """A handler for one queue; the runtime gives it one unit of work per message.

    Subclasses implement `handle`; they never commit (the runtime does, then acks).
    """

    def __init__(self, bus: ServiceBus) -> None:
        self.bus = bus

    async def __call__(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        await self.handle(envelope, session)

    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        raise NotImplementedError

    @staticmethod
    def payload(envelope: EventEnvelope[Any], model: type[P]) -> P:
        """The envelope's payload as its registered model (the runtime already validated it)."""
        parsed = registry.validate(envelope.event_type, envelope.payload)
        if not isinstance(parsed, model):
            raise TypeError(f"{envelope.event_type} carries {type(parsed).__name__}")
        return parsed
