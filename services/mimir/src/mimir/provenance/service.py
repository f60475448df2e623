"""Provenance rules: the target and every evidence span must exist."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference
from mimir.entities import check_entity
from mimir.provenance.schemas import ProvenanceCreate
from mimir.sql import Conn, Row, body_params, fetch_all, insert


async def record(conn: Conn, body: ProvenanceCreate) -> Row:
    await check_entity(conn, body.target_type, body.target_id)
    if body.evidence_span_ids:
        missing = await fetch_all(conn, "list_missing_spans", {"ids": body.evidence_span_ids})
        if missing:
            raise BadReference(
                "evidence spans do not exist", span_ids=[str(row["id"]) for row in missing]
            )
    row = await insert(conn, "insert_provenance", body_params(body))
    return row


async def for_target(conn: Conn, target_type: str, target_id: UUID) -> list[Row]:
    return await fetch_all(
        conn, "list_provenance_for_target", {"target_type": target_type, "target_id": target_id}
    )
