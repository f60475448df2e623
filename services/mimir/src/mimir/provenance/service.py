"""Provenance rules: the target and every evidence span must exist."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference
from mimir.provenance import queries
from mimir.provenance.schemas import Provenance, ProvenanceCreate
from mimir.references import check_entity, entity_table
from mimir.sql import Conn


async def record(conn: Conn, body: ProvenanceCreate) -> Provenance:
    await check_entity(conn, body.target_type, body.target_id)
    if body.evidence_span_ids:
        missing = await queries.list_missing_spans(conn, body.evidence_span_ids)
        if missing:
            raise BadReference(
                "evidence spans do not exist", span_ids=[str(span_id) for span_id in missing]
            )
    return await queries.insert_provenance(conn, body)


async def for_target(conn: Conn, target_type: str, target_id: UUID) -> list[Provenance]:
    """The entity's rows; a type mimir does not know is a 400 (the rows of an entity since
    deleted, such as a relation, stay readable)."""
    entity_table(target_type)
    return await queries.list_provenance_for_target(conn, target_type, target_id)
