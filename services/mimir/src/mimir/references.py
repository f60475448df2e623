"""References to entities, as relations and provenance make them: checked before writing."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference, BadRequest, DomainError, NotFound
from mimir.entities import EXTERNAL, TABLES
from mimir.external.schemas import EXTERNAL_TYPES
from mimir.relations.queries import entity_exists
from mimir.sql import Conn


def entity_table(entity_type: str) -> str | None:
    """mimir's table of `entity_type`, or None for an external type (e.g. `imi.work_item`);
    400 for a type mimir does not know. Within `imi.` only the types the projection keeps
    are known."""
    table = TABLES.get(entity_type)
    if table is not None:
        return table
    if entity_type.startswith("imi.") and entity_type not in EXTERNAL_TYPES:
        raise BadRequest(
            f"unknown imi entity type {entity_type!r}", type=entity_type, known=list(EXTERNAL_TYPES)
        )
    if EXTERNAL.match(entity_type):
        return None
    raise BadRequest(f"unknown entity type {entity_type!r}", type=entity_type, known=sorted(TABLES))


async def check_entity(
    conn: Conn, entity_type: str, entity_id: UUID, missing: type[DomainError] = BadReference
) -> None:
    """400 unless `entity_type` is known; for mimir's own types, `missing` unless the row
    exists (BadReference, 400, for an entity a write names; NotFound, 404, for a read's).

    External entities are accepted as given, even before imi's event about them arrives
    (they show as pending until then).
    """
    table = entity_table(entity_type)
    if table is not None and not await entity_exists(conn, table, entity_id):
        verdict = "not found" if missing is NotFound else "does not exist"
        raise missing(f"{entity_type} {entity_id} {verdict}", type=entity_type, id=str(entity_id))
