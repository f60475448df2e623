"""Project requests and responses; field names are the table's column names."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from envelope.limits import NAME_LENGTH, REF_LENGTH, URL_LENGTH, JsonObject
from imi.schemas import Metadata, ORMModel, StoredMetadata

_EXAMPLE: dict[str, Any] = {
    "name": "bloodbank",
    "remote_origin": "git@github.com:33god/bloodbank.git",
    "default_branch": "main",
    "trunk_path": "/home/dev/code/bloodbank/trunk-main",
    "description": "The event bus",
    "metadata": {"team": "platform"},
}


NAME = "The project's name"
REMOTE = "The git remote's URL; `x`, `x/` and `x.git` are the same remote"
BRANCH = "The trunk branch work items are measured against (ahead/behind)"
TRUNK = "Where the trunk is checked out on the developer's machine"
DESCRIPTION = "What the project is, for people"


class ProjectCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: str = Field(min_length=1, max_length=NAME_LENGTH, description=NAME)
    remote_origin: str = Field(min_length=1, max_length=URL_LENGTH, description=REMOTE)
    default_branch: str = Field("main", min_length=1, max_length=REF_LENGTH, description=BRANCH)
    trunk_path: str | None = Field(None, description=TRUNK)
    description: str | None = Field(None, description=DESCRIPTION)
    metadata: Metadata


class ProjectUpdate(BaseModel):
    """Only the fields sent change; `metadata` replaces the whole object."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"description": "The Bloodbank event bus"}]}
    )

    name: str | None = Field(
        None, min_length=1, max_length=NAME_LENGTH, description=f"{NAME}; may be left out, not null"
    )
    default_branch: str | None = Field(
        None,
        min_length=1,
        max_length=REF_LENGTH,
        description=f"{BRANCH}; may be left out, not null",
    )
    trunk_path: str | None = Field(None, description=f"{TRUNK}; null clears it")
    description: str | None = Field(None, description=f"{DESCRIPTION}; null clears it")
    metadata: JsonObject | None = Field(
        None,
        validation_alias=AliasChoices("metadata", "meta"),
        description="Free-form JSON replacing the stored object; null empties it (also "
        "accepted as `meta`, as when registering)",
    )

    @field_validator("name", "default_branch")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("may be left out, not null")
        return value


class ProjectOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                    "active": True,
                    "created_at": "2026-02-11T10:00:00Z",
                    "updated_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID = Field(description="Project id")
    name: str = Field(description=NAME)
    remote_origin: str = Field(description="The git remote's URL as registered")
    default_branch: str = Field(description=BRANCH)
    trunk_path: str | None = Field(description=TRUNK)
    description: str | None = Field(description=DESCRIPTION)
    metadata: StoredMetadata
    active: bool = Field(description="false once deactivated (soft-deleted)")
    created_at: datetime = Field(description="When it was first registered")
    updated_at: datetime = Field(description="When it last changed")


class ProjectFilters(BaseModel):
    q: str | None = Field(None, min_length=1, description="Fuzzy (trigram) search on the name")
    active: bool | None = Field(True, description="true: active projects; false: removed ones")
    remote_origin: str | None = Field(
        None, description="Only the project of this remote, in any of its spellings"
    )
