"""Project requests and responses; field names are the table's column names."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from envelope.limits import NAME_LENGTH, REF_LENGTH, URL_LENGTH
from imi.schemas import Metadata, ORMModel

_EXAMPLE: dict[str, Any] = {
    "name": "bloodbank",
    "remote_origin": "git@github.com:33god/bloodbank.git",
    "default_branch": "main",
    "trunk_path": "/home/dev/code/bloodbank/trunk-main",
    "description": "The event bus",
    "metadata": {"team": "platform"},
}


class ProjectCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    remote_origin: str = Field(min_length=1, max_length=URL_LENGTH)
    default_branch: str = Field("main", min_length=1, max_length=REF_LENGTH)
    trunk_path: str | None = None
    description: str | None = None
    metadata: Metadata


class ProjectUpdate(BaseModel):
    """Only the fields sent change; `metadata` replaces the whole object."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"description": "The Bloodbank event bus"}]}
    )

    name: str | None = Field(None, min_length=1, max_length=NAME_LENGTH)
    default_branch: str | None = Field(None, min_length=1, max_length=REF_LENGTH)
    trunk_path: str | None = None
    description: str | None = None
    metadata: dict[str, object] | None = None

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

    id: UUID
    name: str
    remote_origin: str
    default_branch: str
    trunk_path: str | None
    description: str | None
    metadata: Metadata
    active: bool
    created_at: datetime
    updated_at: datetime


class ProjectFilters(BaseModel):
    q: str | None = Field(None, min_length=1, description="Fuzzy (trigram) search on the name")
    active: bool | None = Field(True, description="true: active projects; false: removed ones")
    remote_origin: str | None = None
