"""Request and response bodies of /api/v1/decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import JsonObject
from mimir.text import Said

DecisionStatus = Literal["tentative", "active", "superseded"]

STATEMENT = "The decision, in one sentence"
RATIONALE = "Why it was decided"
DECISION_EXAMPLE: dict[str, Any] = {
    "id": "0b7e7a52-5d1c-4c55-9a43-1f1b0c7c2a11",
    "statement": "Payments are retried twice with exponential backoff",
    "rationale": "Most provider failures are transient and clear within 10 s",
    "status": "superseded",
    "superseded_by_id": "9a1b2c3d-4e5f-4061-8728-394a5b6c7d8e",
    "metadata": {"owner": "payments"},
    "created_at": "2026-02-11T10:00:00Z",
}


class DecisionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "statement": "Payments are retried twice with exponential backoff",
                    "rationale": "Most provider failures are transient and clear within 10 s",
                    "status": "tentative",
                    "metadata": {"owner": "payments"},
                }
            ]
        }
    )

    statement: Said = Field(min_length=1, description=STATEMENT)
    rationale: str = Field("", description=RATIONALE)
    status: Literal["tentative", "active"] = Field(
        "tentative", description="Recorded as tentative (default) or directly active"
    )
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")


class DecisionUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "active"},
                {
                    "status": "superseded",
                    "superseded_by_id": "9a1b2c3d-4e5f-4061-8728-394a5b6c7d8e",
                },
            ]
        }
    )

    status: DecisionStatus = Field(
        description="tentative -> active -> superseded; anything else is a 409"
    )
    superseded_by_id: UUID | None = Field(
        None, description="Required when superseding: the decision that replaces this one"
    )


class Decision(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DECISION_EXAMPLE]})

    id: UUID = Field(description="Decision id")
    statement: str = Field(description=STATEMENT)
    rationale: str = Field(description=f"{RATIONALE}; empty if not given")
    status: DecisionStatus = Field(description="tentative, active or superseded")
    superseded_by_id: UUID | None = Field(
        description="The decision that replaced it; null unless superseded"
    )
    metadata: dict[str, Any] = Field(description="Free-form properties")
    created_at: datetime = Field(description="When it was recorded")


class ChainLink(Decision):
    model_config = ConfigDict(json_schema_extra={"examples": [{**DECISION_EXAMPLE, "position": 0}]})

    position: int = Field(
        description="0 for the decision asked about, negative before it, positive after it"
    )
