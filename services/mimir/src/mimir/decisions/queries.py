"""The statements of `sql/decisions.sql`: decisions and their supersession chains."""

from __future__ import annotations

from uuid import UUID

from mimir.decisions.schemas import ChainLink, Decision, DecisionCreate, DecisionStatus
from mimir.sql import Conn, body_params, fetch_all_as, fetch_one_as, insert_as, page_query


async def insert_decision(conn: Conn, body: DecisionCreate) -> Decision:
    return await insert_as(conn, Decision, "insert_decision", body_params(body))


async def get_decision(conn: Conn, decision_id: UUID) -> Decision | None:
    return await fetch_one_as(conn, Decision, "get_decision", {"id": decision_id})


async def lock_decision(conn: Conn, decision_id: UUID) -> Decision | None:
    """The decision, locked until commit."""
    return await fetch_one_as(conn, Decision, "lock_decision", {"id": decision_id})


async def update_decision_status(
    conn: Conn, decision_id: UUID, status: DecisionStatus, superseded_by_id: UUID | None
) -> Decision | None:
    """The decision with its new status (and successor, when superseded)."""
    params = {"id": decision_id, "status": status, "superseded_by_id": superseded_by_id}
    return await fetch_one_as(conn, Decision, "update_decision_status", params)


list_decisions = page_query("list_decisions")


async def get_decision_chain(conn: Conn, decision_id: UUID) -> list[ChainLink]:
    """The supersession chain through the decision, oldest first."""
    return await fetch_all_as(conn, ChainLink, "get_decision_chain", {"id": decision_id})
