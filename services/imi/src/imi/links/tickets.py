"""Linking tickets to work items: shared by requests, commands, Plane events and auto-linking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from envelope.events import imi as events
from imi.database import flush_unique
from imi.links.models import TicketLink
from imi.ordering import is_stale
from imi.service import Service
from imi.work.models import WorkItem


class TicketLinker(Service):
    async def find(self, item: WorkItem, key: str) -> TicketLink | None:
        """The link of `key` to `item`, locked."""
        query = select(TicketLink).where(
            TicketLink.work_item_id == item.id, TicketLink.plane_ticket_id == key
        )
        return await self.session.scalar(query.with_for_update())

    async def of_ticket(self, key: str) -> list[TicketLink]:
        """Every link of `key`, locked in id order: events about one ticket apply in turn."""
        query = select(TicketLink).where(TicketLink.plane_ticket_id == key)
        return list(await self.session.scalars(query.order_by(TicketLink.id).with_for_update()))

    async def ensure(
        self,
        item: WorkItem,
        key: str,
        *,
        title: str | None = None,
        url: str | None = None,
        meta: dict[str, Any] | None = None,
        event_at: datetime | None = None,
    ) -> tuple[TicketLink, bool]:
        """The link of `key` to `item`, created (True) or refreshed with what is given (False).

        Emits `imi.link.ticket_linked` only when the link is new. `event_at`: see `refresh`.
        """
        link = await self.find(item, key)
        if link is None:
            link = TicketLink(
                work_item_id=item.id,
                plane_ticket_id=key,
                ticket_title=title,
                ticket_url=url,
                meta=meta or {},
                event_at=event_at,
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
        await self.refresh(link, title=title, url=url, meta=meta, event_at=event_at)
        return link, False

    async def refresh(
        self,
        link: TicketLink,
        *,
        title: str | None = None,
        url: str | None = None,
        meta: dict[str, Any] | None = None,
        event_at: datetime | None = None,
    ) -> None:
        """Give the link what is given. From an event (`event_at`, its timestamp), only when
        no newer event has refreshed the link (`imi.ordering`)."""
        if event_at is not None:
            if is_stale(event_at, link.event_at, ticket_link_id=str(link.id)):
                return
            link.event_at = event_at
        link.ticket_title = title or link.ticket_title
        link.ticket_url = url or link.ticket_url
        if meta:
            link.meta = {**link.meta, **meta}
        await self.session.flush()
