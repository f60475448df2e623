"""Components of projects and the typed relationships between them."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import or_, select

from envelope import BadReference, BadRequest, Conflict
from envelope.events import imi as events
from imi.components.models import Component, ComponentRelationship
from imi.components.schemas import ComponentCreate, ComponentFilters, RelationshipCreate
from imi.database import flush_unique
from imi.projects.models import Project
from imi.schemas import PageParams, fetch_page
from imi.service import Service


class ComponentService(Service):
    async def get(self, component_id: UUID) -> Component:
        return await self.load(Component, component_id, "component_id")

    async def search(
        self, filters: ComponentFilters, page: PageParams
    ) -> tuple[list[Component], int]:
        query = select(Component)
        if filters.project_id is not None:
            query = query.where(Component.parent_project_id == filters.project_id)
        if filters.kind is not None:
            query = query.where(Component.kind == filters.kind)
        if filters.enabled is not None:
            query = query.where(Component.enabled == filters.enabled)
        return await fetch_page(self.session, query.order_by(Component.name, Component.id), page)

    async def register(self, data: ComponentCreate) -> Component:
        await self.active_project(data.parent_project_id, "parent_project_id")
        if data.linked_project_id is not None:
            await self.load(
                Project, data.linked_project_id, "linked_project_id", missing=BadReference
            )
        component = Component(
            parent_project_id=data.parent_project_id,
            name=data.name,
            path=data.path,
            kind=data.kind,
            enabled=data.enabled,
            linked_project_id=data.linked_project_id,
            meta=data.metadata,
        )
        if not await flush_unique(self.session, component):
            existing = await self.session.scalar(
                select(Component.id).where(
                    Component.parent_project_id == data.parent_project_id,
                    Component.name == data.name,
                )
            )
            raise Conflict(
                "the project already has a component of this name",
                parent_project_id=str(data.parent_project_id),
                name=data.name,
                component_id=str(existing) if existing else None,
            )
        await self.emit(
            "imi.component.registered",
            events.ComponentRegistered(
                component_id=component.id,
                parent_project_id=component.parent_project_id,
                name=component.name,
                kind=data.kind,
                path=component.path,
                linked_project_id=component.linked_project_id,
            ),
        )
        return component

    async def relate(
        self, source_id: UUID, data: RelationshipCreate
    ) -> tuple[ComponentRelationship, bool]:
        """The relationship and whether it is new. The same relationship asked for again
        (metadata included) is returned as it is; with other metadata it is a conflict."""
        await self.get(source_id)
        if data.target_component_id == source_id:
            raise BadRequest("a component cannot relate to itself", component_id=str(source_id))
        await self.load(
            Component, data.target_component_id, "target_component_id", missing=BadReference
        )
        relationship = ComponentRelationship(
            source_component_id=source_id,
            target_component_id=data.target_component_id,
            relationship_type=data.relationship_type,
            meta=data.metadata,
        )
        if await flush_unique(self.session, relationship):
            return relationship, True
        existing = await self.session.scalar(
            select(ComponentRelationship).where(
                ComponentRelationship.source_component_id == source_id,
                ComponentRelationship.target_component_id == data.target_component_id,
                ComponentRelationship.relationship_type == data.relationship_type,
            )
        )
        if existing is not None and existing.meta == data.metadata:
            return existing, False
        raise Conflict(
            "the relationship already exists with other metadata",
            relationship_id=str(existing.id) if existing else None,
            relationship_type=data.relationship_type,
        )

    async def relationships(self, component_id: UUID) -> list[ComponentRelationship]:
        """Outgoing and incoming relationships of the component."""
        await self.get(component_id)
        query = (
            select(ComponentRelationship)
            .where(
                or_(
                    ComponentRelationship.source_component_id == component_id,
                    ComponentRelationship.target_component_id == component_id,
                )
            )
            .order_by(ComponentRelationship.created_at)
        )
        return list(await self.session.scalars(query))
