"""/api/v1/provenance: record and read how entities were generated."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from envelope import error_responses
from mimir.deps import ReadDep, WorkDep
from mimir.entities import TYPE_DESCRIPTION
from mimir.provenance import service
from mimir.provenance.schemas import Provenance, ProvenanceCreate

router = APIRouter(prefix="/provenance", tags=["provenance"])


@router.post(
    "",
    status_code=201,
    response_model=Provenance,
    summary="Record provenance",
    responses=error_responses(400, 422, 503),
)
async def record_provenance(body: ProvenanceCreate, work: WorkDep) -> Provenance:
    """Record which model, prompt and pipeline generated an entity, and from which spans.

    The target (for mimir's own entity types) and every evidence span must exist: 400
    `BAD_REFERENCE` otherwise. Any mutating request can also record provenance through the
    `X-Provenance-Model` / `X-Provenance-Pipeline` headers; here they fill `model_id` and
    `pipeline_version` when the body leaves them out.
    """
    if work.provenance is not None:
        headers = {
            "model_id": work.provenance.model_id,
            "pipeline_version": work.provenance.pipeline_version,
        }
        missing = {k: v for k, v in headers.items() if v and k not in body.model_fields_set}
        body = body.model_copy(update=missing)
    return await service.record(work.conn, body)


@router.get(
    "/{target_type}/{target_id}",
    response_model=list[Provenance],
    summary="Get provenance",
    responses=error_responses(400, 422, 503),
)
async def get_provenance(
    target_type: Annotated[str, Path(description=f"The entity's type. {TYPE_DESCRIPTION}")],
    target_id: Annotated[UUID, Path(description="The entity's id")],
    work: ReadDep,
) -> list[Provenance]:
    """Every provenance row recorded for the entity, oldest first (empty if none); 400 for an
    entity type mimir does not know."""
    return await service.for_target(work.conn, target_type, target_id)
