"""Work item requests and responses.

Requests accept the short forms agents send (`branch`, `source: {type, ref}`, `ahead`,
`behind`, `uncommitted`); responses always use the column names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from envelope.events.imi import (
    CompletionType,
    SourceType,
    WorkStatus,
    WorkType,
    normalize_work_fields,
)
from envelope.limits import IDENTIFIER_LENGTH, INT32_MAX, REF_LENGTH, CommitHash
from imi.schemas import Metadata, ORMModel, StoredMetadata

PROJECT = "The project whose repository the branch is in"
BRANCH = "The git branch the work happens on"
WORK_TYPE = "feature, fix, experiment, review, devops or aiops"
SOURCE_TYPE = "What asked for the work: plane_ticket, bloodbank_command, agent_assignment or manual"
SOURCE_REF = "The asking thing's id, e.g. the ticket key for plane_ticket"
OWNER = "Who does the work: a person's or an agent's id"
WORKTREE = "The worktree's directory on the developer's machine"
UNCOMMITTED = "Whether the worktree has uncommitted changes"
UNCOMMITTED_FILES = "How many files have uncommitted changes"
AHEAD = "Commits on the branch that the trunk does not have"
BEHIND = "Commits on the trunk that the branch does not have"
LAST_COMMIT = "The branch's newest commit"
LAST_MESSAGE = "That commit's message"
COMPLETION = "How the work ended: merged, abandoned or superseded"
MERGE_COMMIT = "For merged: the merge commit, so deploys of it trace to this work item"
STATUS = (
    "Computed: the completion type once completed; before, uncommitted, diverged (ahead and "
    "behind), ahead, behind or clean, from the git state"
)
WORK_ITEM_EXAMPLE: dict[str, Any] = {
    "id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
    "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
    "branch_name": "feat/PROJ-123-login",
    "work_type": "feature",
    "source_type": "plane_ticket",
    "source_ref": "PROJ-123",
    "owner_id": "agent:claude-1",
    "worktree_path": "/home/dev/code/bloodbank/feat-PROJ-123-login",
    "status": "ahead",
    "has_uncommitted_changes": False,
    "uncommitted_files_count": 0,
    "ahead_of_trunk": 3,
    "behind_trunk": 0,
    "last_commit_hash": "9f2c1ab",
    "last_commit_message": "PROJ-123: login with SSO",
    "last_sync_at": "2026-02-11T11:00:00Z",
    "last_activity_at": "2026-02-11T10:58:00Z",
    "completed_at": None,
    "completion_type": None,
    "merge_commit_hash": None,
    "metadata": {},
    "active": True,
    "created_at": "2026-02-11T10:00:00Z",
    "updated_at": "2026-02-11T11:00:00Z",
}


class _ShortForms(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        return normalize_work_fields(data)


class GitState(_ShortForms):
    """The git state fields a request may set, with their short forms."""

    has_uncommitted_changes: bool | None = Field(
        None, description=f"{UNCOMMITTED} (also `uncommitted`: true, false or a file count)"
    )
    uncommitted_files_count: int | None = Field(
        None, ge=0, le=INT32_MAX, description=UNCOMMITTED_FILES
    )
    ahead_of_trunk: int | None = Field(
        None, ge=0, le=INT32_MAX, description=f"{AHEAD} (also `ahead`)"
    )
    behind_trunk: int | None = Field(
        None, ge=0, le=INT32_MAX, description=f"{BEHIND} (also `behind`)"
    )
    last_commit_hash: CommitHash | None = Field(None, description=LAST_COMMIT)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.has_uncommitted_changes is False and (self.uncommitted_files_count or 0) > 0:
            raise ValueError("uncommitted files in a worktree without uncommitted changes")
        return self


class WorkCreate(GitState):
    """A new work item; the git state fields sent (or their short forms) are its state."""

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

    project_id: UUID = Field(description=PROJECT)
    branch_name: str = Field(
        min_length=1,
        max_length=REF_LENGTH,
        description=f"{BRANCH} (also accepted as `branch`); ticket keys in it are linked",
    )
    work_type: WorkType = Field("feature", description=WORK_TYPE)
    source_type: SourceType = Field(
        "manual", description=f"{SOURCE_TYPE} (with `source_ref`, also as `source: {{type, ref}}`)"
    )
    source_ref: str | None = Field(None, max_length=IDENTIFIER_LENGTH, description=SOURCE_REF)
    owner_id: str | None = Field(
        None, max_length=IDENTIFIER_LENGTH, description=OWNER, examples=["agent:claude-1"]
    )
    worktree_path: str | None = Field(None, description=WORKTREE)
    metadata: Metadata


class GitStateUpdate(GitState):
    """The fields sent replace the stored ones; `last_sync_at` becomes now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"ahead_of_trunk": 3, "behind_trunk": 0, "has_uncommitted_changes": True},
                {"ahead": 3, "uncommitted": True},
            ]
        }
    )

    last_commit_message: str | None = Field(None, description=LAST_MESSAGE)
    worktree_path: str | None = Field(None, description=WORKTREE)


class WorkComplete(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"completion_type": "merged", "merge_commit_hash": "9f2c1ab"}]
        }
    )

    completion_type: CompletionType = Field(description=COMPLETION)
    merge_commit_hash: CommitHash | None = Field(None, description=MERGE_COMMIT)


class WorkItemOut(ORMModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WORK_ITEM_EXAMPLE]})

    id: UUID = Field(description="Work item id")
    project_id: UUID = Field(description=PROJECT)
    branch_name: str = Field(description=BRANCH)
    work_type: WorkType = Field(description=WORK_TYPE)
    source_type: SourceType = Field(description=SOURCE_TYPE)
    source_ref: str | None = Field(description=SOURCE_REF)
    owner_id: str | None = Field(description=OWNER)
    worktree_path: str | None = Field(description=WORKTREE)
    status: WorkStatus = Field(description=STATUS)
    has_uncommitted_changes: bool = Field(description=UNCOMMITTED)
    uncommitted_files_count: int = Field(description=UNCOMMITTED_FILES)
    ahead_of_trunk: int = Field(description=AHEAD)
    behind_trunk: int = Field(description=BEHIND)
    last_commit_hash: str | None = Field(description=LAST_COMMIT)
    last_commit_message: str | None = Field(description=LAST_MESSAGE)
    last_sync_at: datetime | None = Field(
        description="When the git state was last reported (by the API or a push)"
    )
    last_activity_at: datetime | None = Field(
        description="When an agent's tool last changed a file on the branch"
    )
    completed_at: datetime | None = Field(description="When the work was completed")
    completion_type: CompletionType | None = Field(description=f"{COMPLETION}; null while active")
    merge_commit_hash: str | None = Field(description=MERGE_COMMIT)
    metadata: StoredMetadata
    active: bool = Field(description="true until completed")
    created_at: datetime = Field(description="When the work was started")
    updated_at: datetime = Field(description="When the work item last changed")


class WorkFilters(BaseModel):
    project_id: UUID | None = Field(None, description="Only this project's work items")
    owner_id: str | None = Field(None, description="Only this owner's work items")
    status: WorkStatus | None = Field(None, description="Only work items with this status")
    work_type: WorkType | None = Field(None, description="Only work items of this type")
    source_type: SourceType | None = Field(None, description="Only work items asked for this way")
    source_ref: str | None = Field(None, description="Only work items with this source id")
    branch_name: str | None = Field(None, description="Only work items on this branch")
    active: bool | None = Field(None, description="true: in progress; false: completed")
