"""Relation rules: both ends must exist (for mimir's own types); traversal is bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from envelope import NotFound
from envelope.events.mimir import RelationChanged
from mimir.entities import check_entity
from mimir.external.projection import PROJECTED_TYPES, known_entities
from mimir.relations.schemas import RelationCreate
from mimir.sql import Conn, Row, body_params, fetch_all, fetch_one, insert
from mimir.work import Work


def _event(row: Row) -> RelationChanged:
    return RelationChanged(
        relation_id=row["id"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        relation_type=row["relation_type"],
        target_type=row["target_type"],
        target_id=row["target_id"],
    )


def _end(entity_type: str, entity_id: UUID, known: dict[tuple[str, UUID], Row]) -> Row | None:
    if entity_type not in PROJECTED_TYPES:
        return None
    entity = known.get((entity_type, entity_id))
    if entity is None:
        return {"status": "pending", "display_name": None, "state": None, "project_id": None}
    fields = ("display_name", "state", "project_id")
    return {"status": "confirmed", **{name: entity[name] for name in fields}}


async def with_external(conn: Conn, rows: list[Row]) -> list[Row]:
    """The relations with what the projection knows of their imi ends, read now.

    An imi end mimir has not heard of yet is `pending`; once imi's event has been projected it
    is `confirmed`, with its name and state. One statement for all the rows.
    """
    keys = [(r[f"{side}_type"], r[f"{side}_id"]) for r in rows for side in ("source", "target")]
    known = await known_entities(conn, keys)
    out = []
    for row in rows:
        source = _end(row["source_type"], row["source_id"], known)
        target = _end(row["target_type"], row["target_id"], known)
        statuses = {end["status"] for end in (source, target) if end is not None}
        status = ("pending" if "pending" in statuses else "confirmed") if statuses else None
        out.append(
            {**row, "source_external": source, "target_external": target, "external_status": status}
        )
    return out


async def create_relation(work: Work, body: RelationCreate) -> Row:
    await check_entity(work.conn, body.source_type, body.source_id)
    await check_entity(work.conn, body.target_type, body.target_id)
    row = await insert(work.conn, "insert_relation", body_params(body))
    await work.created("relation", row["id"])
    await work.emit("mimir.relation.created", _event(row))
    [created] = await with_external(work.conn, [row])
    return created


async def delete_relation(work: Work, relation_id: UUID) -> None:
    row = await fetch_one(work.conn, "delete_relation", {"id": relation_id})
    if row is None:
        raise NotFound("relation not found", id=str(relation_id))
    await work.emit("mimir.relation.deleted", _event(row))


async def relations_of(conn: Conn, entity_type: str, entity_id: UUID) -> list[Row]:
    rows = await fetch_all(conn, "list_relations_of_entity", {"type": entity_type, "id": entity_id})
    return await with_external(conn, rows)


Node = tuple[str, UUID]


@dataclass
class Traversed:
    """What a traversal reached: relations by hop count, nodes at their fewest hops."""

    relations: list[Row]
    nodes: list[dict[str, object]]
    truncated: bool


async def traverse(
    conn: Conn,
    start: Node,
    depth: int,
    direction: Literal["out", "in", "both"],
    relation_type: str | None,
    max_edges: int,
) -> Traversed:
    """Breadth-first, one statement per hop: each node is entered once, at its fewest hops.

    A relation is reported once, at the hop where it is first met; the walk stops expanding
    as soon as `max_edges` relations have been reported (then `truncated`), so the work is
    bounded by the answer's size instead of by the number of paths.
    """
    visited: dict[Node, int] = {start: 0}
    frontier: list[Node] = [start]
    relations: list[Row] = []
    outgoing, incoming = direction in ("out", "both"), direction in ("in", "both")
    truncated = False
    for hop in range(1, depth + 1):
        if not frontier:
            break
        room = max_edges - len(relations)
        rows = await fetch_all(
            conn,
            "relations_around",
            {
                "types": [node[0] for node in frontier],
                "ids": [node[1] for node in frontier],
                "outgoing": outgoing,
                "incoming": incoming,
                "relation_type": relation_type,
                "seen": [row["id"] for row in relations],
                "limit": room + 1,
            },
        )
        if len(rows) > room:
            rows, truncated = rows[:room], True
        ends = set(frontier)
        frontier = []
        for row in rows:
            source: Node = (row["source_type"], row["source_id"])
            target: Node = (row["target_type"], row["target_id"])
            node = target if outgoing and source in ends else source
            relations.append({**row, "depth": hop, "node_type": node[0], "node_id": node[1]})
            if node not in visited:
                visited[node] = hop
                frontier.append(node)
        if truncated:
            break
    nodes = [{"type": t, "id": i, "depth": d} for (t, i), d in visited.items() if d > 0]
    return Traversed(await with_external(conn, relations), nodes, truncated)
