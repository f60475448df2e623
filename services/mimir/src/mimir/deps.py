"""Request dependencies: the unit of work, provenance headers, and what services are given."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request
from pydantic import BaseModel

from envelope import InvalidTransition, ServiceBus
from mimir.provenance.schemas import ProvenanceCreate
from mimir.settings import MimirSettings
from mimir.sql import Conn, body_params, insert


@dataclass(frozen=True)
class ProvenanceHeaders:
    model_id: str | None
    pipeline_version: str | None


def provenance_headers(
    x_provenance_model: str | None = Header(
        None, description="Model that produced this write; recorded as provenance"
    ),
    x_provenance_pipeline: str | None = Header(
        None, description="Pipeline version that produced this write; recorded as provenance"
    ),
) -> ProvenanceHeaders | None:
    if not (x_provenance_model or x_provenance_pipeline):
        return None
    return ProvenanceHeaders(x_provenance_model, x_provenance_pipeline)


@dataclass
class Work:
    """One request's transaction, with the bus to emit through and the caller's provenance.

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
        await insert(self.conn, "insert_provenance", body_params(record))


@asynccontextmanager
async def _unit_of_work(
    request: Request, provenance: ProvenanceHeaders | None
) -> AsyncIterator[Work]:
    state = request.app.state
    async with state.uow() as conn:
        yield Work(conn, state.bus, state.settings, provenance)


async def get_work(
    request: Request,
    provenance: ProvenanceHeaders | None = Depends(provenance_headers),
) -> AsyncIterator[Work]:
    """For writes: the unit of work, with the request's provenance headers."""
    async with _unit_of_work(request, provenance) as work:
        yield work


async def get_reader(request: Request) -> AsyncIterator[Work]:
    """For reads (and searches): the same unit of work, without provenance headers."""
    async with _unit_of_work(request, None) as work:
        yield work


# scope="function": the transaction ends (commits) before the response is sent.
WorkDep = Annotated[Work, Depends(get_work, scope="function")]
ReadDep = Annotated[Work, Depends(get_reader, scope="function")]


def check_transition(
    entity: str, allowed: Mapping[str, frozenset[str]], current: str, new: str, entity_id: UUID
) -> None:
    """Raise InvalidTransition (409) unless `current -> new` is in `allowed`."""
    if new not in allowed.get(current, frozenset()):
        raise InvalidTransition(
            f"{entity} cannot go from {current} to {new}",
            id=str(entity_id),
            status=current,
            requested=new,
            allowed=sorted(allowed.get(current, frozenset())),
        )
