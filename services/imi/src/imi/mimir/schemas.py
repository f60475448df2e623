"""mimir's decisions, intents and artifacts as a trace shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from imi.schemas import ORMModel

MimirKind = Literal["decision", "intent", "artifact"]
"""mimir's entity types imi keeps; relations to its other types (spans, groups) are ignored."""

ImiType = Literal["project", "work_item", "pr", "deploy", "ticket"]
"""imi's entities as mimir names them, without the `imi.` prefix (`imi.work_item` → work_item)."""

Direction = Literal["from_mimir", "to_mimir"]

DECISION_ID = "8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
SUCCESSOR_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
PR_LINK_ID = "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0"

DECISION_EXAMPLE: dict[str, Any] = {
    "id": DECISION_ID,
    "kind": "decision",
    "title": "Use OIDC for login",
    "rationale": "One identity provider for every service",
    "status": "superseded",
    "superseded_by_id": SUCCESSOR_ID,
    "superseded_by_title": "Use passkeys for login",
    "artifact_type": None,
    "source": None,
    "external_id": None,
    "version_number": None,
    "updated_at": "2026-02-11T10:05:00Z",
    "relations": [
        {
            "relation_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            "relation_type": "explains",
            "direction": "from_mimir",
            "imi_type": "pr",
            "imi_id": PR_LINK_ID,
        }
    ],
}


class MimirRelationOut(ORMModel):
    """A mimir relation between the entity and one imi entity of the trace."""

    relation_id: UUID = Field(description="mimir's relation id")
    relation_type: str = Field(description="mimir's relation type", examples=["explains"])
    direction: Direction = Field(
        description="`from_mimir`: the mimir entity is the relation's source (decision → PR); "
        "`to_mimir`: the imi entity is (PR → decision)"
    )
    imi_type: ImiType = Field(
        description="The imi entity's type (mimir's `imi.<type>`); its id is a project, work "
        "item, PR link, deploy link or ticket link id"
    )
    imi_id: UUID = Field(description="The imi entity's id")


class MimirEntityOut(ORMModel):
    """A mimir decision, intent or artifact related to the trace, as imi's projection knows it.

    Fields are null until mimir's event about the entity has arrived (a relation can come
    first)."""

    model_config = ORMModel.model_config | {"json_schema_extra": {"examples": [DECISION_EXAMPLE]}}

    id: UUID = Field(description="mimir's id of the entity")
    kind: MimirKind = Field(description="The kind of mimir entity")
    title: str | None = Field(
        description="A decision's or intent's statement; an artifact's external id. Null "
        "while mimir's event about the entity has not arrived",
        examples=["Use OIDC for login"],
    )
    rationale: str | None = Field(description="A decision's rationale")
    status: str | None = Field(
        description="decision: tentative, active or superseded; intent: proposed, accepted or "
        "rejected; null for artifacts",
        examples=["active"],
    )
    superseded_by_id: UUID | None = Field(description="The decision that replaces this one")
    superseded_by_title: str | None = Field(
        None, description="The successor's statement, when imi knows it"
    )
    artifact_type: str | None = Field(description="conversation, document or note")
    source: str | None = Field(description="Where an artifact came from")
    external_id: str | None = Field(description="An artifact's id in its source")
    version_number: int | None = Field(description="An artifact's latest known version")
    updated_at: datetime = Field(description="When imi last changed this projection row")
    relations: list[MimirRelationOut] = Field(
        default_factory=list, description="Its relations to the entities of this trace"
    )
