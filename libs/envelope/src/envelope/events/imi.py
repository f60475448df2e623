"""Payload models of `imi.*` events: what imi publishes and the commands it accepts.

Published events name the entity by id and carry the fields a listener needs to act without
calling back (names, branches, states). Commands (`imi.cmd.*`) accept the same short forms as
imi's REST API (`branch`, `source: {type, ref}`); a failed command is answered with
`imi.cmd.failed`, whose `correlation_ids` hold the command's event id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from envelope._registry import registry
from envelope.events._failed import CommandFailedPayload
from envelope.events.plane import TICKET_KEY
from envelope.limits import (
    HASH_LENGTH,
    IDENTIFIER_LENGTH,
    INT32_MAX,
    NAME_LENGTH,
    REF_LENGTH,
    URL_LENGTH,
    CommitHash,
)

WorkType = Literal["feature", "fix", "experiment", "review", "devops", "aiops"]
SourceType = Literal["plane_ticket", "bloodbank_command", "agent_assignment", "manual"]
CompletionType = Literal["merged", "abandoned", "superseded"]
PrState = Literal["open", "merged", "closed"]
ComponentKind = Literal["submodule", "local", "external"]
WorkStatus = Literal[
    "clean", "uncommitted", "ahead", "behind", "diverged", "merged", "abandoned", "superseded"
]

SHORT_FORMS = {
    "branch": "branch_name",
    "ahead": "ahead_of_trunk",
    "behind": "behind_trunk",
    "uncommitted_files": "uncommitted_files_count",
}


def normalize_work_fields(data: Any) -> Any:
    """Rewrite the short forms agents send into column names; explicit column names win.

    `branch` → `branch_name`, `source: {type, ref}` → `source_type`/`source_ref`, `ahead` →
    `ahead_of_trunk`, `behind` → `behind_trunk`, `uncommitted` (bool, or a file count) →
    `has_uncommitted_changes` (and `uncommitted_files_count` for a count).
    """
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for short, column in SHORT_FORMS.items():
        if short in out:
            value = out.pop(short)
            out.setdefault(column, value)
    source = out.pop("source", None)
    if isinstance(source, dict):
        out.setdefault("source_type", source.get("type"))
        out.setdefault("source_ref", source.get("ref"))
    elif source is not None:
        out.setdefault("source_type", source)
    if "uncommitted" in out:
        value = out.pop("uncommitted")
        if isinstance(value, int) and not isinstance(value, bool):
            out.setdefault("uncommitted_files_count", value)
            value = value > 0
        out.setdefault("has_uncommitted_changes", value)
    return out


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Published events


class ProjectRegistered(_Payload):
    """A project was registered, or a soft-deleted one re-activated (`reactivated`)."""

    project_id: UUID
    name: str
    remote_origin: str
    default_branch: str
    reactivated: bool = False


class ProjectUpdated(_Payload):
    """Project fields changed; `changed` names them."""

    project_id: UUID
    name: str
    remote_origin: str
    changed: list[str]


class ProjectDeactivated(_Payload):
    """A project was soft-deleted; its remote can be registered again."""

    project_id: UUID
    name: str
    remote_origin: str


class WorkStarted(_Payload):
    project_id: UUID
    work_item_id: UUID
    branch_name: str
    work_type: WorkType
    source_type: SourceType
    source_ref: str | None = None
    owner_id: str | None = None
    status: WorkStatus


class WorkGitStateUpdated(_Payload):
    project_id: UUID
    work_item_id: UUID
    branch_name: str
    status: WorkStatus
    has_uncommitted_changes: bool
    uncommitted_files_count: int
    ahead_of_trunk: int
    behind_trunk: int
    last_commit_hash: str | None = None


class WorkCompleted(_Payload):
    project_id: UUID
    work_item_id: UUID
    branch_name: str
    completion_type: CompletionType
    merge_commit_hash: str | None = Field(None, min_length=4, max_length=HASH_LENGTH)
    completed_at: datetime


class TicketLinked(_Payload):
    """A ticket was linked to a work item, by a request, a command or auto-linking."""

    ticket_link_id: UUID
    work_item_id: UUID
    project_id: UUID
    plane_ticket_id: str
    ticket_title: str | None = None
    ticket_url: str | None = None


class PullRequestChanged(_Payload):
    """Shared by `imi.pr.created`, `imi.pr.merged`, `imi.pr.closed` and `imi.pr.reopened`."""

    pr_link_id: UUID
    work_item_id: UUID
    project_id: UUID
    pr_number: int
    pr_state: PrState
    pr_url: str | None = None
    pr_title: str | None = None


class DeployCompleted(_Payload):
    deploy_link_id: UUID
    work_item_id: UUID
    project_id: UUID
    deploy_id: str | None = None
    environment: str
    commit_hash: str
    deployed_at: datetime


class ComponentRegistered(_Payload):
    component_id: UUID
    parent_project_id: UUID
    name: str
    kind: ComponentKind
    path: str | None = None
    linked_project_id: UUID | None = None


class CommandFailed(CommandFailedPayload):
    """An `imi.cmd.*` command could not be applied; nothing of it was kept."""

    model_config = ConfigDict(extra="forbid")
    PARAMS_FIELD = "params"

    params: dict[str, Any] = Field(default_factory=dict)


# Commands (consumed on queue `imi.commands`)


class _Command(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        return normalize_work_fields(data)


class RegisterProject(_Command):
    """Register a project; idempotent: an already active project for the remote is kept as is."""

    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    remote_origin: str = Field(min_length=1, max_length=URL_LENGTH)
    default_branch: str = Field("main", min_length=1, max_length=REF_LENGTH)
    trunk_path: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class StartWork(_Command):
    """Start a work item; the project is named by `project_id` or by its `remote_origin`."""

    project_id: UUID | None = None
    remote_origin: str | None = Field(None, max_length=URL_LENGTH)
    branch_name: str = Field(min_length=1, max_length=REF_LENGTH)
    work_type: WorkType = "feature"
    source_type: SourceType = "bloodbank_command"
    source_ref: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    owner_id: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    worktree_path: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Its first git state, as `PATCH /work/{id}/git-state` takes it (short forms included).
    has_uncommitted_changes: bool | None = None
    uncommitted_files_count: int | None = Field(None, ge=0, le=INT32_MAX)
    ahead_of_trunk: int | None = Field(None, ge=0, le=INT32_MAX)
    behind_trunk: int | None = Field(None, ge=0, le=INT32_MAX)
    last_commit_hash: CommitHash | None = None

    @model_validator(mode="after")
    def _names_project(self) -> StartWork:
        if self.project_id is None and self.remote_origin is None:
            raise ValueError("project_id or remote_origin is required")
        return self


class CompleteWork(_Command):
    work_item_id: UUID
    completion_type: CompletionType
    merge_commit_hash: CommitHash | None = None


class LinkTicket(_Command):
    work_item_id: UUID
    plane_ticket_id: str = Field(
        pattern=f"^{TICKET_KEY.pattern}$",
        max_length=IDENTIFIER_LENGTH,
        description="The Plane ticket key: an upper-case project prefix, a dash, a number",
    )
    ticket_title: str | None = None
    ticket_url: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


_PUBLISHED: list[tuple[str, type[BaseModel], str]] = [
    ("imi.project.registered", ProjectRegistered, "A project was registered or re-activated."),
    ("imi.project.updated", ProjectUpdated, "A project's fields changed."),
    ("imi.project.deactivated", ProjectDeactivated, "A project was soft-deleted."),
    ("imi.work.started", WorkStarted, "A work item (branch) was started on a project."),
    (
        "imi.work.git_state_updated",
        WorkGitStateUpdated,
        "A work item's git state changed (a sync that finds the same state emits nothing).",
    ),
    ("imi.work.completed", WorkCompleted, "A work item was merged, abandoned or superseded."),
    ("imi.link.ticket_linked", TicketLinked, "A ticket was linked to a work item."),
    ("imi.pr.created", PullRequestChanged, "A pull request was linked to a work item."),
    ("imi.pr.merged", PullRequestChanged, "A linked pull request was merged."),
    ("imi.pr.closed", PullRequestChanged, "A linked pull request was closed unmerged."),
    ("imi.pr.reopened", PullRequestChanged, "A closed pull request was opened again."),
    ("imi.deploy.completed", DeployCompleted, "A work item's commit was deployed."),
    ("imi.component.registered", ComponentRegistered, "A component was added to a project."),
    ("imi.cmd.failed", CommandFailed, "An imi.cmd.* command failed; see `reason`."),
]
_COMMANDS: list[tuple[str, type[BaseModel], str]] = [
    ("imi.cmd.register_project", RegisterProject, "Command: register a project (idempotent)."),
    ("imi.cmd.start_work", StartWork, "Command: start a work item on a project's branch."),
    ("imi.cmd.complete_work", CompleteWork, "Command: complete a work item."),
    ("imi.cmd.link_ticket", LinkTicket, "Command: link a ticket to a work item."),
]

for _event_type, _model, _summary in _PUBLISHED:
    registry.register(_event_type, _model, producer="imi", summary=_summary)
for _event_type, _model, _summary in _COMMANDS:
    registry.register(_event_type, _model, producer="orchestrator", summary=_summary)
