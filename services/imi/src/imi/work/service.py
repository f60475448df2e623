"""Starting, syncing and completing work items; auto-linking the tickets they mention."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from envelope import Conflict, InvalidTransition
from envelope.events import imi as events
from envelope.events.plane import ticket_keys
from imi.columns import utcnow
from imi.links.tickets import TicketLinker
from imi.schemas import PageParams, fetch_page
from imi.service import Service
from imi.work.models import WorkItem
from imi.work.repository import WorkRepository
from imi.work.schemas import GitState, GitStateUpdate, WorkComplete, WorkCreate, WorkFilters

# The git fields `imi.work.git_state_updated` carries (beside the ids, the branch and the
# status computed from them).
REPORTED_GIT_FIELDS = tuple(
    name
    for name in events.WorkGitStateUpdated.model_fields
    if name not in {"project_id", "work_item_id", "branch_name", "status"}
)


class WorkService(Service):
    @property
    def repository(self) -> WorkRepository:
        return WorkRepository(self.session)

    async def get(self, work_item_id: UUID, *, lock: bool = False) -> WorkItem:
        return await self.load(WorkItem, work_item_id, "work_item_id", lock=lock)

    async def search(self, filters: WorkFilters, page: PageParams) -> tuple[list[WorkItem], int]:
        return await fetch_page(self.session, self.repository.search(filters), page)

    async def start(self, data: WorkCreate) -> WorkItem:
        """A new active work item; Conflict (naming it) if the branch already has one.

        Ticket keys in the branch name (and a `plane_ticket` source ref) are linked at once;
        the git state sent is the item's first (its status in `imi.work.started`).
        """
        await self.active_project(data.project_id)
        git_state = data.model_dump(include=set(GitState.model_fields), exclude_none=True)
        item = await self.repository.start(
            **git_state,
            project_id=data.project_id,
            branch_name=data.branch_name,
            work_type=data.work_type,
            source_type=data.source_type,
            source_ref=data.source_ref,
            owner_id=data.owner_id,
            worktree_path=data.worktree_path,
            meta=data.metadata,
        )
        if item is None:
            winner = await self.repository.active_on_branch(data.project_id, data.branch_name)
            raise Conflict(
                "the branch already has an active work item",
                work_item_id=str(winner.id) if winner else None,
                project_id=str(data.project_id),
                branch_name=data.branch_name,
            )
        await self.emit(
            "imi.work.started",
            events.WorkStarted(
                project_id=item.project_id,
                work_item_id=item.id,
                branch_name=item.branch_name,
                work_type=item.work_type,
                source_type=item.source_type,
                source_ref=item.source_ref,
                owner_id=item.owner_id,
                status=item.status,
            ),
        )
        ticket_ref = item.source_ref if item.source_type == "plane_ticket" else None
        await self.auto_link(item, item.branch_name, ticket_ref)
        return item

    async def auto_link(self, item: WorkItem, *texts: str | None) -> None:
        """Link every ticket key found in `texts` to `item` (already linked keys are kept)."""
        linker = TicketLinker(self.session, self.bus)
        for key in ticket_keys(*texts):
            await linker.ensure(item, key)

    async def update_git_state(
        self,
        item: WorkItem,
        data: GitStateUpdate,
        *,
        synced_at: datetime | None = None,
        flush: bool = True,
    ) -> WorkItem:
        """Apply the git state and announce it when what the event reports changed (a sync
        that finds the same state only stamps `last_sync_at`); flushed so that the item reads
        as stored, unless `flush` is False (a consumer's batch leaves its items' UPDATEs to
        one flush at commit).
        """
        if item.completed:
            raise InvalidTransition(
                "a completed work item's git state cannot change",
                work_item_id=str(item.id),
                status=item.status,
            )
        before = reported_git_state(item)
        for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
            setattr(item, name, value)
        if data.has_uncommitted_changes is False and "uncommitted_files_count" not in (
            data.model_fields_set
        ):
            item.uncommitted_files_count = 0
        item.last_sync_at = synced_at or utcnow()
        if flush:
            await self.session.flush()
        if reported_git_state(item) != before:
            await self.emit_git_state(item)
        return item

    async def emit_git_state(self, item: WorkItem) -> None:
        await self.emit(
            "imi.work.git_state_updated",
            events.WorkGitStateUpdated(
                project_id=item.project_id,
                work_item_id=item.id,
                branch_name=item.branch_name,
                status=item.status,
                has_uncommitted_changes=item.has_uncommitted_changes,
                uncommitted_files_count=item.uncommitted_files_count,
                ahead_of_trunk=item.ahead_of_trunk,
                behind_trunk=item.behind_trunk,
                last_commit_hash=item.last_commit_hash,
            ),
        )

    async def complete(self, item: WorkItem, data: WorkComplete) -> WorkItem:
        """Completion is final: the item leaves the active set, freeing its branch.

        Completing again with the same completion returns the item unchanged (nothing is
        emitted), also when the request leaves out the merge commit the item has; a different
        completion is an illegal transition.
        """
        if item.completed:
            if item.completion_type == data.completion_type and data.merge_commit_hash in (
                None,
                item.merge_commit_hash,
            ):
                return item
            raise InvalidTransition(
                "the work item is already completed differently",
                work_item_id=str(item.id),
                status=item.status,
                completion_type=item.completion_type,
                merge_commit_hash=item.merge_commit_hash,
            )
        item.completed_at = utcnow()
        item.completion_type = data.completion_type
        item.merge_commit_hash = data.merge_commit_hash
        item.active = False
        await self.session.flush()
        await self.emit(
            "imi.work.completed",
            events.WorkCompleted(
                project_id=item.project_id,
                work_item_id=item.id,
                branch_name=item.branch_name,
                completion_type=data.completion_type,
                merge_commit_hash=item.merge_commit_hash,
                completed_at=item.completed_at,
            ),
        )
        return item


def reported_git_state(item: WorkItem) -> tuple[object, ...]:
    """What `imi.work.git_state_updated` says of the item's git state (its status follows)."""
    return tuple(getattr(item, name) for name in REPORTED_GIT_FIELDS)
