"""Linking tickets to work items: shared by requests, commands, Plane events and auto-linking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from envelope.events import imi as events
from imi.database import flush_unique
from imi.links.models import TicketLink
from imi.service import Service
from imi.work.models import WorkItem


class TicketLinker(Service):
    async def find(self, item: WorkItem, key: str) -> TicketLink | None:
        query = select(TicketLink).where(
            TicketLink.work_item_id == item.id, TicketLink.plane_ticket_id == key
        )
        return await self.session.scalar(query)

    async def ensure(
        self,
        item: WorkItem,
        key: str,
        *,
        title: str | None = None,
        url: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> tuple[TicketLink, bool]:
        """The link of `key` to `item`, created (True) or refreshed with what is given (False).

        Emits `imi.link.ticket_linked` only when the link is new.
        """
        link = await self.find(item, key)
        if link is None:
            link = TicketLink(
                work_item_id=item.id,
                plane_ticket_id=key,
                ticket_title=title,
                ticket_url=url,
                meta=meta or {},
            )
            if await flush_unique(self.session, link):
                await self.emit(
                    "imi.link.ticket_linked",
                    events.TicketLinked(
                        ticket_link_id=link.id,
                        work_item_id=item.id,
                        project_id=item.project_id,
                        plane_ticket_id=key,
                        ticket_title=title,
                        ticket_url=url,
                    ),
                )
                return link, True
            link = await self.find(item, key)
            assert link is not None  # the concurrent insert that refused ours has committed
        link.ticket_title = title or link.ticket_title
        link.ticket_url = url or link.ticket_url
        if meta:
            link.meta = {**link.meta, **meta}
        await self.session.flush()
        return link, False
