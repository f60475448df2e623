"""`/api/v1/work`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, status

from envelope import error_responses
from imi.deps import provide
from imi.schemas import Page, PageQuery
from imi.work.schemas import GitStateUpdate, WorkComplete, WorkCreate, WorkFilters, WorkItemOut
from imi.work.service import WorkService

router = APIRouter(prefix="/work", tags=["work"])


Work = Annotated[WorkService, Depends(provide(WorkService))]
WorkItemId = Annotated[UUID, Path(description="The work item's id")]


@router.post(
    "",
    response_model=WorkItemOut,
    status_code=status.HTTP_201_CREATED,
    summary="Start work",
    description="Starts a work item on a project's branch. One active work item per "
    "(project, branch): a second start answers 409 with `params.work_item_id`. Accepts the "
    "short forms `branch` and `source: {type, ref}`. Ticket keys in the branch name are "
    "linked. Emits `imi.work.started` (and `imi.link.ticket_linked`).",
    responses=error_responses(400, 409, 422, 503),
)
async def start_work(body: WorkCreate, work: Work) -> WorkItemOut:
    return WorkItemOut.model_validate(await work.start(body))


@router.get(
    "",
    response_model=Page[WorkItemOut],
    summary="List work items",
    description="Filters combine with AND; `status` is the computed status, filtered in SQL. "
    "Newest first.",
    responses=error_responses(422, 503),
)
async def list_work(
    filters: Annotated[WorkFilters, Query()], page: PageQuery, work: Work
) -> Page[WorkItemOut]:
    rows, total = await work.search(filters, page)
    return Page[WorkItemOut].of(rows, total, page)


@router.get(
    "/{work_item_id}",
    response_model=WorkItemOut,
    summary="Get a work item",
    description="The work item with its computed `status`.",
    responses=error_responses(404, 422, 503),
)
async def get_work(work_item_id: WorkItemId, work: Work) -> WorkItemOut:
    return WorkItemOut.model_validate(await work.get(work_item_id))


@router.patch(
    "/{work_item_id}/git-state",
    response_model=WorkItemOut,
    summary="Sync git state",
    description="Replaces the git state fields sent (short forms `ahead`, `behind`, "
    "`uncommitted` accepted) and stamps `last_sync_at`. 409 once the item is completed. "
    "Ticket keys in `last_commit_message` are linked, as a push's are. "
    "Emits `imi.work.git_state_updated` when the state it reports changed.",
    responses=error_responses(404, 409, 422, 503),
)
async def update_git_state(
    work_item_id: WorkItemId, body: GitStateUpdate, work: Work
) -> WorkItemOut:
    item = await work.update_git_state(await work.get(work_item_id, lock=True), body)
    await work.auto_link(item, body.last_commit_message)
    return WorkItemOut.model_validate(item)


@router.post(
    "/{work_item_id}/complete",
    response_model=WorkItemOut,
    summary="Complete work",
    description="Marks the item merged, abandoned or superseded; it leaves the active set, so "
    "its branch can be started again. Completing again with the same completion answers 200 "
    "with the item unchanged; a different completion answers 409. Emits `imi.work.completed`.",
    responses=error_responses(404, 409, 422, 503),
)
async def complete_work(work_item_id: WorkItemId, body: WorkComplete, work: Work) -> WorkItemOut:
    item = await work.get(work_item_id, lock=True)
    return WorkItemOut.model_validate(await work.complete(item, body))
