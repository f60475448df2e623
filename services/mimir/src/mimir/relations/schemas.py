"""Request and response bodies of /api/v1/relations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import KEY_LENGTH, JsonObject
from mimir.entities import TYPE_DESCRIPTION
from mimir.external.schemas import DISPLAY_NAME, STATE

EntityType = Field(min_length=1, max_length=KEY_LENGTH, description=TYPE_DESCRIPTION)
RELATION_TYPE = "What the relation means, e.g. contains, precedes, derived_from, implements"
RELATION_EXAMPLE: dict[str, Any] = {
    "id": "8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3",
    "source_type": "decision",
    "source_id": "0b7e7a52-5d1c-4c55-9a43-1f1b0c7c2a11",
    "relation_type": "implements",
    "target_type": "imi.work_item",
    "target_id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
    "metadata": {},
    "created_at": "2026-02-11T10:00:00Z",
    "source_external": None,
    "target_external": {
        "status": "confirmed",
        "display_name": "feature/retry-payments",
        "state": "ahead",
        "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
    },
    "external_status": "confirmed",
}
TRAVERSED_EXAMPLE: dict[str, Any] = {
    **RELATION_EXAMPLE,
    "depth": 1,
    "node_type": "imi.work_item",
    "node_id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
}


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
        min_length=1, max_length=KEY_LENGTH, description=RELATION_TYPE, examples=["derived_from"]
    )
    target_type: str = EntityType
    target_id: UUID = Field(description="Id of the target entity")
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")


ExternalStatus = Literal["pending", "confirmed"]


class ExternalEnd(BaseModel):
    """What mimir's projection of imi knows of one end of a relation, read at request time."""

    status: ExternalStatus = Field(
        description="pending until imi's event about the entity has reached mimir"
    )
    display_name: str | None = Field(
        None, description=DISPLAY_NAME, examples=["feature/retry-payments"]
    )
    state: str | None = Field(None, description=STATE)
    project_id: UUID | None = Field(None, description="The imi project the entity belongs to")


class Relation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RELATION_EXAMPLE]})

    id: UUID = Field(description="Relation id")
    source_type: str = Field(description=f"Type of the source entity. {TYPE_DESCRIPTION}")
    source_id: UUID = Field(description="Id of the source entity")
    relation_type: str = Field(description=RELATION_TYPE)
    target_type: str = Field(description=f"Type of the target entity. {TYPE_DESCRIPTION}")
    target_id: UUID = Field(description="Id of the target entity")
    metadata: dict[str, Any] = Field(description="Free-form properties")
    created_at: datetime = Field(description="When the relation was created")
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
    model_config = ConfigDict(json_schema_extra={"examples": [TRAVERSED_EXAMPLE]})

    depth: int = Field(description="Hops from the start entity (1 = directly related)")
    node_type: str = Field(description="Type of the entity this relation leads to")
    node_id: UUID = Field(description="Id of the entity this relation leads to")


class Node(BaseModel):
    type: str = Field(description="The entity's type")
    id: UUID = Field(description="The entity's id")
    depth: int = Field(description="Fewest hops from the start entity")


class Traversal(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "start_type": "decision",
                    "start_id": "0b7e7a52-5d1c-4c55-9a43-1f1b0c7c2a11",
                    "direction": "both",
                    "max_depth": 2,
                    "max_edges": 1000,
                    "truncated": False,
                    "nodes": [
                        {
                            "type": "imi.work_item",
                            "id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
                            "depth": 1,
                        }
                    ],
                    "relations": [TRAVERSED_EXAMPLE],
                }
            ]
        }
    )

    start_type: str = Field(description="Type of the start entity, as asked")
    start_id: UUID = Field(description="Id of the start entity, as asked")
    direction: Literal["out", "in", "both"] = Field(
        description="out: source to target; in: target to source; both"
    )
    max_depth: int = Field(description="Most hops walked, as asked (`depth`)")
    max_edges: int = Field(description="Most relations this traversal reports")
    truncated: bool = Field(description="The walk stopped expanding at `max_edges`")
    nodes: list[Node] = Field(description="Every entity reached, nearest first")
    relations: list[TraversedRelation] = Field(description="Every relation walked, by depth")
