"""The unit of work: one transaction, with the bus to emit through and the caller's provenance.

Requests get one from `mimir.deps`, messages from their consumer; services take it and never
commit (its owner does, once the request or message is done).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel

from envelope import ServiceBus
from mimir.provenance.queries import insert_provenance
from mimir.provenance.schemas import ProvenanceCreate
from mimir.settings import MimirSettings
from mimir.sql import Conn


@dataclass(frozen=True)
class ProvenanceHeaders:
    model_id: str | None
    pipeline_version: str | None


@dataclass
class Work:
    """One request's (or message's) transaction, with the bus to emit through and the
    caller's provenance.

    Events and provenance rows are written in the same transaction as the change; the
    request's dependency commits once the endpoint returns (services never commit).
    """

    conn: Conn
    bus: ServiceBus
    settings: MimirSettings
    provenance: ProvenanceHeaders | None = None

    async def emit(self, event_type: str, payload: BaseModel) -> None:
        await self.bus.emit(self.conn, event_type, payload)

    async def created(self, target_type: str, target_id: UUID) -> None:
        """Record provenance for a new entity when the request carried provenance headers."""
        if self.provenance is None:
            return
        record = ProvenanceCreate(
            target_type=target_type,
            target_id=target_id,
            model_id=self.provenance.model_id,
            pipeline_version=self.provenance.pipeline_version,
        )
        await insert_provenance(self.conn, record)
