"""Request and response bodies of /api/v1/spans."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from envelope.limits import JsonObject

SEARCH_SPAN_TYPES = frozenset({"chunk", "passage"})
"""Made by mimir when a version is indexed, and what search ranks: not for clients."""


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
        min_length=1,
        max_length=100,
        description="e.g. evidence, quote, toc_entry; not `chunk` or `passage`, which mimir "
        "makes for search",
    )
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")

    @field_validator("span_type")
    @classmethod
    def _not_for_search(cls, value: str) -> str:
        if value in SEARCH_SPAN_TYPES:
            raise ValueError(f"`{value}` spans are made by mimir for search")
        return value


class Span(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                    "artifact_id": "7f0f3b7e-8c1a-4a63-bb1a-25a0f2d4e9c3",
                    "artifact_version_id": "5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54",
                    "start_offset": 6,
                    "end_offset": 31,
                    "span_type": "evidence",
                    "text": "Should we retry payments?",
                    "metadata": {"label": "retry policy"},
                    "created_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID = Field(description="Span id")
    artifact_id: UUID = Field(description="The artifact of the version")
    artifact_version_id: UUID = Field(description="The version whose content the span indexes")
    start_offset: int = Field(description="First character (0-based, inclusive)")
    end_offset: int = Field(description="End character (exclusive)")
    span_type: str = Field(description="`chunk` spans are made by mimir for search")
    text: str = Field(description="The quoted text: content[start_offset:end_offset]")
    metadata: dict[str, Any] = Field(description="Free-form properties")
    created_at: datetime = Field(description="When the span was created")
