"""/api/v1/relations: create, query, delete and traverse typed relations."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from envelope import error_responses
from mimir.deps import ReadDep, WorkDep
from mimir.filters import ListParams, Page, list_params
from mimir.relations import service
from mimir.relations.schemas import Relation, RelationCreate, Traversal

router = APIRouter(prefix="/relations", tags=["relations"])


@router.post(
    "",
    status_code=201,
    response_model=Relation,
    summary="Create relation",
    responses={
        200: {"model": Relation, "description": "The same relation exists already"},
        **error_responses(400, 409, 422, 503),
    },
)
async def create_relation(body: RelationCreate, response: Response, work: WorkDep) -> Relation:
    """Relate two entities with a typed edge.

    mimir's own entities must exist (400 `BAD_REFERENCE` otherwise); external ones such as
    `imi.work_item` are taken as given. The same relation asked for again (source, type,
    target and metadata) answers 200 with it and emits nothing; the same ends with other
    metadata are a 409 naming it. Emits `mimir.relation.created`.
    """
    relation, created = await service.create_relation(work, body)
    if not created:
        response.status_code = 200
    return relation


@router.get(
    "",
    response_model=Page[Relation],
    summary="Query relations",
    responses=error_responses(400, 422, 503),
)
async def list_relations(
    work: ReadDep, params: ListParams = Depends(list_params)
) -> Page[Relation] | JSONResponse:
    """Relations by source, target or type, newest first by default.

    Filters: `source_type`, `source_id`, `target_type`, `target_id`, `relation_type`, `id`,
    `created_at`, `metadata__contains`, each with `__op` suffixes where they make sense.
    """
    return await service.RELATIONS.list(work.conn, params)


@router.get(
    "/traverse",
    response_model=Traversal,
    summary="Traverse relations (multi-hop)",
    responses=error_responses(400, 404, 422, 503),
)
async def traverse(
    work: ReadDep,
    start_type: str = Query(description="Type of the start entity", examples=["artifact"]),
    start_id: UUID = Query(description="Id of the start entity"),
    depth: int = Query(2, ge=1, le=6, description="Most hops to walk"),
    direction: Literal["out", "in", "both"] = Query(
        "both", description="Follow relations from source to target (out), back (in), or both"
    ),
    relation_type: str | None = Query(None, description="Only follow this relation type"),
    max_edges: int | None = Query(
        None,
        ge=1,
        description="Stop expanding after this many relations (default and most: "
        "`MIMIR_TRAVERSAL_MAX_EDGES`); more than the most is a 400 `LIMIT_EXCEEDED`",
    ),
) -> Traversal:
    """Every relation within `depth` hops of the start entity, walked breadth-first.

    Each entity is entered once, at its fewest hops, so cycles and diamonds cost nothing
    extra; each relation is reported once. The walk stops expanding once `max_edges`
    relations are reported, and then says `truncated`. An unknown `start_type` is a 400, a
    start among mimir's own entities that does not exist a 404.
    """
    return await service.traverse(
        work, (start_type, start_id), depth, direction, relation_type, max_edges
    )


@router.delete(
    "/{relation_id}",
    status_code=204,
    summary="Remove relation",
    responses=error_responses(400, 404, 422, 503),
)
async def delete_relation(
    relation_id: Annotated[UUID, Path(description="The relation's id")], work: WorkDep
) -> None:
    """Delete the relation. Emits `mimir.relation.deleted` with both of its ends."""
    await service.delete_relation(work, relation_id)
