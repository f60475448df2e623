"""Component and component relationship requests and responses."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.events.imi import ComponentKind
from envelope.limits import KEY_LENGTH, NAME_LENGTH
from imi.schemas import Metadata, ORMModel

PROJECT_ID = "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60"


class ComponentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parent_project_id": PROJECT_ID,
                    "name": "envelope",
                    "path": "libs/envelope",
                    "kind": "local",
                }
            ]
        }
    )

    parent_project_id: UUID
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    path: str | None = None
    kind: ComponentKind
    enabled: bool = True
    linked_project_id: UUID | None = Field(None, description="For a submodule: its own project")
    metadata: Metadata


class ComponentOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "8b9c0d1e-2f3a-4b4c-d5e6-f7a8b9c0d1e2",
                    "parent_project_id": PROJECT_ID,
                    "name": "envelope",
                    "path": "libs/envelope",
                    "kind": "local",
                    "enabled": True,
                    "linked_project_id": None,
                    "metadata": {},
                    "created_at": "2026-02-11T10:00:00Z",
                    "updated_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID
    parent_project_id: UUID
    name: str
    path: str | None
    kind: ComponentKind
    enabled: bool
    linked_project_id: UUID | None
    metadata: Metadata
    created_at: datetime
    updated_at: datetime


class ComponentFilters(BaseModel):
    project_id: UUID | None = Field(None, description="The parent project")
    kind: ComponentKind | None = None
    enabled: bool | None = None


class RelationshipCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_component_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "relationship_type": "depends_on",
                }
            ]
        }
    )

    target_component_id: UUID
    relationship_type: str = Field(min_length=1, max_length=KEY_LENGTH, examples=["depends_on"])
    metadata: Metadata


class RelationshipOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9c0d1e2f-3a4b-4c5d-e6f7-a8b9c0d1e2f3",
                    "source_component_id": "8b9c0d1e-2f3a-4b4c-d5e6-f7a8b9c0d1e2",
                    "target_component_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "relationship_type": "depends_on",
                    "metadata": {},
                    "created_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID
    source_component_id: UUID
    target_component_id: UUID
    relationship_type: str
    metadata: Metadata
    created_at: datetime
