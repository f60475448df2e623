"""Request and response bodies of /api/v1/decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DecisionStatus = Literal["tentative", "active", "superseded"]


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

    statement: str = Field(min_length=1, description="The decision, in one sentence")
    rationale: str = Field("", description="Why it was decided")
    status: Literal["tentative", "active"] = Field(
        "tentative", description="Recorded as tentative (default) or directly active"
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form properties")


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

    status: Literal["active", "superseded"] = Field(
        description="tentative -> active -> superseded; anything else is a 409"
    )
    superseded_by_id: UUID | None = Field(
        None, description="Required when superseding: the decision that replaces this one"
    )


class Decision(BaseModel):
    id: UUID
    statement: str
    rationale: str
    status: DecisionStatus
    superseded_by_id: UUID | None
    metadata: dict[str, Any]
    created_at: datetime


class ChainLink(Decision):
    position: int = Field(
        description="0 for the decision asked about, negative before it, positive after it"
    )
