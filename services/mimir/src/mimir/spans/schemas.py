"""Request and response bodies of /api/v1/spans."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class SpanCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "artifact_version_id": "5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54",
                    "start_offset": 6,
                    "end_offset": 31,
                    "span_type": "evidence",
                    "metadata": {"label": "retry policy"},
                }
            ]
        }
    )

    artifact_version_id: UUID = Field(description="The version whose content the span indexes")
    start_offset: int = Field(ge=0, description="First character (0-based, inclusive)")
    end_offset: int = Field(gt=0, description="End character (exclusive); > start_offset")
    span_type: str = Field(
        min_length=1, max_length=100, description="e.g. evidence, quote, toc_entry"
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form properties")


class Span(BaseModel):
    id: UUID
    artifact_id: UUID
    artifact_version_id: UUID
    start_offset: int
    end_offset: int
    span_type: str = Field(description="`chunk` spans are made by mimir for search")
    text: str = Field(description="The quoted text: content[start_offset:end_offset]")
    metadata: dict[str, Any]
    created_at: datetime
