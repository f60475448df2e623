"""Work item requests and responses.

Requests accept the short forms agents send (`branch`, `source: {type, ref}`, `ahead`,
`behind`, `uncommitted`); responses always use the column names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from envelope.events.imi import (
    CompletionType,
    SourceType,
    WorkStatus,
    WorkType,
    normalize_work_fields,
)
from envelope.limits import HASH_LENGTH, IDENTIFIER_LENGTH, REF_LENGTH
from imi.schemas import INT32_MAX, Metadata, ORMModel


class _ShortForms(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        return normalize_work_fields(data)


class WorkCreate(_ShortForms):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                    "branch_name": "feat/PROJ-123-login",
                    "work_type": "feature",
                    "source_type": "plane_ticket",
                    "source_ref": "PROJ-123",
                    "owner_id": "agent:claude-1",
                },
                {
                    "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                    "branch": "feat/PROJ-123-login",
                    "source": {"type": "plane_ticket", "ref": "PROJ-123"},
                },
            ]
        }
    )

    project_id: UUID
    branch_name: str = Field(min_length=1, max_length=REF_LENGTH)
    work_type: WorkType = "feature"
    source_type: SourceType = "manual"
    source_ref: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    owner_id: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    worktree_path: str | None = None
    metadata: Metadata


class GitStateUpdate(_ShortForms):
    """The fields sent replace the stored ones; `last_sync_at` becomes now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"ahead_of_trunk": 3, "behind_trunk": 0, "has_uncommitted_changes": True},
                {"ahead": 3, "uncommitted": True},
            ]
        }
    )

    has_uncommitted_changes: bool | None = None
    uncommitted_files_count: int | None = Field(None, ge=0, le=INT32_MAX)
    ahead_of_trunk: int | None = Field(None, ge=0, le=INT32_MAX)
    behind_trunk: int | None = Field(None, ge=0, le=INT32_MAX)
    last_commit_hash: str | None = Field(None, min_length=4, max_length=HASH_LENGTH)
    last_commit_message: str | None = None
    worktree_path: str | None = None


class WorkComplete(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"completion_type": "merged", "merge_commit_hash": "9f2c1ab"}]
        }
    )

    completion_type: CompletionType
    merge_commit_hash: str | None = Field(None, min_length=4, max_length=HASH_LENGTH)


class WorkItemOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
                    "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                    "branch_name": "feat/PROJ-123-login",
                    "work_type": "feature",
                    "source_type": "plane_ticket",
                    "source_ref": "PROJ-123",
                    "status": "ahead",
                    "ahead_of_trunk": 3,
                    "behind_trunk": 0,
                }
            ]
        }
    )

    id: UUID
    project_id: UUID
    branch_name: str
    work_type: WorkType
    source_type: SourceType
    source_ref: str | None
    owner_id: str | None
    worktree_path: str | None
    status: WorkStatus = Field(description="Computed from git state and completion")
    has_uncommitted_changes: bool
    uncommitted_files_count: int
    ahead_of_trunk: int
    behind_trunk: int
    last_commit_hash: str | None
    last_commit_message: str | None
    last_sync_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    completion_type: CompletionType | None
    merge_commit_hash: str | None
    metadata: Metadata
    active: bool
    created_at: datetime
    updated_at: datetime


class WorkFilters(BaseModel):
    project_id: UUID | None = None
    owner_id: str | None = None
    status: WorkStatus | None = None
    work_type: WorkType | None = None
    source_type: SourceType | None = None
    source_ref: str | None = None
    branch_name: str | None = None
    active: bool | None = Field(None, description="true: in progress; false: completed")
