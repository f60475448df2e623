"""Finding the chain from any of its ends."""

from __future__ import annotations

import re
import uuid
from uuid import UUID

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from envelope import BadRequest, LimitExceeded, NotFound
from envelope.events.plane import TICKET_KEY
from imi.links.models import DeployLink, PrLink, TicketLink
from imi.mimir.repository import MimirRepository
from imi.mimir.schemas import MimirEntityOut
from imi.schemas import INT32_MAX
from imi.trace.schemas import TraceKind
from imi.work.models import WorkItem
from imi.work.repository import WorkRepository

COMMIT = re.compile(r"[0-9a-f]{7,64}", re.IGNORECASE)


PR_NUMBER = re.compile(r"[0-9]{1,10}")


class TraceService:
    def __init__(self, session: AsyncSession, max_rows: int = 2000) -> None:
        self.session = session
        self.max_rows = max_rows

    async def detect(self, ref: str) -> TraceKind:
        """ticket key → ticket; uuid → work item, else deploy; digits → PR; hex → commit."""
        if TICKET_KEY.fullmatch(ref):
            return "ticket"
        if _pr_number(ref) is not None:
            return "pr"
        as_uuid = self._maybe_uuid(ref)
        if as_uuid is None:
            if COMMIT.fullmatch(ref):
                return "commit"
            raise BadRequest("not a ticket key, id, PR number or commit hash", ref=ref)
        return "work" if await self.session.get(WorkItem, as_uuid) is not None else "deploy"

    async def seeds(self, kind: TraceKind, ref: str, project_id: UUID | None) -> list[UUID]:
        """The work items the reference names directly."""
        if kind == "ticket":
            return await self._ids(
                select(TicketLink.work_item_id).where(TicketLink.plane_ticket_id == ref)
            )
        if kind == "work":
            return [self._uuid(ref)] if await self.session.get(WorkItem, self._uuid(ref)) else []
        if kind == "pr":
            number = _pr_number(ref)
            if number is None:
                raise BadRequest("a PR number is a positive integer", ref=ref)
            query = select(PrLink.work_item_id).where(PrLink.pr_number == number)
            if project_id is not None:
                query = query.join(WorkItem, WorkItem.id == PrLink.work_item_id).where(
                    WorkItem.project_id == project_id
                )
            return await self._ids(query)
        if kind == "commit":
            deployed = await self._ids(
                select(DeployLink.work_item_id).where(
                    DeployLink.commit_hash.startswith(ref, autoescape=True)
                )
            )
            items = await WorkRepository(self.session).at_commit(ref)
            return [*deployed, *(item.id for item in items)]
        deploy = DeployLink.deploy_id == ref
        if (as_uuid := self._maybe_uuid(ref)) is not None:
            deploy = or_(DeployLink.id == as_uuid, deploy)
        return await self._ids(select(DeployLink.work_item_id).where(deploy))

    async def trace(
        self, kind: TraceKind, ref: str, project_id: UUID | None = None
    ) -> list[WorkItem]:
        seeds = await self.seeds(kind, ref, project_id)
        if not seeds:
            raise NotFound("nothing is linked to this reference", kind=kind, ref=ref)
        keys = select(TicketLink.plane_ticket_id).where(TicketLink.work_item_id.in_(seeds))
        related = await self._ids(
            select(TicketLink.work_item_id)
            .where(TicketLink.plane_ticket_id.in_(keys))
            .limit(self.max_rows + 1)
        )
        await self._check_size({*seeds, *related}, kind, ref)
        # Ids first, then one `= ANY` lookup: an OR of two IN lists makes PostgreSQL scan
        # every work item instead of using the primary key.
        query = (
            select(WorkItem)
            .where(WorkItem.id.in_({*seeds, *related}))
            .options(
                selectinload(WorkItem.ticket_links),
                selectinload(WorkItem.pr_links),
                selectinload(WorkItem.deploy_links),
            )
            .order_by(WorkItem.created_at, WorkItem.id)
        )
        return list(await self.session.scalars(query))

    async def _check_size(self, ids: set[UUID], kind: TraceKind, ref: str) -> None:
        """Refuse a chain of more than `max_rows` work items and links before loading it."""
        links = 0
        if len(ids) <= self.max_rows:
            counts = [
                select(func.count()).where(model.work_item_id.in_(ids))
                for model in (TicketLink, PrLink, DeployLink)
            ]
            links = sum([int(await self.session.scalar(count) or 0) for count in counts])
        if len(ids) + links > self.max_rows:
            raise LimitExceeded(
                f"the trace holds more than {self.max_rows} work items and links; "
                "trace a narrower reference (a work item, or a PR with project_id)",
                kind=kind,
                ref=ref,
                work_items=len(ids),
                links=links,
                limit=self.max_rows,
            )

    async def mimir(self, items: list[WorkItem]) -> list[MimirEntityOut]:
        """The mimir entities related to the chain's projects, work items and links."""
        refs = {
            "project": {item.project_id for item in items},
            "work_item": {item.id for item in items},
            "ticket": {link.id for item in items for link in item.ticket_links},
            "pr": {link.id for item in items for link in item.pr_links},
            "deploy": {link.id for item in items for link in item.deploy_links},
        }
        return await MimirRepository(self.session).related(refs)

    async def _ids(self, query: Select[UUID]) -> list[UUID]:
        return list(dict.fromkeys(await self.session.scalars(query)))

    @staticmethod
    def _maybe_uuid(ref: str) -> UUID | None:
        """Only the dashed form: 32 bare hex digits are a commit hash, not an id."""
        if ref.count("-") != 4:
            return None
        try:
            return uuid.UUID(ref)
        except ValueError:
            return None

    def _uuid(self, ref: str) -> UUID:
        value = self._maybe_uuid(ref)
        if value is None:
            raise BadRequest("not an id", ref=ref)
        return value


def _pr_number(ref: str) -> int | None:
    """ASCII digits within the column's range (`str.isdigit` also accepts '¹' and '٣')."""
    if not PR_NUMBER.fullmatch(ref):
        return None
    number = int(ref)
    return number if 0 < number <= INT32_MAX else None
