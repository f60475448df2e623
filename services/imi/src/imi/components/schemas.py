"""Component and component relationship requests and responses."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.events.imi import ComponentKind
from envelope.limits import KEY_LENGTH, NAME_LENGTH
from imi.schemas import Metadata, ORMModel, StoredMetadata

PROJECT_ID = "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60"
KIND = (
    "submodule: a git submodule (possibly a project of its own); local: a package or directory "
    "of the project; external: a service it uses"
)


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

    parent_project_id: UUID = Field(description="The project the component belongs to")
    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, description="Its name, unique within the project"
    )
    path: str | None = Field(
        None, description="Its directory in the project's repository; null for external ones"
    )
    kind: ComponentKind = Field(description=KIND)
    enabled: bool = Field(True, description="false keeps it registered but switched off")
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

    id: UUID = Field(description="Component id")
    parent_project_id: UUID = Field(description="The project the component belongs to")
    name: str = Field(description="Its name, unique within the project")
    path: str | None = Field(description="Its directory in the project's repository, if any")
    kind: ComponentKind = Field(description=KIND)
    enabled: bool = Field(description="false: registered but switched off")
    linked_project_id: UUID | None = Field(description="For a submodule: its own project")
    metadata: StoredMetadata
    created_at: datetime = Field(description="When it was registered")
    updated_at: datetime = Field(description="When it last changed")


class ComponentFilters(BaseModel):
    project_id: UUID | None = Field(None, description="The parent project")
    kind: ComponentKind | None = Field(None, description="Only components of this kind")
    enabled: bool | None = Field(None, description="true: enabled only; false: disabled only")


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

    target_component_id: UUID = Field(description="The component the edge points to")
    relationship_type: str = Field(
        min_length=1,
        max_length=KEY_LENGTH,
        description="What the edge means, in the caller's vocabulary",
        examples=["depends_on"],
    )
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

    id: UUID = Field(description="Relationship id")
    source_component_id: UUID = Field(description="The component the edge starts from")
    target_component_id: UUID = Field(description="The component the edge points to")
    relationship_type: str = Field(description="What the edge means", examples=["depends_on"])
    metadata: StoredMetadata
    created_at: datetime = Field(description="When the edge was created")
