"""Queue `imi.plane_events`: the `plane.ticket.*` family and raw `webhook.plane.#` bodies.

The ticket is linked to every active work item whose branch name or source ref contains its
key; links that already exist for the key get the ticket's title, URL and metadata, unless a
newer event about the ticket already gave them theirs (`imi.ordering`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope
from envelope.events.plane import PlaneTicket, PlaneWebhook
from imi.consumers.base import Consumer
from imi.links.tickets import TicketLinker
from imi.ordering import event_time
from imi.work.repository import WorkRepository

QUEUE = "imi.plane_events"
ROUTING_KEYS = ["plane.ticket.*", "webhook.plane.#"]


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
        at = event_time(envelope)
        linker = TicketLinker(session, self.bus)
        existing = await linker.of_ticket(ticket.ticket_id)
        for link in existing:
            await linker.refresh(link, title=ticket.title, url=ticket.url, meta=meta, event_at=at)
        linked = {link.work_item_id for link in existing}
        for item in await WorkRepository(session).mentioning_ticket(ticket.ticket_id):
            if item.id not in linked:
                await linker.ensure(
                    item,
                    ticket.ticket_id,
                    title=ticket.title,
                    url=ticket.url,
                    meta=meta,
                    event_at=at,
                )
