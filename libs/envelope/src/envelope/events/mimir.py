"""Payload models of `mimir.*` events and of the commands mimir accepts.

Each payload carries the entity's id and what a listener needs without calling back:
types, statuses and, for relations, both ends. Commands (`mimir.cmd.*`, queue
`mimir.commands`) that cannot be applied leave no effect and are answered with
`mimir.cmd.failed`, whose `correlation_ids` hold the command's event id.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope._registry import registry
from envelope.events._failed import CommandFailedPayload
from envelope.limits import IDENTIFIER_LENGTH, KEY_LENGTH


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


class DecisionActivated(BaseModel):
    decision_id: UUID
    statement: str


class DecisionSuperseded(BaseModel):
    decision_id: UUID
    statement: str
    superseded_by_id: UUID = Field(description="The decision that replaces this one")


class RelationChanged(BaseModel):
    relation_id: UUID
    source_type: str = Field(max_length=KEY_LENGTH)
    source_id: UUID
    relation_type: str = Field(max_length=KEY_LENGTH)
    target_type: str = Field(max_length=KEY_LENGTH)
    target_id: UUID


class RelationSpec(BaseModel):
    relation_type: str = Field(min_length=1, max_length=KEY_LENGTH, examples=["captured_during"])
    target_type: str = Field(min_length=1, max_length=KEY_LENGTH, examples=["imi.work_item"])
    target_id: UUID


class CaptureArtifact(BaseModel):
    """Store content as a new artifact, or as a new version of `artifact_id`.

    `relations` are created from the artifact to each target in the same transaction;
    external targets (`imi.work_item`, ...) may be ones mimir has not heard of yet.
    """

    model_config = ConfigDict(extra="ignore")

    artifact_type: str = Field(
        "note", max_length=KEY_LENGTH, description="conversation, document or note"
    )
    source: str = Field("bus", min_length=1, max_length=IDENTIFIER_LENGTH)
    content: str = Field(min_length=1)
    external_id: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_by: str = Field("agent", min_length=1)
    artifact_id: UUID | None = Field(
        None, description="Append a version to this artifact instead of creating one"
    )
    relations: list[RelationSpec] = Field(default_factory=list)
    provenance_model: str | None = Field(
        None, description="Model that produced the content; recorded as provenance"
    )
    provenance_pipeline: str | None = Field(
        None, description="Pipeline version that produced it; recorded as provenance"
    )


class MimirCommandFailed(CommandFailedPayload):
    """A `mimir.cmd.*` command could not be applied; nothing of it was kept."""

    PARAMS_FIELD = "details"

    details: dict[str, Any] = Field(default_factory=dict)


for _type, _model, _summary in (
    ("mimir.artifact.created", ArtifactCreated, "An artifact was stored with its first version"),
    ("mimir.artifact.version_added", ArtifactVersionAdded, "A new version of an artifact"),
    ("mimir.intent.proposed", IntentProposed, "An intent was proposed"),
    ("mimir.intent.accepted", IntentDecided, "A proposed intent was accepted"),
    ("mimir.intent.rejected", IntentDecided, "A proposed intent was rejected"),
    ("mimir.decision.recorded", DecisionRecorded, "A decision was recorded"),
    ("mimir.decision.activated", DecisionActivated, "A tentative decision became active"),
    ("mimir.decision.superseded", DecisionSuperseded, "A decision was superseded by another"),
    ("mimir.relation.created", RelationChanged, "A typed relation between two entities"),
    ("mimir.relation.deleted", RelationChanged, "A relation was removed"),
    ("mimir.cmd.failed", MimirCommandFailed, "A mimir.cmd.* command failed; see `reason`"),
):
    registry.register(_type, _model, producer="mimir", summary=_summary)
registry.register(
    "mimir.cmd.capture_artifact",
    CaptureArtifact,
    producer="agents",
    summary="Command: store content as an artifact (or a new version), with relations",
)
