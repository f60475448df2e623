"""Reading the projection: imi's entities as mimir knows them."""

from __future__ import annotations

from uuid import UUID

from mimir.external import queries
from mimir.external.schemas import ExternalEntity, ExternalType
from mimir.filters import Resource
from mimir.sql import Conn, required

EXTERNAL = Resource(
    model=ExternalEntity,
    list_query=queries.list_external_entities,
    alias="x",
    filters={
        "entity_type": "text",
        "id": "uuid",
        "display_name": "text",
        "state": "text",
        "project_id": "uuid",
        "metadata": "json",
        "updated_at": "datetime",
    },
)


async def get_external(conn: Conn, entity_type: ExternalType, entity_id: UUID) -> ExternalEntity:
    """One projected entity; 404 until imi's event about it has been applied."""
    row = await queries.get_external_entity(conn, entity_type, entity_id)
    return required(row, entity_type, entity_id)
