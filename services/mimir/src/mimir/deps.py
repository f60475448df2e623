"""FastAPI dependencies: the request's unit of work (with or without provenance headers).

All are `async def`: FastAPI runs a plain `def` dependency in a worker thread, a hop that
costs more than the dependency itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Header, Request

from mimir.work import ProvenanceHeaders, Work


async def provenance_headers(
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
