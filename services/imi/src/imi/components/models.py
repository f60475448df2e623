"""Components of a project (submodules, local packages, external services) and their relations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, get_args

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from envelope.events.imi import ComponentKind
from imi.columns import (
    OptStr,
    Str,
    UUIDPk,
    created_at_column,
    flag_column,
    metadata_column,
    one_of,
    reference,
    updated_at_column,
)
from imi.database import Base


class Component(Base):
    __tablename__ = "components"

    id: Mapped[UUIDPk]
    parent_project_id: Mapped[uuid.UUID] = reference("projects")
    name: Mapped[Str]
    path: Mapped[OptStr]
    kind: Mapped[ComponentKind] = mapped_column(Text)
    enabled: Mapped[bool] = flag_column(True)
    linked_project_id: Mapped[uuid.UUID | None] = reference("projects", nullable=True)
    meta: Mapped[dict[str, Any]] = metadata_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        CheckConstraint(one_of("kind", get_args(ComponentKind)), name="kind"),
        UniqueConstraint("parent_project_id", "name"),
        Index("ix_components_parent", "parent_project_id"),
        Index("ix_components_kind", "kind"),
    )


class ComponentRelationship(Base):
    __tablename__ = "component_relationships"

    id: Mapped[UUIDPk]
    source_component_id: Mapped[uuid.UUID] = reference("components")
    target_component_id: Mapped[uuid.UUID] = reference("components")
    relationship_type: Mapped[Str]
    meta: Mapped[dict[str, Any]] = metadata_column()
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("source_component_id <> target_component_id", name="not_self"),
        UniqueConstraint(
            "source_component_id",
            "target_component_id",
            "relationship_type",
            name="uq_component_relationships_edge",
        ),
        Index("ix_component_relationships_target", "target_component_id"),
    )
