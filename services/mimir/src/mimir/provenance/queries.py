"""The statements of `sql/provenance.sql`: how entities were generated."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from mimir.provenance.schemas import Provenance, ProvenanceCreate
from mimir.sql import Conn, body_params, fetch_all, fetch_all_as, insert_as


async def insert_provenance(conn: Conn, record: ProvenanceCreate) -> Provenance:
    return await insert_as(conn, Provenance, "insert_provenance", body_params(record))


async def list_provenance_for_target(
    conn: Conn, target_type: str, target_id: UUID
) -> list[Provenance]:
    """Every provenance row of one entity, oldest first."""
    params = {"target_type": target_type, "target_id": target_id}
    return await fetch_all_as(conn, Provenance, "list_provenance_for_target", params)


async def list_missing_spans(conn: Conn, span_ids: Sequence[UUID]) -> list[UUID]:
    """The given span ids that do not exist."""
    rows = await fetch_all(conn, "list_missing_spans", {"ids": list(span_ids)})
    return [row["id"] for row in rows]
