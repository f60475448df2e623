"""The `work_items` table: a branch (or worktree) being worked on, its git state and outcome.

`status` is not stored: it is computed from the git state and completion fields, in Python on
loaded objects and as a SQL CASE in queries, so `?status=` filters in the database.
Events are applied in order (`imi.ordering`): pushes by `git_event_at`, tool mutations by
`last_activity_at`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, get_args

from sqlalchemy import CheckConstraint, ColumnElement, Index, Text, case, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envelope.events.imi import CompletionType, SourceType, WorkStatus, WorkType
from imi.columns import (
    OptStr,
    OptTimestamp,
    Str,
    UUIDPk,
    count_column,
    created_at_column,
    flag_column,
    metadata_column,
    one_of,
    reference,
    updated_at_column,
)
from imi.database import Base

if TYPE_CHECKING:
    from imi.links.models import DeployLink, PrLink, TicketLink
    from imi.projects.models import Project


class WorkItem(Base):
    __tablename__ = "work_items"

    id: Mapped[UUIDPk]
    project_id: Mapped[uuid.UUID] = reference("projects")
    branch_name: Mapped[Str]
    work_type: Mapped[WorkType] = mapped_column(Text, default="feature", server_default="feature")
    source_type: Mapped[SourceType] = mapped_column(Text, default="manual", server_default="manual")
    source_ref: Mapped[OptStr]
    owner_id: Mapped[OptStr]
    worktree_path: Mapped[OptStr]
    has_uncommitted_changes: Mapped[bool] = flag_column(False)
    uncommitted_files_count: Mapped[int] = count_column()
    ahead_of_trunk: Mapped[int] = count_column()
    behind_trunk: Mapped[int] = count_column()
    last_commit_hash: Mapped[OptStr]
    last_commit_message: Mapped[OptStr]
    last_sync_at: Mapped[OptTimestamp]
    last_activity_at: Mapped[OptTimestamp]
    git_event_at: Mapped[OptTimestamp]  # the newest `git.push` applied (`imi.ordering`)
    completed_at: Mapped[OptTimestamp]
    completion_type: Mapped[CompletionType | None] = mapped_column(Text)
    merge_commit_hash: Mapped[OptStr]
    meta: Mapped[dict[str, Any]] = metadata_column()
    active: Mapped[bool] = flag_column(True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    project: Mapped[Project] = relationship(lazy="raise")
    ticket_links: Mapped[list[TicketLink]] = relationship(
        lazy="raise", order_by="TicketLink.created_at"
    )
    pr_links: Mapped[list[PrLink]] = relationship(lazy="raise", order_by="PrLink.created_at")
    deploy_links: Mapped[list[DeployLink]] = relationship(
        lazy="raise", order_by="DeployLink.deployed_at"
    )

    __table_args__ = (
        CheckConstraint(one_of("work_type", get_args(WorkType)), name="work_type"),
        CheckConstraint(one_of("source_type", get_args(SourceType)), name="source_type"),
        CheckConstraint(
            f"completion_type IS NULL OR {one_of('completion_type', get_args(CompletionType))}",
            name="completion_type",
        ),
        CheckConstraint(
            "(completed_at IS NULL) = (completion_type IS NULL)", name="completion_complete"
        ),
        CheckConstraint(
            "uncommitted_files_count >= 0 AND ahead_of_trunk >= 0 AND behind_trunk >= 0",
            name="counts_not_negative",
        ),
        Index(
            "uq_work_items_active_branch",
            "project_id",
            "branch_name",
            unique=True,
            postgresql_where=text("active"),
        ),
        Index("ix_work_items_owner", "owner_id", postgresql_where=text("active")),
        Index("ix_work_items_source", "source_type", "source_ref", postgresql_where=text("active")),
        Index("ix_work_items_last_commit", "last_commit_hash"),
        Index("ix_work_items_merge_commit", "merge_commit_hash"),
        Index("ix_work_items_metadata", "metadata", postgresql_using="gin"),
    )

    @hybrid_property
    def status(self) -> WorkStatus:
        if self.completed_at is not None and self.completion_type is not None:
            return self.completion_type
        if self.has_uncommitted_changes:
            return "uncommitted"
        if self.ahead_of_trunk > 0 and self.behind_trunk > 0:
            return "diverged"
        if self.ahead_of_trunk > 0:
            return "ahead"
        if self.behind_trunk > 0:
            return "behind"
        return "clean"

    @status.inplace.expression
    @classmethod
    def _status_expression(cls) -> ColumnElement[WorkStatus]:
        return case(
            (cls.completed_at.is_not(None), cls.completion_type),
            (cls.has_uncommitted_changes, "uncommitted"),
            ((cls.ahead_of_trunk > 0) & (cls.behind_trunk > 0), "diverged"),
            (cls.ahead_of_trunk > 0, "ahead"),
            (cls.behind_trunk > 0, "behind"),
            else_="clean",
        )

    @property
    def completed(self) -> bool:
        return self.completed_at is not None
