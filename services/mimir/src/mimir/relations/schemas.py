"""Request and response bodies of /api/v1/relations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import KEY_LENGTH
from mimir.entities import TYPE_DESCRIPTION

EntityType = Field(min_length=1, max_length=KEY_LENGTH, description=TYPE_DESCRIPTION)


class RelationCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source_type": "decision",
                    "source_id": "0b7e7a52-5d1c-4c55-9a43-1f1b0c7c2a11",
                    "relation_type": "derived_from",
                    "target_type": "artifact",
                    "target_id": "7f0f3b7e-8c1a-4a63-bb1a-25a0f2d4e9c3",
                    "metadata": {"confidence": 0.9},
                }
            ]
        }
    )

    source_type: str = EntityType
    source_id: UUID = Field(description="Id of the source entity")
    relation_type: str = Field(
        min_length=1,
        max_length=KEY_LENGTH,
        description="e.g. contains, precedes, derived_from, implements",
        examples=["derived_from"],
    )
    target_type: str = EntityType
    target_id: UUID = Field(description="Id of the target entity")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form properties")


ExternalStatus = Literal["pending", "confirmed"]


class ExternalEnd(BaseModel):
    """What mimir's projection of imi knows of one end of a relation, read at request time."""

    status: ExternalStatus = Field(
        description="pending until imi's event about the entity has reached mimir"
    )
    display_name: str | None = Field(None, examples=["feature/retry-payments"])
    state: str | None = Field(None, description="active/inactive, work status, PR state, ...")
    project_id: UUID | None = Field(None, description="The imi project the entity belongs to")


class Relation(BaseModel):
    id: UUID
    source_type: str
    source_id: UUID
    relation_type: str
    target_type: str
    target_id: UUID
    metadata: dict[str, Any]
    created_at: datetime
    source_external: ExternalEnd | None = Field(
        None, description="For an imi source (imi.project, imi.work_item, ...); else null"
    )
    target_external: ExternalEnd | None = Field(
        None, description="For an imi target (imi.project, imi.work_item, ...); else null"
    )
    external_status: ExternalStatus | None = Field(
        None,
        description="pending while an imi end is not yet known to mimir, then confirmed; "
        "null when neither end is an imi entity",
    )


class TraversedRelation(Relation):
    depth: int = Field(description="Hops from the start entity (1 = directly related)")
    node_type: str = Field(description="Type of the entity this relation leads to")
    node_id: UUID = Field(description="Id of the entity this relation leads to")


class Node(BaseModel):
    type: str
    id: UUID
    depth: int = Field(description="Fewest hops from the start entity")


class Traversal(BaseModel):
    start_type: str
    start_id: UUID
    direction: Literal["out", "in", "both"]
    max_depth: int
    max_edges: int = Field(description="Most relations this traversal reports")
    truncated: bool = Field(description="The walk stopped expanding at `max_edges`")
    nodes: list[Node] = Field(description="Every entity reached, nearest first")
    relations: list[TraversedRelation] = Field(description="Every relation walked, by depth")
