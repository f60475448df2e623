"""Entity type names used by relations and provenance, and the tables behind mimir's own."""

from __future__ import annotations

import re
from uuid import UUID

from psycopg import sql

from envelope import BadReference, BadRequest
from mimir.external.schemas import EXTERNAL_TYPES
from mimir.sql import Conn, fetch_one

TABLES = {
    "artifact": "artifacts",
    "artifact_version": "artifact_versions",
    "span": "spans",
    "intent": "intents",
    "intent_group": "intent_groups",
    "decision": "decisions",
    "relation": "relations",
    "embedding_space": "embedding_spaces",
}
EXTERNAL = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
TYPE_DESCRIPTION = (
    "One of mimir's entity types (artifact, artifact_version, span, intent, intent_group, "
    "decision, relation, embedding_space) or an external type namespaced by its service, "
    "e.g. imi.project"
)


async def check_entity(conn: Conn, entity_type: str, entity_id: UUID) -> None:
    """400 unless `entity_type` is known and, for mimir's own types, the row exists.

    External entities (e.g. `imi.work_item`) are accepted as given, even before imi's event
    about them arrives (they show as pending until then); within `imi.` only the types the
    projection keeps are accepted.
    """
    table = TABLES.get(entity_type)
    if table is None:
        if entity_type.startswith("imi.") and entity_type not in EXTERNAL_TYPES:
            raise BadRequest(
                f"unknown imi entity type {entity_type!r}",
                type=entity_type,
                known=list(EXTERNAL_TYPES),
            )
        if EXTERNAL.match(entity_type):
            return
        raise BadRequest(
            f"unknown entity type {entity_type!r}", type=entity_type, known=sorted(TABLES)
        )
    found = await fetch_one(conn, "entity_exists", {"id": entity_id}, table=sql.Identifier(table))
    if not (found and found["found"]):
        raise BadReference(
            f"{entity_type} {entity_id} does not exist", type=entity_type, id=str(entity_id)
        )
