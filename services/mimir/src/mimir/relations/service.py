"""Relation rules: both ends must exist (for mimir's own types); traversal is bounded."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from envelope import NotFound
from envelope.events.mimir import RelationChanged
from mimir.deps import Work
from mimir.entities import check_entity
from mimir.relations.schemas import RelationCreate
from mimir.sql import Conn, Row, body_params, fetch_all, fetch_one, insert

MAX_TRAVERSED_EDGES = 1000


def _event(row: Row) -> RelationChanged:
    return RelationChanged(
        relation_id=row["id"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        relation_type=row["relation_type"],
        target_type=row["target_type"],
        target_id=row["target_id"],
    )


async def create_relation(work: Work, body: RelationCreate) -> Row:
    await check_entity(work.conn, body.source_type, body.source_id)
    await check_entity(work.conn, body.target_type, body.target_id)
    row = await insert(work.conn, "insert_relation", body_params(body))
    await work.created("relation", row["id"])
    await work.emit("mimir.relation.created", _event(row))
    return row


async def delete_relation(work: Work, relation_id: UUID) -> None:
    row = await fetch_one(work.conn, "delete_relation", {"id": relation_id})
    if row is None:
        raise NotFound("relation not found", id=str(relation_id))
    await work.emit("mimir.relation.deleted", _event(row))


async def relations_of(conn: Conn, entity_type: str, entity_id: UUID) -> list[Row]:
    return await fetch_all(conn, "list_relations_of_entity", {"type": entity_type, "id": entity_id})


async def traverse(
    conn: Conn,
    start_type: str,
    start_id: UUID,
    depth: int,
    direction: Literal["out", "in", "both"],
    relation_type: str | None,
) -> tuple[list[Row], list[dict[str, object]]]:
    """Relations within `depth` hops (each once, at its fewest hops) and the nodes reached."""
    rows = await fetch_all(
        conn,
        "traverse_relations",
        {
            "type": start_type,
            "id": start_id,
            "depth": depth,
            "outgoing": direction in ("out", "both"),
            "incoming": direction in ("in", "both"),
            "relation_type": relation_type,
            "max_edges": MAX_TRAVERSED_EDGES,
        },
    )
    rows.sort(key=lambda row: (row["depth"], row["created_at"], row["id"]))
    nodes: dict[tuple[str, UUID], int] = {}
    for row in rows:
        key = (row["node_type"], row["node_id"])
        if key != (start_type, start_id):
            nodes.setdefault(key, row["depth"])
    return rows, [{"type": t, "id": i, "depth": d} for (t, i), d in nodes.items()]
