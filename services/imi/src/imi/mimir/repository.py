"""Reading the projection: the mimir entities related to a set of imi entities, in one query."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from uuid import UUID

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from imi.mimir.models import MimirEntity, MimirRelation
from imi.mimir.schemas import MimirEntityOut, MimirRelationOut


class MimirRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def related(self, refs: Mapping[str, Collection[UUID]]) -> list[MimirEntityOut]:
        """Each mimir entity related to any of `refs` (imi type → ids), with those relations
        and its successor's title when it is superseded; oldest entity first."""
        wanted = [
            and_(MimirRelation.imi_type == imi_type, MimirRelation.imi_id.in_(ids))
            for imi_type, ids in refs.items()
            if ids
        ]
        if not wanted:
            return []
        successor = aliased(MimirEntity)
        query = (
            select(MimirEntity, MimirRelation, successor.title)
            .join(MimirRelation, MimirRelation.mimir_id == MimirEntity.id)
            .outerjoin(successor, successor.id == MimirEntity.superseded_by_id)
            .where(or_(*wanted), MimirRelation.deleted_at.is_(None))
            .order_by(
                MimirEntity.created_at,
                MimirEntity.id,
                MimirRelation.created_at,
                MimirRelation.relation_id,
            )
        )
        found: dict[UUID, MimirEntityOut] = {}
        for entity, relation, successor_title in await self.session.execute(query):
            if (out := found.get(entity.id)) is None:
                out = found[entity.id] = MimirEntityOut.model_validate(entity)
                out.superseded_by_title = successor_title
            out.relations.append(MimirRelationOut.model_validate(relation))
        return list(found.values())
