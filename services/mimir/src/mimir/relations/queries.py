"""The statements of `sql/relations.sql`: typed edges between entities."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from psycopg import sql

from mimir.relations.schemas import Relation, RelationCreate
from mimir.sql import (
    Conn,
    body_params,
    fetch_all_as,
    fetch_one,
    fetch_one_as,
    page_query,
)


async def entity_exists(conn: Conn, table: str, entity_id: UUID) -> bool:
    """Whether `table` (one of mimir's, from an allow-list) has a row with this id."""
    found = await fetch_one(conn, "entity_exists", {"id": entity_id}, table=sql.Identifier(table))
    return bool(found and found["found"])


async def insert_relation(conn: Conn, body: RelationCreate) -> Relation | None:
    """The new relation, or None when the same (source, type, target) exists already."""
    return await fetch_one_as(conn, Relation, "insert_relation", body_params(body))


async def get_relation_by_ends(conn: Conn, body: RelationCreate) -> Relation | None:
    return await fetch_one_as(conn, Relation, "get_relation_by_ends", body_params(body))


async def delete_relation(conn: Conn, relation_id: UUID) -> Relation | None:
    """The deleted relation, or None if there was none with this id."""
    return await fetch_one_as(conn, Relation, "delete_relation", {"id": relation_id})


list_relations = page_query("list_relations")


async def list_relations_of_entity(conn: Conn, entity_type: str, entity_id: UUID) -> list[Relation]:
    """Every relation with the entity at either end, newest first."""
    params = {"type": entity_type, "id": entity_id}
    return await fetch_all_as(conn, Relation, "list_relations_of_entity", params)


async def relations_around(
    conn: Conn,
    frontier: Sequence[tuple[str, UUID]],
    *,
    outgoing: bool,
    incoming: bool,
    relation_type: str | None,
    seen: Sequence[UUID],
    limit: int,
) -> list[Relation]:
    """One breadth-first hop: the unseen relations at the frontier's nodes, oldest first."""
    params = {
        "types": [node[0] for node in frontier],
        "ids": [node[1] for node in frontier],
        "outgoing": outgoing,
        "incoming": incoming,
        "relation_type": relation_type,
        "seen": list(seen),
        "limit": limit,
    }
    return await fetch_all_as(conn, Relation, "relations_around", params)
