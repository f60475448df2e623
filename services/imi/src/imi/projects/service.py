"""Registering, updating and soft-deleting projects."""

from __future__ import annotations

from uuid import UUID

from envelope import Conflict
from envelope.events import imi as events
from imi.database import flush_unique
from imi.projects.models import Project
from imi.projects.repository import ProjectRepository
from imi.projects.schemas import ProjectCreate, ProjectFilters, ProjectUpdate
from imi.schemas import PageParams, fetch_page
from imi.service import Service

UPDATABLE = ("name", "default_branch", "trunk_path", "description", "meta")


class ProjectService(Service):
    @property
    def repository(self) -> ProjectRepository:
        return ProjectRepository(self.session)

    async def get(self, project_id: UUID) -> Project:
        return await self.load(Project, project_id, "project_id")

    async def search(self, filters: ProjectFilters, page: PageParams) -> tuple[list[Project], int]:
        return await fetch_page(self.session, self.repository.search(filters), page)

    async def register(self, data: ProjectCreate) -> tuple[Project, bool]:
        """The new (or re-activated, then True) project.

        Raises Conflict naming the active project when the remote already has one; of
        concurrent registrations exactly one succeeds, the partial unique index sees to it.
        """
        existing = await self.repository.active_by_remote(data.remote_origin)
        if existing is not None:
            raise self._taken(existing)
        fields = {
            "name": data.name,
            "default_branch": data.default_branch,
            "trunk_path": data.trunk_path,
            "description": data.description,
            "meta": data.metadata,
        }
        project = await self.repository.lock_dormant_by_remote(data.remote_origin)
        reactivated = project is not None
        if project is None:
            project = Project(remote_origin=data.remote_origin, **fields)
        else:
            for name, value in fields.items():
                setattr(project, name, value)
            project.active = True
        if not await flush_unique(self.session, project):
            winner = await self.repository.active_by_remote(data.remote_origin)
            raise self._taken(winner)
        await self.emit(
            "imi.project.registered",
            events.ProjectRegistered(
                project_id=project.id,
                name=project.name,
                remote_origin=project.remote_origin,
                default_branch=project.default_branch,
                reactivated=reactivated,
            ),
        )
        return project, reactivated

    @staticmethod
    def _taken(existing: Project | None) -> Conflict:
        return Conflict(
            "an active project already has this remote",
            project_id=str(existing.id) if existing else None,
            remote_origin=existing.remote_origin if existing else None,
        )

    async def update(self, project_id: UUID, data: ProjectUpdate) -> Project:
        project = await self.get(project_id)
        given = data.model_dump(exclude_unset=True)
        if "metadata" in given:
            given["meta"] = given.pop("metadata") or {}
        changed = [
            name for name in UPDATABLE if name in given and getattr(project, name) != given[name]
        ]
        for name in changed:
            setattr(project, name, given[name])
        if changed:
            await self.session.flush()
            await self.emit(
                "imi.project.updated",
                events.ProjectUpdated(
                    project_id=project.id,
                    name=project.name,
                    remote_origin=project.remote_origin,
                    changed=["metadata" if name == "meta" else name for name in changed],
                ),
            )
        return project

    async def deactivate(self, project_id: UUID) -> Project:
        """Soft delete; deactivating an inactive project changes nothing and emits nothing."""
        project = await self.get(project_id)
        if project.active:
            project.active = False
            await self.session.flush()
            await self.emit(
                "imi.project.deactivated",
                events.ProjectDeactivated(
                    project_id=project.id, name=project.name, remote_origin=project.remote_origin
                ),
            )
        return project
