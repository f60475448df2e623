"""Applying mimir's events to imi's projection; idempotent and tolerant of any arrival order.

Per entity, a field takes the value of the newest event that carries it (by envelope
timestamp); an older event only fills fields still null. A status never moves back (a late
`decision.recorded` does not undo `decision.superseded`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from envelope.events.mimir import RelationChanged
from imi.columns import utcnow
from imi.mimir.models import IMI_TYPES, MIMIR_KINDS, MimirEntity, MimirRelation
from imi.mimir.schemas import MimirKind

STATUS_RANK = {
    "proposed": 0,
    "tentative": 0,
    "active": 1,
    "accepted": 1,
    "rejected": 1,
    "superseded": 2,
}
log = structlog.get_logger("imi.mimir")


class MimirProjection:
    """Writes in the caller's unit of work; never commits."""

    def __init__(self, session: AsyncSession, event_id: UUID, event_at: datetime) -> None:
        self.session = session
        self.event_id = event_id
        self.event_at = event_at

    async def entity(self, kind: MimirKind, entity_id: UUID, **fields: Any) -> MimirEntity:
        """Merge what this event says about a mimir entity into its row (created if new)."""
        row = await self._row(kind, entity_id)
        newer = row.event_at is None or self.event_at >= row.event_at
        if newer:
            row.kind = kind
        else:
            log.info("stale event only fills what is missing", mimir_id=str(entity_id))
        status = fields.pop("status", None)
        if status is not None and self._advances(row.status, status, newer):
            row.status = status
        version = fields.pop("version_number", None)
        if version is not None and version >= (row.version_number or 0):
            row.version_number = version
        for name, value in fields.items():
            if value is not None and (newer or getattr(row, name) is None):
                setattr(row, name, value)
        if newer:
            row.event_at = self.event_at
            row.last_event_id = self.event_id
        await self.session.flush()
        return row

    @staticmethod
    def _advances(current: str | None, status: str, newer: bool) -> bool:
        """A later stage always wins; the same stage only from a newer event."""
        if current is None:
            return True
        rank, current_rank = STATUS_RANK.get(status, 0), STATUS_RANK.get(current, 0)
        return rank > current_rank or (rank == current_rank and newer)

    async def relate(self, relation: RelationChanged) -> None:
        """Keep a relation between a mimir decision, intent or artifact and an imi entity.

        A relation already deleted (its `deleted` event came first) stays deleted."""
        await self._store(relation, deleted=False)

    async def unrelate(self, relation: RelationChanged) -> None:
        """Remove the relation; if it is not there yet, keep a tombstone so that its late
        `created` event does not bring it back."""
        removed = await self.session.scalar(
            delete(MimirRelation)
            .where(MimirRelation.relation_id == relation.relation_id)
            .returning(MimirRelation.relation_id)
        )
        if removed is None:
            await self._store(relation, deleted=True)

    async def _store(self, relation: RelationChanged, *, deleted: bool) -> None:
        ends = self._ends(relation)
        if ends is None:
            log.info("relation not involving imi ignored", relation_id=str(relation.relation_id))
            return
        (kind, mimir_id), (imi_type, imi_id), direction = ends
        await self._row(kind, mimir_id)
        statement = insert(MimirRelation).values(
            relation_id=relation.relation_id,
            mimir_id=mimir_id,
            imi_type=imi_type,
            imi_id=imi_id,
            relation_type=relation.relation_type,
            direction=direction,
            last_event_id=self.event_id,
            deleted_at=utcnow() if deleted else None,
        )
        if deleted:
            # A `created` still uncommitted when the delete looked: tombstone it once it lands.
            statement = statement.on_conflict_do_update(
                index_elements=["relation_id"],
                set_={"deleted_at": statement.excluded.deleted_at, "last_event_id": self.event_id},
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=["relation_id"])
        await self.session.execute(statement)

    async def _row(self, kind: str, entity_id: UUID) -> MimirEntity:
        """The entity's row, locked; a new one knows only its kind until its own event comes."""
        await self.session.execute(
            insert(MimirEntity)
            .values(id=entity_id, kind=kind, last_event_id=self.event_id)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = await self.session.get(
            MimirEntity, entity_id, with_for_update=True, populate_existing=True
        )
        if row is None:
            raise RuntimeError(f"mimir entity {entity_id} vanished inside its own transaction")
        return row

    @staticmethod
    def _ends(
        relation: RelationChanged,
    ) -> tuple[tuple[str, UUID], tuple[str, UUID], str] | None:
        """(mimir end, imi end, direction), or None when the relation is not mimir ↔ imi."""
        source = (relation.source_type, relation.source_id)
        target = (relation.target_type, relation.target_id)
        for mimir_end, other, direction in (
            (source, target, "from_mimir"),
            (target, source, "to_mimir"),
        ):
            imi_type = other[0].removeprefix("imi.")
            if (
                mimir_end[0] in MIMIR_KINDS
                and other[0].startswith("imi.")
                and imi_type in IMI_TYPES
            ):
                return mimir_end, (imi_type, other[1]), direction
        return None
