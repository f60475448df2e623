"""Request and response bodies of /api/v1/provenance."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import KEY_LENGTH, JsonObject
from mimir.entities import TYPE_DESCRIPTION

EXAMPLE: dict[str, Any] = {
    "target_type": "decision",
    "target_id": "0b7e7a52-5d1c-4c55-9a43-1f1b0c7c2a11",
    "model_id": "gpt-4-turbo",
    "prompt_version": "extract-decisions@3",
    "pipeline_version": "ingest-2025.12",
    "evidence_span_ids": ["5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54"],
    "metadata": {"temperature": 0},
}


class ProvenanceCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    target_type: str = Field(min_length=1, max_length=KEY_LENGTH, description=TYPE_DESCRIPTION)
    target_id: UUID = Field(description="Id of the entity that was generated")
    model_id: str | None = Field(None, description="Model that generated it", examples=["gpt-4"])
    prompt_version: str | None = Field(None, description="Version of the prompt used")
    pipeline_version: str | None = Field(None, description="Version of the pipeline used")
    evidence_span_ids: list[UUID] = Field(
        default_factory=list, description="Spans the generation was based on (must exist)"
    )
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")


class Provenance(ProvenanceCreate):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **EXAMPLE,
                    "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "created_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID = Field(description="Provenance record id")
    created_at: datetime = Field(description="When it was recorded")
