"""Work item queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Select, bindparam, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from imi.projects.models import Project
from imi.projects.repository import remote_key
from imi.work.models import WorkItem
from imi.work.schemas import WorkFilters

# Built once: every git event runs it, and building a statement costs more than running it.
ACTIVE_ON_REMOTE_BRANCH = (
    select(WorkItem)
    .join(Project, Project.id == WorkItem.project_id)
    .where(
        Project.active,
        Project.remote_key == bindparam("remote_key"),
        WorkItem.active,
        WorkItem.branch_name == bindparam("branch_name"),
    )
    .with_for_update(of=WorkItem)
)
LOCKED_BRANCHES = "imi.work.locked_branches"
"""`session.info` key: (remote key, branch) → its active work item (None: none), locked."""
FILTERED = ("project_id", "owner_id", "work_type", "source_type", "source_ref", "branch_name")


MIN_COMMIT_PREFIX = 7
"""The shortest commit prefix that finds work items (as `git` abbreviates a hash)."""


class WorkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, **values: Any) -> WorkItem | None:
        """A new active work item, or None when its branch already has one: the partial unique
        index turns the insert into nothing (`ON CONFLICT DO NOTHING`), so no savepoint and
        no error round trip are needed."""
        statement = (
            insert(WorkItem)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=[WorkItem.project_id, WorkItem.branch_name],
                index_where=text("active"),  # the predicate of uq_work_items_active_branch
            )
            .returning(WorkItem)
        )
        return await self.session.scalar(statement)

    async def active_on_branch(self, project_id: UUID, branch_name: str) -> WorkItem | None:
        query = select(WorkItem).where(
            WorkItem.active, WorkItem.project_id == project_id, WorkItem.branch_name == branch_name
        )
        return await self.session.scalar(query)

    async def active_on_remote_branch(self, remote: str, branch_name: str) -> WorkItem | None:
        """The active work item on `branch_name` of the active project of `remote`, locked;
        from memory when `lock_remote_branches` already looked it up in this session."""
        key = (remote_key(remote), branch_name)
        locked: dict[tuple[str, str], WorkItem | None] = self.session.info.get(LOCKED_BRANCHES, {})
        if key in locked:
            item = locked[key]
            return item if item is not None and item.active else None
        values = {"remote_key": key[0], "branch_name": branch_name}
        return await self.session.scalar(ACTIVE_ON_REMOTE_BRANCH, values)

    async def lock_remote_branches(self, branches: Iterable[tuple[str, str]]) -> None:
        """Look up and lock the active work items on these (remote, branch) pairs in one
        statement, in id order (so that two batches lock alike), for `active_on_remote_branch`
        to answer from."""
        keys = {(remote_key(remote), branch) for remote, branch in branches}
        if not keys:
            return
        query = (
            select(Project.remote_key, WorkItem)
            .join(Project, Project.id == WorkItem.project_id)
            .where(
                Project.active,
                WorkItem.active,
                tuple_(Project.remote_key, WorkItem.branch_name).in_(sorted(keys)),
            )
            .order_by(WorkItem.id)
            .with_for_update(of=WorkItem)
        )
        found = {(key, item.branch_name): item for key, item in await self.session.execute(query)}
        locked = self.session.info.setdefault(LOCKED_BRANCHES, {})
        locked.update({key: found.get(key) for key in keys})

    async def mentioning_ticket(self, key: str) -> list[WorkItem]:
        """Active work items whose branch name or source ref contains the ticket key."""
        pattern = f"(^|[^A-Za-z0-9]){key}($|[^0-9])"
        query = select(WorkItem).where(
            WorkItem.active,
            or_(
                WorkItem.branch_name.regexp_match(pattern, flags="i"),
                WorkItem.source_ref.regexp_match(pattern, flags="i"),
            ),
        )
        return list(await self.session.scalars(query))

    async def at_commit(self, commit_hash: str, remote: str | None = None) -> list[WorkItem]:
        """Work items whose last or merge commit starts with `commit_hash`, oldest first; none
        for a prefix under `MIN_COMMIT_PREFIX`, which names unrelated commits too."""
        if len(commit_hash) < MIN_COMMIT_PREFIX:
            return []
        query = select(WorkItem).where(
            or_(
                WorkItem.last_commit_hash.startswith(commit_hash, autoescape=True),
                WorkItem.merge_commit_hash.startswith(commit_hash, autoescape=True),
            )
        )
        if remote is not None:
            query = query.join(Project, Project.id == WorkItem.project_id).where(
                Project.remote_key == remote_key(remote)
            )
        return list(await self.session.scalars(query.order_by(WorkItem.created_at)))

    def search(self, filters: WorkFilters) -> Select[WorkItem]:
        query = select(WorkItem)
        for name in FILTERED:
            value = getattr(filters, name)
            if value is not None:
                query = query.where(getattr(WorkItem, name) == value)
        if filters.status is not None:
            query = query.where(WorkItem.status == filters.status)
        if filters.active is not None:
            query = query.where(WorkItem.active == filters.active)
        return query.order_by(WorkItem.created_at.desc(), WorkItem.id)
