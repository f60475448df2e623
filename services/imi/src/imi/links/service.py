"""Ticket, pull request and deploy links, and the pull request state machine."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from envelope import BadReference, BadRequest, Conflict, InvalidTransition
from envelope.events import imi as events
from envelope.events.imi import PrState
from imi.database import flush_unique
from imi.links.models import DeployLink, PrLink, TicketLink
from imi.links.schemas import DeployLinkCreate, PrLinkCreate, TicketLinkCreate
from imi.links.tickets import TicketLinker
from imi.projects.models import Project
from imi.projects.repository import remote_key
from imi.service import Service
from imi.work.models import WorkItem
from imi.work.repository import MIN_COMMIT_PREFIX, WorkRepository
from imi.work.schemas import WorkComplete
from imi.work.service import WorkService

PR_TRANSITIONS: dict[PrState, set[PrState]] = {
    "open": {"merged", "closed"},
    "closed": {"open"},
    "merged": set(),
}
PR_EVENTS: dict[PrState, str] = {
    "merged": "imi.pr.merged",
    "closed": "imi.pr.closed",
    "open": "imi.pr.reopened",
}


def same_commit(one: str, other: str) -> bool:
    """Whether two spellings name one commit: either a prefix of the other (hashes are kept
    in lower case: `envelope.limits.CommitHash`, migration 0011)."""
    return one.startswith(other) or other.startswith(one)


class LinkService(Service):
    @property
    def work(self) -> WorkService:
        return WorkService(self.session, self.bus)

    async def referenced_work_item(self, work_item_id: UUID) -> WorkItem:
        return await self.load(WorkItem, work_item_id, "work_item_id", missing=BadReference)

    async def link_ticket(self, data: TicketLinkCreate) -> tuple[TicketLink, bool]:
        """The link and whether this request created it.

        Linking a ticket that is already linked to the work item (by hand or from the branch
        name) returns the existing link: the result the caller asked for holds. A title or URL
        the link lacks is filled in; one that differs from the link's is a conflict.
        """
        item = await self.referenced_work_item(data.work_item_id)
        linker = TicketLinker(self.session, self.bus)
        existing = await linker.find(item, data.plane_ticket_id)
        if existing is not None:
            asked = {"ticket_title": data.ticket_title, "ticket_url": data.ticket_url}
            held = {name: getattr(existing, name) for name in asked}
            differing = [k for k, v in asked.items() if v is not None and held[k] not in (None, v)]
            if differing:
                raise Conflict(
                    "the ticket is already linked to the work item with another "
                    + " and ".join(name.removeprefix("ticket_") for name in differing),
                    ticket_link_id=str(existing.id),
                    **{name: held[name] for name in differing},
                )
            await linker.refresh(existing, title=data.ticket_title, url=data.ticket_url)
            return existing, False
        return await linker.ensure(
            item,
            data.plane_ticket_id,
            title=data.ticket_title,
            url=data.ticket_url,
            meta=data.metadata,
        )

    async def get_pr(self, pr_link_id: UUID, *, lock: bool = False) -> PrLink:
        return await self.load(PrLink, pr_link_id, "pr_link_id", lock=lock)

    async def find_pr(self, item: WorkItem, pr_number: int) -> PrLink | None:
        query = select(PrLink).where(PrLink.work_item_id == item.id, PrLink.pr_number == pr_number)
        return await self.session.scalar(query.with_for_update())

    async def pr_on_remote(self, remote: str, pr_number: int) -> PrLink | None:
        """The newest link of PR `pr_number` on a work item of `remote`'s project, locked."""
        query = (
            select(PrLink)
            .join(WorkItem, WorkItem.id == PrLink.work_item_id)
            .join(Project, Project.id == WorkItem.project_id)
            .where(
                PrLink.pr_number == pr_number,
                Project.remote_key == remote_key(remote),
            )
            .order_by(PrLink.created_at.desc())
            .limit(1)
            .with_for_update(of=PrLink)
        )
        return await self.session.scalar(query)

    async def create_pr(self, data: PrLinkCreate) -> tuple[PrLink, bool]:
        """The link and whether this request created it. The same link asked for again (same
        number, URL, state and title on the work item) is returned unchanged; another link
        with the number on the work item is a conflict."""
        item = await self.referenced_work_item(data.work_item_id)
        link = PrLink(
            work_item_id=item.id,
            pr_number=data.pr_number,
            pr_url=data.pr_url,
            pr_state=data.pr_state,
            pr_title=data.pr_title,
            meta=data.metadata,
        )
        if not await flush_unique(self.session, link):
            existing = await self.find_pr(item, data.pr_number)
            asked = (data.pr_url, data.pr_state, data.pr_title, data.metadata)
            if (
                existing
                and (existing.pr_url, existing.pr_state, existing.pr_title, existing.meta) == asked
            ):
                return existing, False
            raise Conflict(
                "the pull request is already linked to the work item",
                pr_link_id=str(existing.id) if existing else None,
                pr_number=data.pr_number,
            )
        await self.emit_pr("imi.pr.created", link, item)
        await self.work.auto_link(item, link.pr_title)
        if link.pr_state == "merged":
            await self.complete_merged(item, data.merge_commit_hash)
        return link, True

    async def emit_pr(self, event_type: str, link: PrLink, item: WorkItem) -> None:
        await self.emit(
            event_type,
            events.PullRequestChanged(
                pr_link_id=link.id,
                work_item_id=item.id,
                project_id=item.project_id,
                pr_number=link.pr_number,
                pr_state=link.pr_state,
                pr_url=link.pr_url,
                pr_title=link.pr_title,
            ),
        )

    async def set_pr_state(
        self, link: PrLink, state: PrState, *, merge_commit_hash: str | None = None
    ) -> PrLink:
        """Move the PR along its state machine; merging completes the work item as merged.

        The same state again changes nothing; a merge commit other than the one the work item
        was completed with (or named for an item completed otherwise) is refused as that
        completion would be; an illegal move raises InvalidTransition.
        """
        if state == link.pr_state:
            if state == "merged" and merge_commit_hash is not None:  # as a repeated completion
                item = await self.work.get(link.work_item_id, lock=True)
                await self.complete_merged(item, merge_commit_hash)
            return link
        if state not in PR_TRANSITIONS[link.pr_state]:
            raise InvalidTransition(
                f"a pull request cannot go from {link.pr_state} to {state}",
                pr_link_id=str(link.id),
                pr_state=link.pr_state,
                requested=state,
            )
        link.pr_state = state
        await self.session.flush()
        item = await self.work.get(link.work_item_id, lock=True)
        await self.emit_pr(PR_EVENTS[state], link, item)
        if state == "merged":
            await self.complete_merged(item, merge_commit_hash)
        return link

    async def complete_merged(self, item: WorkItem, merge_commit_hash: str | None = None) -> None:
        """A merged pull request completes its work item as merged; a completed item stays as
        it is, unless the merge commit named is not how it was completed (409, as completing
        it so would be: a merge commit is never dropped unsaid)."""
        if not item.completed or merge_commit_hash is not None:
            await self.work.complete(
                item, WorkComplete(completion_type="merged", merge_commit_hash=merge_commit_hash)
            )

    async def record_deploy(self, data: DeployLinkCreate) -> tuple[DeployLink, bool]:
        if data.work_item_id is not None:
            item = await self.referenced_work_item(data.work_item_id)
        else:
            if len(data.commit_hash) < MIN_COMMIT_PREFIX:
                raise BadRequest(
                    f"a commit finds its work item by {MIN_COMMIT_PREFIX} digits or more",
                    commit_hash=data.commit_hash,
                )
            matches = await WorkRepository(self.session).at_commit(data.commit_hash)
            if not matches:
                raise BadReference("no work item has this commit", commit_hash=data.commit_hash)
            item = matches[-1]
        return await self.deploy(
            item,
            environment=data.environment,
            commit_hash=data.commit_hash,
            deploy_id=data.deploy_id,
            deployed_at=data.deployed_at,
            meta=data.metadata,
        )

    async def deploy(
        self,
        item: WorkItem,
        *,
        environment: str,
        commit_hash: str,
        deploy_id: str | None,
        deployed_at: datetime | None,
        meta: dict[str, Any],
    ) -> tuple[DeployLink, bool]:
        """The deploy link and whether it is new. A `deploy_id` names one deploy of one commit
        in an environment of the project: recorded again for the work item (a retried CI
        hook, a redelivered event), the existing link is returned and nothing is emitted; for
        another work item at the same commit (a release holding several), it is linked too;
        with another commit, for any work item of the project, it is a conflict."""
        if deploy_id is not None:
            recorded = await self.deploys_of(item.project_id, environment, deploy_id)
            for existing in recorded:
                if not same_commit(existing.commit_hash, commit_hash):
                    raise Conflict(
                        "this deploy is already recorded with another commit",
                        deploy_link_id=str(existing.id),
                        work_item_id=str(existing.work_item_id),
                        commit_hash=existing.commit_hash,
                    )
            for existing in recorded:
                if existing.work_item_id == item.id:
                    return existing, False
        link = DeployLink(
            work_item_id=item.id,
            environment=environment,
            commit_hash=commit_hash,
            deploy_id=deploy_id,
            meta=meta,
        )
        if deployed_at is not None:
            link.deployed_at = deployed_at
        self.session.add(link)
        await self.session.flush()
        await self.emit(
            "imi.deploy.completed",
            events.DeployCompleted(
                deploy_link_id=link.id,
                work_item_id=item.id,
                project_id=item.project_id,
                deploy_id=deploy_id,
                environment=environment,
                commit_hash=commit_hash,
                deployed_at=link.deployed_at,
            ),
        )
        return link, True

    async def deploys_of(
        self, project_id: UUID, environment: str, deploy_id: str
    ) -> list[DeployLink]:
        """The project's links of `deploy_id` in `environment`. A transaction lock on that
        key first, so that concurrent recordings of one deploy make one link each."""
        key = f"imi.deploy:{project_id}:{environment}:{deploy_id}"
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
        )
        query = (
            select(DeployLink)
            .join(WorkItem, WorkItem.id == DeployLink.work_item_id)
            .where(
                WorkItem.project_id == project_id,
                DeployLink.environment == environment,
                DeployLink.deploy_id == deploy_id,
            )
        )
        return list(await self.session.scalars(query))
