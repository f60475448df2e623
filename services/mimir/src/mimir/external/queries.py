"""The statements of `sql/external.sql`: imi's entities as mimir has projected them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg.types.json import Jsonb

from mimir.external.schemas import ExternalEntity
from mimir.sql import Conn, fetch_all_as, fetch_one_as, page_query, query


@dataclass(frozen=True)
class ExternalRow:
    """One row of `external_entities`, keyed by (entity_type, entity_id)."""

    entity_type: str
    entity_id: UUID
    display_name: str
    state: str | None
    project_id: UUID | None
    metadata: dict[str, Any]
    updated_at: datetime


async def upsert_external_entity(
    conn: Conn,
    *,
    entity_type: str,
    entity_id: UUID,
    display_name: str,
    state: str | None,
    project_id: UUID | None,
    metadata: dict[str, Any],
    updated_at: datetime,
    event_id: UUID,
    event_type: str,
) -> ExternalRow | None:
    """The stored row after an event about it (the newer event wins each field)."""
    params = {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "display_name": display_name,
        "state": state,
        "project_id": project_id,
        "metadata": Jsonb(metadata),
        "updated_at": updated_at,
        "event_id": event_id,
        "event_type": event_type,
    }
    return await fetch_one_as(conn, ExternalRow, "upsert_external_entity", params)


async def list_external_entities_by_keys(
    conn: Conn, types: Sequence[str], ids: Sequence[UUID]
) -> list[ExternalRow]:
    """The projected entities among the pairs (types[i], ids[i]); unknown pairs have no row."""
    params = {"types": list(types), "ids": list(ids)}
    return await fetch_all_as(conn, ExternalRow, "list_external_entities_by_keys", params)


async def get_external_entity(
    conn: Conn, entity_type: str, entity_id: UUID
) -> ExternalEntity | None:
    params = {"entity_type": entity_type, "id": entity_id}
    return await fetch_one_as(conn, ExternalEntity, "get_external_entity", params)


list_external_entities = page_query("list_external_entities")


def in_project_fragment(
    entity_id: sql.Composable, entity_type: sql.Composable, project_id: sql.Composable
) -> sql.Composable:
    """Condition: `entity_id` (of `entity_type`) is related, either way, to the imi project
    `project_id` or to an entity the projection places in it."""
    return query(
        "fragment_in_project", id=entity_id, entity_type=entity_type, project_id=project_id
    )
