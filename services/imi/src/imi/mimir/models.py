"""imi's projection of mimir: the decisions, intents and artifacts related to imi's entities.

Filled only from mimir's events (queue `imi.mimir_events`). A relation may arrive before the
entity it names: the entity row is then created with its kind alone and its details (title,
status, ...) stay null until the entity's own event arrives. A relation is removed when
deleted; only one deleted before its `created` event arrived stays, as a tombstone
(`deleted_at` set), so that the late event cannot bring it back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import get_args

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from imi.columns import (
    OptStr,
    OptTimestamp,
    Str,
    created_at_column,
    one_of,
    updated_at_column,
)
from imi.database import Base
from imi.mimir.schemas import Direction, ImiType, MimirKind

MIMIR_KINDS = get_args(MimirKind)
IMI_TYPES = get_args(ImiType)


class MimirEntity(Base):
    __tablename__ = "mimir_entities"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[MimirKind] = mapped_column(Text)
    title: Mapped[OptStr]
    rationale: Mapped[OptStr]
    status: Mapped[OptStr]
    superseded_by_id: Mapped[uuid.UUID | None]
    artifact_type: Mapped[OptStr]
    source: Mapped[OptStr]
    external_id: Mapped[OptStr]
    version_number: Mapped[int | None]
    event_at: Mapped[OptTimestamp]
    last_event_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (CheckConstraint(one_of("kind", MIMIR_KINDS), name="kind"),)


class MimirRelation(Base):
    __tablename__ = "mimir_relations"

    relation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    mimir_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("imi.mimir_entities.id", ondelete="CASCADE")
    )
    imi_type: Mapped[ImiType] = mapped_column(Text)
    imi_id: Mapped[uuid.UUID]
    relation_type: Mapped[Str]
    direction: Mapped[Direction] = mapped_column(Text)
    last_event_id: Mapped[uuid.UUID]
    deleted_at: Mapped[OptTimestamp]
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint(one_of("imi_type", IMI_TYPES), name="imi_type"),
        CheckConstraint(one_of("direction", get_args(Direction)), name="direction"),
        Index("ix_mimir_relations_imi", "imi_type", "imi_id"),
        Index("ix_mimir_relations_mimir", "mimir_id"),
    )
