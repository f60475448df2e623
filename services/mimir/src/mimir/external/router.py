"""/api/v1/external-entities: what mimir has learnt of imi's entities from its events."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from envelope import error_responses
from mimir.deps import ReadDep
from mimir.external import service
from mimir.external.schemas import ExternalEntity, ExternalType
from mimir.filters import ListParams, Page, list_params

router = APIRouter(prefix="/external-entities", tags=["external"])


@router.get(
    "",
    response_model=Page[ExternalEntity],
    summary="List projected imi entities",
    responses=error_responses(400, 422, 503),
)
async def list_external(
    work: ReadDep, params: ListParams = Depends(list_params)
) -> Page[ExternalEntity] | JSONResponse:
    """imi's projects, work items, PRs, deploys, tickets and components as mimir knows them,
    most recently updated first (`order=created_at` sorts by `updated_at` too).

    Filters: `entity_type`, `id`, `project_id`, `state`, `display_name`, `updated_at`,
    `metadata__contains`.
    """
    return await service.EXTERNAL.list(work.conn, params)


@router.get(
    "/{entity_type}/{entity_id}",
    response_model=ExternalEntity,
    summary="Get projected imi entity",
    responses=error_responses(404, 422, 503),
)
async def get_external(
    entity_type: Annotated[ExternalType, Path(description="Which kind of imi entity")],
    entity_id: Annotated[UUID, Path(description="The entity's id in imi")],
    work: ReadDep,
) -> ExternalEntity:
    """One imi entity; 404 until imi's event about it has reached mimir."""
    return await service.get_external(work.conn, entity_type, entity_id)
