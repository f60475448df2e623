"""What every domain service shares: the unit of work's session and the bus's outbox."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import ServiceBus, create_envelope


class Service:
    """Business rules over one unit of work. Flushes when it needs ids; never commits."""

    def __init__(self, session: AsyncSession, bus: ServiceBus) -> None:
        self.session = session
        self.bus = bus

    async def emit(self, event_type: str, payload: BaseModel) -> None:
        """Write the event to the outbox in this unit of work; it is published after commit."""
        envelope = create_envelope(event_type, payload, source=self.bus.source)
        await self.bus.emit(self.session, envelope)
