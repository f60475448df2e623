"""The `projects` table: one git remote, at most one active project per remote.

`x`, `x/` and `x.git` are one remote, and so are a forge's HTTPS and SSH spellings
(`https://github.com/acme/api`, `git@github.com:acme/api.git`): the unique index is on the
normalised `remote_key`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Computed, Index, Text, text
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

REMOTE_KEY_SQL = "imi.remote_key(remote_origin)"


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[UUIDPk]
    name: Mapped[Str]
    remote_origin: Mapped[Str]
    # What makes two spellings one remote; `imi.projects.repository.remote_key` is its twin.
    remote_key: Mapped[str] = mapped_column(Text, Computed(REMOTE_KEY_SQL, persisted=True))
    default_branch: Mapped[str] = mapped_column(default="main", server_default="main")
    trunk_path: Mapped[OptStr]
    description: Mapped[OptStr]
    meta: Mapped[dict[str, Any]] = metadata_column()
    active: Mapped[bool] = flag_column(True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index(
            "uq_projects_active_remote_key",
            "remote_key",
            unique=True,
            postgresql_where=text("active"),
        ),
        Index("ix_projects_remote_key", "remote_key"),
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
