"""Payload models of `mimir.*` events.

Each payload carries the entity's id and what a listener needs without calling back:
types, statuses and, for relations, both ends.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from envelope._registry import registry


class ArtifactCreated(BaseModel):
    artifact_id: UUID
    artifact_type: str = Field(description="conversation, document or note")
    source: str
    external_id: str | None = None
    version_id: UUID = Field(description="The initial version (number 1)")
    version_number: int = 1
    content_hash: str = Field(description="sha256 of the content, hex")


class ArtifactVersionAdded(BaseModel):
    artifact_id: UUID
    artifact_type: str
    version_id: UUID
    version_number: int
    content_hash: str
    created_by: str


class IntentProposed(BaseModel):
    intent_id: UUID
    statement: str
    proposed_by: str
    intent_group_id: UUID | None = None


class IntentDecided(BaseModel):
    intent_id: UUID
    statement: str
    status: str = Field(description="accepted or rejected")
    previous_status: str = "proposed"
    intent_group_id: UUID | None = None


class DecisionRecorded(BaseModel):
    decision_id: UUID
    statement: str
    rationale: str
    status: str = Field(description="tentative or active")


class DecisionSuperseded(BaseModel):
    decision_id: UUID
    statement: str
    superseded_by_id: UUID = Field(description="The decision that replaces this one")


class RelationChanged(BaseModel):
    relation_id: UUID
    source_type: str
    source_id: UUID
    relation_type: str
    target_type: str
    target_id: UUID


for _type, _model, _summary in (
    ("mimir.artifact.created", ArtifactCreated, "An artifact was stored with its first version"),
    ("mimir.artifact.version_added", ArtifactVersionAdded, "A new version of an artifact"),
    ("mimir.intent.proposed", IntentProposed, "An intent was proposed"),
    ("mimir.intent.accepted", IntentDecided, "A proposed intent was accepted"),
    ("mimir.intent.rejected", IntentDecided, "A proposed intent was rejected"),
    ("mimir.decision.recorded", DecisionRecorded, "A decision was recorded"),
    ("mimir.decision.superseded", DecisionSuperseded, "A decision was superseded by another"),
    ("mimir.relation.created", RelationChanged, "A typed relation between two entities"),
    ("mimir.relation.deleted", RelationChanged, "A relation was removed"),
):
    registry.register(_type, _model, producer="mimir", summary=_summary)
