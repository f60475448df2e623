"""What every domain service shares: the unit of work's session and the bus's outbox."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import BadReference, Conflict, DomainError, NotFound, ServiceBus
from imi.database import Base
from imi.projects.models import Project

M = TypeVar("M", bound=Base)


class Service:
    """Business rules over one unit of work. Flushes when it needs ids; never commits."""

    def __init__(self, session: AsyncSession, bus: ServiceBus) -> None:
        self.session = session
        self.bus = bus

    async def emit(self, event_type: str, payload: BaseModel) -> None:
        """Write the event to the outbox in this unit of work; it is published after commit."""
        await self.bus.emit(self.session, event_type, payload)

    async def load(
        self,
        model: type[M],
        key: UUID,
        field: str,
        *,
        lock: bool = False,
        missing: type[DomainError] = NotFound,
    ) -> M:
        """The row of `model` whose id is `key` (locked FOR UPDATE with `lock`).

        Raises `missing` naming `field`: NotFound for an id in the path, BadReference for
        an id a request body refers to.
        """
        row = await self.session.get(model, key, with_for_update=lock)
        if row is None:
            noun = field.removesuffix("_id").replace("_", " ")
            verdict = "not found" if missing is NotFound else "does not exist"
            raise missing(f"{noun} {verdict}", **{field: str(key)})
        return row

    async def active_project(self, project_id: UUID, field: str = "project_id") -> Project:
        """The project a request body names: 400 when missing, 409 once deactivated (a
        deactivated project takes no new work items or components)."""
        project = await self.load(Project, project_id, field, missing=BadReference)
        if not project.active:
            raise Conflict("project is deactivated", **{field: str(project_id)})
        return project
