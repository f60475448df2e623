"""Request and response bodies of /api/v1/artifacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import IDENTIFIER_LENGTH, JsonObject

ArtifactType = Literal["conversation", "document", "note"]
IndexingStatus = Literal["pending", "indexed", "failed"]

ARTIFACT_ID = "7f0f3b7e-8c1a-4a63-bb1a-25a0f2d4e9c3"
VERSION_ID = "5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54"
CONTENT = "Dana: Should we retry payments?\nSam: Yes, twice."
CREATED_BY = "User or system that wrote it"
VERSION_EXAMPLE: dict[str, Any] = {
    "id": VERSION_ID,
    "artifact_id": ARTIFACT_ID,
    "version_number": 1,
    "content": CONTENT,
    "content_hash": "ed004215181adcf229847c6bcaf418439447f2fd58cd81922bd83c9f071aee5f",
    "created_by": "importer",
    "indexing_status": "indexed",
    "created_at": "2026-02-11T10:00:00Z",
}
ARTIFACT_EXAMPLE: dict[str, Any] = {
    "id": ARTIFACT_ID,
    "artifact_type": "conversation",
    "external_id": "conv-8812",
    "source": "chatgpt_export",
    "metadata": {"project": "checkout"},
    "created_at": "2026-02-11T10:00:00Z",
    "latest_version": 1,
    "indexing_status": "indexed",
}


class ArtifactCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "artifact_type": "conversation",
                    "source": "chatgpt_export",
                    "external_id": "conv-8812",
                    "metadata": {"project": "checkout"},
                    "content": CONTENT,
                    "created_by": "importer",
                }
            ]
        }
    )

    artifact_type: ArtifactType = Field(
        description="conversation, document or note. A conversation is split into turns at "
        "lines starting `Speaker: ` (after an optional `[timestamp]` or a chat export's "
        "`date, time - `), or at every line when none does or such labels only head the "
        "content (`Date: ...` over lines of another format); documents and notes at blank "
        "lines and Markdown headings. Each turn or block is a passage a search can quote; a "
        "one-word reply is quoted with the turn before it."
    )
    source: str = Field(
        min_length=1,
        max_length=IDENTIFIER_LENGTH,
        description="Origin of the artifact (e.g. 'chatgpt_export', 'user_upload')",
        examples=["chatgpt_export"],
    )
    external_id: str | None = Field(
        None, max_length=IDENTIFIER_LENGTH, description="The artifact's id at its source"
    )
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")
    content: str = Field(min_length=1, description="Content of version 1, stored verbatim")
    created_by: str = Field("api", min_length=1, description=CREATED_BY)


class VersionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"content": "Dana: ...\nSam: ...", "created_by": "u1"}]}
    )

    content: str = Field(min_length=1, description="The full new content (not a diff)")
    created_by: str = Field("api", min_length=1, description=CREATED_BY)


class Version(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [VERSION_EXAMPLE]})

    id: UUID = Field(description="Version id")
    artifact_id: UUID = Field(description="The artifact it is a version of")
    version_number: int = Field(description="1 for the first version, then +1 each", examples=[1])
    content: str = Field(description="The canonical content; offsets of spans index into it")
    content_hash: str = Field(description="sha256 of the UTF-8 content, hex")
    created_by: str = Field(description=CREATED_BY)
    indexing_status: IndexingStatus = Field(
        description="pending until the embedding worker has embedded its chunks, then "
        "indexed (or failed)"
    )
    created_at: datetime = Field(description="When the version was stored")


class Artifact(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ARTIFACT_EXAMPLE]})

    id: UUID = Field(description="Artifact id")
    artifact_type: ArtifactType = Field(description="conversation, document or note")
    external_id: str | None = Field(description="The artifact's id at its source, if given")
    source: str = Field(description="Where the artifact came from", examples=["chatgpt_export"])
    metadata: dict[str, Any] = Field(description="Free-form properties")
    created_at: datetime = Field(description="When the artifact was created")
    latest_version: int | None = Field(None, description="Number of the newest version")
    indexing_status: IndexingStatus | None = Field(
        None, description="Indexing status of the newest version"
    )


class ArtifactDetail(Artifact):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**ARTIFACT_EXAMPLE, "versions": [VERSION_EXAMPLE]}]}
    )

    versions: list[Version] = Field(description="Every version, oldest first")
