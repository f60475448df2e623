"""Aggregates computed in SQL: counts, and lead-time percentiles with percentile_cont."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from imi.links.models import DeployLink, TicketLink
from imi.projects.models import Project
from imi.stats.schemas import LeadTime, ProjectCount, Stats
from imi.work.models import WorkItem


class StatsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def stats(self, project_id: UUID | None = None) -> Stats:
        def scoped(query: Any) -> Any:
            return query if project_id is None else query.where(WorkItem.project_id == project_id)

        by_status = await self._counts(scoped, WorkItem.status)
        by_type = await self._counts(scoped, WorkItem.work_type)
        per_project = await self.session.execute(
            scoped(
                select(Project.id, Project.name, func.count(WorkItem.id))
                .join(WorkItem, WorkItem.project_id == Project.id)
                .group_by(Project.id, Project.name)
                .order_by(func.count(WorkItem.id).desc(), Project.name)
            )
        )
        return Stats(
            work_items=sum(by_status.values()),
            by_status=by_status,
            by_type=by_type,
            by_project=[
                ProjectCount(project_id=pid, name=name, work_items=n)
                for pid, name, n in per_project
            ],
            lead_time=await self._lead_times(project_id),
        )

    async def _counts(self, scoped: Any, column: Any) -> dict[str, int]:
        label = column.label("key")
        rows = await self.session.execute(
            scoped(select(label, func.count()).select_from(WorkItem).group_by(label))
        )
        return {str(key): int(count) for key, count in rows}

    async def _lead_times(self, project_id: UUID | None) -> list[LeadTime]:
        linked = (
            select(TicketLink.work_item_id, func.min(TicketLink.created_at).label("linked_at"))
            .group_by(TicketLink.work_item_id)
            .subquery()
        )
        first_deploys = (
            select(
                DeployLink.environment,
                (func.min(DeployLink.deployed_at) - linked.c.linked_at).label("lead"),
            )
            .join(linked, linked.c.work_item_id == DeployLink.work_item_id)
            .where(DeployLink.deployed_at >= linked.c.linked_at)
            .group_by(DeployLink.work_item_id, DeployLink.environment, linked.c.linked_at)
        )
        if project_id is not None:
            first_deploys = first_deploys.join(
                WorkItem, WorkItem.id == DeployLink.work_item_id
            ).where(WorkItem.project_id == project_id)
        per_item = first_deploys.subquery()
        seconds = extract("epoch", per_item.c.lead)
        rows = await self.session.execute(
            select(
                per_item.c.environment,
                func.count(),
                func.percentile_cont(0.5).within_group(seconds),
                func.percentile_cont(0.9).within_group(seconds),
            )
            .group_by(per_item.c.environment)
            .order_by(per_item.c.environment)
        )
        return [
            LeadTime(
                environment=env, work_items=n, median_seconds=float(p50), p90_seconds=float(p90)
            )
            for env, n, p50, p90 in rows
        ]
