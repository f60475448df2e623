"""`/api/v1/stats`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from envelope import error_responses
from imi.deps import SessionDep
from imi.stats.schemas import Stats
from imi.stats.service import StatsService

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get(
    "",
    response_model=Stats,
    summary="Work statistics",
    description="Work item counts by computed status, by type and by project, and the lead "
    "time from a work item's first ticket link to its first deploy in each environment "
    "(median and p90 in seconds, computed in SQL). `project_id` narrows everything to one "
    "project.",
    responses=error_responses(422, 503),
)
async def get_stats(
    session: SessionDep,
    project_id: Annotated[UUID | None, Query(description="Only this project's work items")] = None,
) -> Stats:
    return await StatsService(session).stats(project_id)
