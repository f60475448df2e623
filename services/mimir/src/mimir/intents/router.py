"""/api/v1/intents and /api/v1/intents/groups."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from envelope import answer_example, error_responses
from mimir.deps import ReadDep, WorkDep
from mimir.filters import FIELDS_QUERY, PROJECT_QUERY, ListParams, Page, list_params
from mimir.intents import service
from mimir.intents.schemas import (
    Group,
    GroupCreate,
    GroupMerge,
    GroupUpdate,
    Intent,
    IntentCreate,
    IntentUpdate,
)

router = APIRouter(prefix="/intents", tags=["intents"])
IntentId = Annotated[UUID, Path(description="The intent's id")]
GroupId = Annotated[UUID, Path(description="The intent group's id")]
MERGED_INTO = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"


@router.post(
    "/groups",
    status_code=201,
    response_model=Group,
    summary="Create intent group",
    responses=error_responses(400, 409, 422, 503),
)
async def create_group(body: GroupCreate, work: WorkDep) -> Group:
    """Create an active group with a unique name (409 if the name is taken)."""
    return await service.create_group(work, body)


@router.get(
    "/groups",
    response_model=Page[Group],
    summary="List intent groups",
    responses=error_responses(400, 422, 503),
)
async def list_groups(
    work: ReadDep, params: ListParams = Depends(list_params)
) -> Page[Group] | JSONResponse:
    """Intent groups with their intent counts. Filters: `name`, `status`, `merged_into_id`,
    `id`, `created_at` (with `__op` suffixes, e.g. `name__icontains=pay`)."""
    return await service.GROUPS.list(work.conn, params)


@router.get(
    "/groups/{group_id}",
    response_model=Group,
    summary="Get intent group",
    responses=error_responses(400, 404, 422, 503),
)
async def get_group(
    group_id: GroupId, work: ReadDep, fields: str | None = FIELDS_QUERY
) -> Group | JSONResponse:
    """One group with the number of intents in it."""
    return await service.GROUPS.get(work.conn, group_id, fields)


@router.patch(
    "/groups/{group_id}",
    response_model=Group,
    summary="Deprecate intent group",
    responses={
        **answer_example(Group, status="deprecated"),
        **error_responses(400, 404, 409, 422, 503),
    },
)
async def update_group(group_id: GroupId, body: GroupUpdate, work: WorkDep) -> Group:
    """Deprecate an active group (409 if it is merged, or asked to become anything else; a
    merge is `POST .../merge`)."""
    return await service.update_group(work, group_id, body.status)


@router.post(
    "/groups/{group_id}/merge",
    response_model=Group,
    summary="Merge intent groups",
    responses={
        **answer_example(Group, status="merged", merged_into_id=MERGED_INTO, intent_count=0),
        **error_responses(400, 404, 409, 422, 503),
    },
)
async def merge_group(group_id: GroupId, body: GroupMerge, work: WorkDep) -> Group:
    """Merge an active group into another active group.

    The group becomes `merged` with `merged_into_id` set, and its intents move to the
    target group. 409 if either group is not active (a merge repeated into the same target
    answers 200); 400 if the target does not exist.
    """
    return await service.merge_group(work, group_id, body.into_id)


@router.post(
    "",
    status_code=201,
    response_model=Intent,
    summary="Create intent",
    responses={
        **answer_example(Intent, 201, status="proposed", intent_group_id=None),
        **error_responses(400, 409, 422, 503),
    },
)
async def create_intent(body: IntentCreate, work: WorkDep) -> Intent:
    """Propose an intent (status `proposed`). Emits `mimir.intent.proposed`.

    An unknown `intent_group_id` is a 400 `BAD_REFERENCE`.
    """
    return await service.create_intent(work, body)


@router.get(
    "",
    response_model=Page[Intent],
    summary="List or search intents",
    responses=error_responses(400, 422, 503),
)
async def list_intents(
    work: ReadDep,
    params: ListParams = Depends(list_params),
    project_id: UUID | None = PROJECT_QUERY,
) -> Page[Intent] | JSONResponse:
    """Intents, newest first by default.

    Filters: `status`, `proposed_by`, `intent_group_id`, `statement` (`statement__icontains`
    is served by a trigram index), `metadata__contains`, `id`, `created_at`, `project_id`
    (related to that imi project or its entities).
    """
    return await service.INTENTS.list(work.conn, params)


@router.get(
    "/{intent_id}",
    response_model=Intent,
    summary="Get intent",
    responses=error_responses(400, 404, 422, 503),
)
async def get_intent(
    intent_id: IntentId, work: ReadDep, fields: str | None = FIELDS_QUERY
) -> Intent | JSONResponse:
    """One intent."""
    return await service.INTENTS.get(work.conn, intent_id, fields)


@router.patch(
    "/{intent_id}",
    response_model=Intent,
    summary="Accept or reject intent",
    responses=error_responses(400, 404, 409, 422, 503),
)
async def update_intent(intent_id: IntentId, body: IntentUpdate, work: WorkDep) -> Intent:
    """Accept or reject a proposed intent; any other transition is a 409
    `INVALID_TRANSITION`. Emits `mimir.intent.accepted` or `mimir.intent.rejected`."""
    return await service.set_intent_status(work, intent_id, body.status)
