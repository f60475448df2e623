"""The `projects` table: one git remote, at most one active project per remote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.orm import Mapped, mapped_column

from imi.columns import (
    OptStr,
    Str,
    UUIDPk,
    created_at_column,
    flag_column,
    metadata_column,
    updated_at_column,
)
from imi.database import Base


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[UUIDPk]
    name: Mapped[Str]
    remote_origin: Mapped[Str]
    default_branch: Mapped[str] = mapped_column(default="main", server_default="main")
    trunk_path: Mapped[OptStr]
    description: Mapped[OptStr]
    meta: Mapped[dict[str, Any]] = metadata_column()
    active: Mapped[bool] = flag_column(True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index(
            "uq_projects_active_remote",
            "remote_origin",
            unique=True,
            postgresql_where=text("active"),
        ),
        Index(
            "ix_projects_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "public.gin_trgm_ops"},
        ),
        Index("ix_projects_metadata", "metadata", postgresql_using="gin"),
    )

    def __repr__(self) -> str:
        return f"Project({self.id}, {self.remote_origin!r})"
