"""Links from a work item to tickets, pull requests and deploys.

`event_at` of a ticket or PR link: the envelope timestamp of the newest event applied to it
(`imi.ordering`). Deploy links are only ever added, so they need none.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, get_args

from sqlalchemy import CheckConstraint, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from envelope.events.imi import PrState
from imi.columns import (
    OptStr,
    OptTimestamp,
    Str,
    UUIDPk,
    created_at_column,
    metadata_column,
    one_of,
    reference,
    updated_at_column,
    utcnow,
)
from imi.database import Base


class TicketLink(Base):
    __tablename__ = "ticket_links"

    id: Mapped[UUIDPk]
    work_item_id: Mapped[uuid.UUID] = reference("work_items")
    plane_ticket_id: Mapped[Str]
    ticket_title: Mapped[OptStr]
    ticket_url: Mapped[OptStr]
    meta: Mapped[dict[str, Any]] = metadata_column()
    event_at: Mapped[OptTimestamp]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        UniqueConstraint("work_item_id", "plane_ticket_id"),
        Index("ix_ticket_links_ticket", "plane_ticket_id"),
    )


class PrLink(Base):
    __tablename__ = "pr_links"

    id: Mapped[UUIDPk]
    work_item_id: Mapped[uuid.UUID] = reference("work_items")
    pr_number: Mapped[int]
    pr_url: Mapped[OptStr]
    pr_state: Mapped[PrState] = mapped_column(Text, default="open", server_default="open")
    pr_title: Mapped[OptStr]
    meta: Mapped[dict[str, Any]] = metadata_column()
    event_at: Mapped[OptTimestamp]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        CheckConstraint(one_of("pr_state", get_args(PrState)), name="pr_state"),
        CheckConstraint("pr_number > 0", name="pr_number_positive"),
        UniqueConstraint("work_item_id", "pr_number"),
        Index("ix_pr_links_pr", "pr_number"),
    )


class DeployLink(Base):
    __tablename__ = "deploy_links"

    id: Mapped[UUIDPk]
    work_item_id: Mapped[uuid.UUID] = reference("work_items")
    deploy_id: Mapped[OptStr]
    environment: Mapped[Str]
    commit_hash: Mapped[Str]
    deployed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    meta: Mapped[dict[str, Any]] = metadata_column()
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index(
            "ix_deploy_links_commit_prefix",
            "commit_hash",
            postgresql_ops={"commit_hash": "text_pattern_ops"},
        ),
        Index("ix_deploy_links_deploy", "deploy_id"),
        Index("ix_deploy_links_work_env", "work_item_id", "environment", "deployed_at"),
    )
