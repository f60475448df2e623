"""Queue `imi.commands`: `imi.cmd.register_project|start_work|complete_work|link_ticket`.

A command that cannot be applied — it breaks a rule, or the database refuses a value in it —
leaves no effect and is answered with `imi.cmd.failed` (its `correlation_ids` hold the
command's event id); the message itself is acked. Only an unavailable or contended database
is retried.
"""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import Conflict, EventEnvelope, NotFound, Reject, run_command
from envelope.events import imi as events
from imi.consumers.base import Consumer
from imi.links.schemas import TicketLinkCreate
from imi.links.service import LinkService
from imi.projects.repository import ProjectRepository
from imi.projects.schemas import ProjectCreate
from imi.projects.service import ProjectService
from imi.work.schemas import WorkComplete, WorkCreate
from imi.work.service import WorkService

QUEUE = "imi.commands"
ROUTING_KEYS = [
    "imi.cmd.register_project",
    "imi.cmd.start_work",
    "imi.cmd.complete_work",
    "imi.cmd.link_ticket",
]
log = structlog.get_logger("imi.consumers.commands")


class CommandConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[BaseModel], session: AsyncSession) -> None:
        if envelope.event_type not in ROUTING_KEYS:  # sent on an imi.cmd.* key, named otherwise
            raise Reject(f"{envelope.event_type} is not a command imi handles")
        await run_command(
            session,
            envelope,
            lambda command: self.apply(command, session),
            self.bus,
            events.CommandFailed,
        )

    async def apply(self, command: BaseModel, session: AsyncSession) -> None:
        work = WorkService(session, self.bus)
        if isinstance(command, events.RegisterProject):
            try:
                await ProjectService(session, self.bus).register(
                    ProjectCreate.model_validate(command.model_dump())
                )
            except Conflict:
                log.info("project already registered", remote_origin=command.remote_origin)
        elif isinstance(command, events.StartWork):
            project_id = command.project_id or await self._project_of(
                session, command.remote_origin
            )
            fields = command.model_dump(exclude={"project_id", "remote_origin"})
            await work.start(WorkCreate.model_validate({**fields, "project_id": project_id}))
        elif isinstance(command, events.CompleteWork):
            item = await work.get(command.work_item_id, lock=True)
            await work.complete(item, WorkComplete.model_validate(command.model_dump()))
        elif isinstance(command, events.LinkTicket):
            link = TicketLinkCreate.model_validate(command.model_dump())
            await LinkService(session, self.bus).link_ticket(link)
        else:
            raise TypeError(f"imi handles no command {type(command).__name__}")

    @staticmethod
    async def _project_of(session: AsyncSession, remote: str | None) -> Any:
        project = await ProjectRepository(session).active_by_remote(remote or "")
        if project is None:
            raise NotFound("no active project has this remote", remote_origin=remote)
        return project.id
