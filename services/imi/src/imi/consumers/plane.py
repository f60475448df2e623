"""Queue `imi.plane_events`: `plane.ticket.created|updated` and raw `webhook.plane.#` bodies.

The ticket is linked to every active work item whose branch name or source ref contains its
key; links that already exist for the key get the ticket's title, URL and metadata.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope
from envelope.events.plane import PlaneTicket, PlaneWebhook
from imi.consumers.base import Consumer
from imi.links.models import TicketLink
from imi.links.tickets import TicketLinker
from imi.work.repository import WorkRepository

QUEUE = "imi.plane_events"
ROUTING_KEYS = ["plane.ticket.created", "plane.ticket.updated", "webhook.plane.#"]


class PlaneConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        if envelope.event_type.startswith("webhook."):
            webhook = self.payload(envelope, PlaneWebhook)
            ticket = webhook.as_ticket() if webhook.is_issue else None
        else:
            ticket = self.payload(envelope, PlaneTicket)
        if ticket is None:
            return
        meta = {**(ticket.model_extra or {}), "plane_event": envelope.event_type}
        if ticket.status is not None:
            meta["status"] = ticket.status
        linker = TicketLinker(session, self.bus)
        for item in await WorkRepository(session).mentioning_ticket(ticket.ticket_id):
            await linker.ensure(
                item, ticket.ticket_id, title=ticket.title, url=ticket.url, meta=meta
            )
        existing = await session.scalars(
            select(TicketLink).where(TicketLink.plane_ticket_id == ticket.ticket_id)
        )
        for link in existing:
            link.ticket_title = ticket.title or link.ticket_title
            link.ticket_url = ticket.url or link.ticket_url
            link.meta = {**link.meta, **meta}
