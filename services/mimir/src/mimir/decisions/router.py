"""/api/v1/decisions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from envelope import answer_example, error_responses
from mimir.decisions import service
from mimir.decisions.schemas import ChainLink, Decision, DecisionCreate, DecisionUpdate
from mimir.deps import ReadDep, WorkDep
from mimir.filters import FIELDS_QUERY, PROJECT_QUERY, ListParams, Page, list_params

router = APIRouter(prefix="/decisions", tags=["decisions"])
DecisionId = Annotated[UUID, Path(description="The decision's id")]


@router.post(
    "",
    status_code=201,
    response_model=Decision,
    summary="Record decision",
    responses={
        **answer_example(Decision, 201, status="tentative", superseded_by_id=None),
        **error_responses(400, 422, 503),
    },
)
async def record_decision(body: DecisionCreate, work: WorkDep) -> Decision:
    """Record a decision with its rationale, tentative by default.

    Emits `mimir.decision.recorded`.
    """
    return await service.record(work, body)


@router.get(
    "",
    response_model=Page[Decision],
    summary="List or search decisions",
    responses=error_responses(400, 422, 503),
)
async def list_decisions(
    work: ReadDep,
    params: ListParams = Depends(list_params),
    project_id: UUID | None = PROJECT_QUERY,
) -> Page[Decision] | JSONResponse:
    """Decisions, newest first by default.

    Filters: `status`, `statement` / `rationale` (e.g. `statement__icontains=retry`, served by
    a trigram index), `superseded_by_id` (`superseded_by_id__isnull=true` for live ones),
    `metadata__contains`, `id`, `created_at`, `project_id` (related to that imi project or its
    entities).
    """
    return await service.DECISIONS.list(work.conn, params)


@router.get(
    "/{decision_id}",
    response_model=Decision,
    summary="Get decision",
    responses=error_responses(400, 404, 422, 503),
)
async def get_decision(
    decision_id: DecisionId, work: ReadDep, fields: str | None = FIELDS_QUERY
) -> Decision | JSONResponse:
    """One decision."""
    return await service.DECISIONS.get(work.conn, decision_id, fields)


@router.patch(
    "/{decision_id}",
    response_model=Decision,
    summary="Activate or supersede decision",
    responses=error_responses(400, 404, 409, 422, 503),
)
async def update_decision(decision_id: DecisionId, body: DecisionUpdate, work: WorkDep) -> Decision:
    """Move a decision along tentative -> active -> superseded (409 `INVALID_TRANSITION`
    otherwise; the state it is in, with the same successor, answers 200 and emits nothing).

    Superseding names the successor in `superseded_by_id`: it must exist (400) and not be
    superseded itself (409). Emits `mimir.decision.activated` or `mimir.decision.superseded`.
    """
    return await service.update(work, decision_id, body)


@router.get(
    "/{decision_id}/chain",
    response_model=list[ChainLink],
    summary="Get supersession chain",
    responses=error_responses(400, 404, 422, 503),
)
async def decision_chain(decision_id: DecisionId, work: ReadDep) -> list[ChainLink]:
    """The decisions this one superseded (transitively), itself, and those that superseded
    it, oldest first."""
    return await service.chain(work.conn, decision_id)
