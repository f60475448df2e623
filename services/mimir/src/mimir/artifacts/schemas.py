"""Request and response bodies of /api/v1/artifacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import IDENTIFIER_LENGTH

ArtifactType = Literal["conversation", "document", "note"]
IndexingStatus = Literal["pending", "indexed", "failed"]


class ArtifactCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "artifact_type": "conversation",
                    "source": "chatgpt_export",
                    "external_id": "conv-8812",
                    "metadata": {"project": "checkout"},
                    "content": "Dana: Should we retry payments?\nSam: Yes, twice.",
                    "created_by": "importer",
                }
            ]
        }
    )

    artifact_type: ArtifactType = Field(description="Type of artifact being created")
    source: str = Field(
        min_length=1,
        max_length=IDENTIFIER_LENGTH,
        description="Origin of the artifact (e.g. 'chatgpt_export', 'user_upload')",
        examples=["chatgpt_export"],
    )
    external_id: str | None = Field(
        None, max_length=IDENTIFIER_LENGTH, description="The artifact's id at its source"
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form properties")
    content: str = Field(min_length=1, description="Content of version 1, stored verbatim")
    created_by: str = Field("api", min_length=1, description="User or system writing it")


class VersionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"content": "Dana: ...\nSam: ...", "created_by": "u1"}]}
    )

    content: str = Field(min_length=1, description="The full new content (not a diff)")
    created_by: str = Field("api", min_length=1, description="User or system writing it")


class Version(BaseModel):
    id: UUID = Field(description="Version id")
    artifact_id: UUID
    version_number: int = Field(description="1 for the first version, then +1 each", examples=[1])
    content: str = Field(description="The canonical content; offsets of spans index into it")
    content_hash: str = Field(description="sha256 of the UTF-8 content, hex")
    created_by: str
    indexing_status: IndexingStatus = Field(
        description="pending until the embedding worker has embedded its chunks"
    )
    created_at: datetime


class Artifact(BaseModel):
    id: UUID = Field(description="Artifact id")
    artifact_type: ArtifactType
    external_id: str | None
    source: str
    metadata: dict[str, Any]
    created_at: datetime
    latest_version: int | None = Field(None, description="Number of the newest version")
    indexing_status: IndexingStatus | None = Field(
        None, description="Indexing status of the newest version"
    )


class ArtifactDetail(Artifact):
    versions: list[Version] = Field(description="Every version, oldest first")
