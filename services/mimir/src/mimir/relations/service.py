"""Relation rules: both ends must exist (for mimir's own types); traversal is bounded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar
from uuid import UUID

from envelope import BadRequest, Conflict, LimitExceeded, NotFound
from envelope.events.mimir import RelationChanged
from mimir.external.projection import PROJECTED_TYPES, known_entities
from mimir.external.queries import ExternalRow
from mimir.filters import Resource
from mimir.references import check_entity
from mimir.relations import queries
from mimir.relations.schemas import (
    ExternalEnd,
    Node,
    Relation,
    RelationCreate,
    Traversal,
    TraversedRelation,
)
from mimir.sql import Conn, Row
from mimir.work import Work

R = TypeVar("R", bound=Relation)
Ends = tuple[str, UUID, str, UUID]
"""A relation's source type and id, then its target type and id."""


def _event(row: Relation) -> RelationChanged:
    return RelationChanged(
        relation_id=row.id,
        source_type=row.source_type,
        source_id=row.source_id,
        relation_type=row.relation_type,
        target_type=row.target_type,
        target_id=row.target_id,
    )


def _end(
    entity_type: str, entity_id: UUID, known: dict[tuple[str, UUID], ExternalRow]
) -> ExternalEnd | None:
    if entity_type not in PROJECTED_TYPES:
        return None
    entity = known.get((entity_type, entity_id))
    if entity is None:
        return ExternalEnd(status="pending")
    return ExternalEnd(
        status="confirmed",
        display_name=entity.display_name,
        state=entity.state,
        project_id=entity.project_id,
    )


async def _externals(conn: Conn, relations: Sequence[Ends]) -> list[dict[str, Any]]:
    """For each relation, what the projection knows of its imi ends, read now.

    An imi end mimir has not heard of yet is `pending`; once imi's event has been projected it
    is `confirmed`, with its name and state. One statement for all the relations.
    """
    keys = [
        key for s_type, s_id, t_type, t_id in relations for key in ((s_type, s_id), (t_type, t_id))
    ]
    known = await known_entities(conn, keys)
    out = []
    for source_type, source_id, target_type, target_id in relations:
        source = _end(source_type, source_id, known)
        target = _end(target_type, target_id, known)
        statuses = {end.status for end in (source, target) if end is not None}
        status = ("pending" if "pending" in statuses else "confirmed") if statuses else None
        out.append(
            {"source_external": source, "target_external": target, "external_status": status}
        )
    return out


async def _page_with_external(conn: Conn, rows: list[Row]) -> list[Row]:
    ends = [(r["source_type"], r["source_id"], r["target_type"], r["target_id"]) for r in rows]
    return [{**row, **known} for row, known in zip(rows, await _externals(conn, ends), strict=True)]


async def with_external(conn: Conn, relations: list[R]) -> list[R]:
    """The relations with what the projection knows of their imi ends."""
    ends = [(r.source_type, r.source_id, r.target_type, r.target_id) for r in relations]
    known = await _externals(conn, ends)
    return [r.model_copy(update=k) for r, k in zip(relations, known, strict=True)]


RELATIONS = Resource(
    model=Relation,
    list_query=queries.list_relations,
    alias="r",
    enrich=_page_with_external,
    filters={
        "id": "uuid",
        "source_type": "text",
        "source_id": "uuid",
        "relation_type": "text",
        "target_type": "text",
        "target_id": "uuid",
        "metadata": "json",
        "created_at": "datetime",
    },
)


async def create_relation(work: Work, body: RelationCreate) -> tuple[Relation, bool]:
    """The relation and whether this request created it: the same relation asked for again
    (metadata included) is returned as it is; with other metadata it is a 409. An entity
    related to itself says nothing (400), as a component's relationship to itself in imi."""
    if (body.source_type, body.source_id) == (body.target_type, body.target_id):
        raise BadRequest("an entity cannot relate to itself", id=str(body.source_id))
    await check_entity(work.conn, body.source_type, body.source_id)
    await check_entity(work.conn, body.target_type, body.target_id)
    row = await queries.insert_relation(work.conn, body)
    if row is None:
        # a new statement: it sees the row even when a concurrent request committed it
        existing = await queries.get_relation_by_ends(work.conn, body)
        if existing is None or existing.metadata != body.metadata:
            raise Conflict(
                "the entities are related so already, with other metadata",
                relation_id=str(existing.id) if existing else None,
            )
        [found] = await with_external(work.conn, [existing])
        return found, False
    await work.created("relation", row.id)
    await work.emit("mimir.relation.created", _event(row))
    [created] = await with_external(work.conn, [row])
    return created, True


async def delete_relation(work: Work, relation_id: UUID) -> None:
    row = await queries.delete_relation(work.conn, relation_id)
    if row is None:
        raise NotFound("relation not found", id=str(relation_id))
    await work.emit("mimir.relation.deleted", _event(row))


async def relations_of(conn: Conn, entity_type: str, entity_id: UUID) -> list[Relation]:
    rows = await queries.list_relations_of_entity(conn, entity_type, entity_id)
    return await with_external(conn, rows)


NodeKey = tuple[str, UUID]


async def traverse(
    work: Work,
    start: NodeKey,
    depth: int,
    direction: Literal["out", "in", "both"],
    relation_type: str | None,
    max_edges: int | None,
) -> Traversal:
    """Breadth-first, one statement per hop: each node is entered once, at its fewest hops.

    A relation is reported once, at the hop where it is first met; the walk stops expanding
    as soon as `max_edges` relations have been reported (then `truncated`), so the work is
    bounded by the answer's size instead of by the number of paths. `max_edges` defaults to,
    and may not exceed, the configured most (400 `LIMIT_EXCEEDED`).
    """
    await check_entity(work.conn, *start, missing=NotFound)  # 400: unknown type; 404: missing
    most = work.settings.traversal_max_edges
    if max_edges is not None and max_edges > most:
        raise LimitExceeded(f"max_edges may be at most {most}", max_edges=max_edges, limit=most)
    limit = max_edges or most
    visited: dict[NodeKey, int] = {start: 0}
    frontier: list[NodeKey] = [start]
    relations: list[TraversedRelation] = []
    outgoing, incoming = direction in ("out", "both"), direction in ("in", "both")
    truncated = False
    for hop in range(1, depth + 1):
        if not frontier:
            break
        room = limit - len(relations)
        rows = await queries.relations_around(
            work.conn,
            frontier,
            outgoing=outgoing,
            incoming=incoming,
            relation_type=relation_type,
            seen=[row.id for row in relations],
            limit=room + 1,
        )
        if len(rows) > room:
            rows, truncated = rows[:room], True
        ends = set(frontier)
        frontier = []
        for row in rows:
            source: NodeKey = (row.source_type, row.source_id)
            target: NodeKey = (row.target_type, row.target_id)
            node = target if outgoing and source in ends else source
            relations.append(
                TraversedRelation(**dict(row), depth=hop, node_type=node[0], node_id=node[1])
            )
            if node not in visited:
                visited[node] = hop
                frontier.append(node)
        if truncated:
            break
    return Traversal(
        start_type=start[0],
        start_id=start[1],
        direction=direction,
        max_depth=depth,
        max_edges=limit,
        truncated=truncated,
        nodes=[Node(type=t, id=i, depth=d) for (t, i), d in visited.items() if d > 0],
        relations=await with_external(work.conn, relations),
    )
