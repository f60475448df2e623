"""Decision rules: tentative -> active -> superseded, superseding names a live successor."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference, BadRequest, Conflict
from envelope.events.mimir import DecisionActivated, DecisionRecorded, DecisionSuperseded
from mimir.decisions import queries
from mimir.decisions.schemas import ChainLink, Decision, DecisionCreate, DecisionUpdate
from mimir.filters import Resource
from mimir.sql import Conn, required
from mimir.transitions import check_transition
from mimir.work import Work

TRANSITIONS = {"tentative": frozenset({"active"}), "active": frozenset({"superseded"})}


async def get_decision(conn: Conn, decision_id: UUID) -> Decision:
    """The decision (404 if absent)."""
    return required(await queries.get_decision(conn, decision_id), "decision", decision_id)


DECISIONS = Resource(
    model=Decision,
    list_query=queries.list_decisions,
    fetch=get_decision,
    alias="d",
    entity_type="decision",
    filters={
        "id": "uuid",
        "statement": "text",
        "rationale": "text",
        "status": "text",
        "superseded_by_id": "uuid",
        "metadata": "json",
        "created_at": "datetime",
    },
)


async def record(work: Work, body: DecisionCreate) -> Decision:
    row = await queries.insert_decision(work.conn, body)
    await work.created("decision", row.id)
    await work.emit(
        "mimir.decision.recorded",
        DecisionRecorded(
            decision_id=row.id,
            statement=row.statement,
            rationale=row.rationale,
            status=row.status,
        ),
    )
    return row


async def update(work: Work, decision_id: UUID, body: DecisionUpdate) -> Decision:
    decision = required(
        await queries.lock_decision(work.conn, decision_id), "decision", decision_id
    )
    if (decision.status, decision.superseded_by_id) == (body.status, body.superseded_by_id):
        return decision  # a repeat
    check_transition(
        "decision",
        TRANSITIONS,
        decision.status,
        body.status,
        decision_id,
        superseded_by_id=decision.superseded_by_id,
    )
    if body.status == "superseded":
        await _check_successor(work, decision_id, body.superseded_by_id)
    elif body.superseded_by_id is not None:
        raise BadRequest("superseded_by_id is only allowed when superseding")
    row = await queries.update_decision_status(
        work.conn, decision_id, body.status, body.superseded_by_id
    )
    assert row is not None
    if body.status == "superseded":
        assert body.superseded_by_id is not None
        await work.emit(
            "mimir.decision.superseded",
            DecisionSuperseded(
                decision_id=decision_id,
                statement=row.statement,
                superseded_by_id=body.superseded_by_id,
            ),
        )
    else:
        await work.emit(
            "mimir.decision.activated",
            DecisionActivated(decision_id=decision_id, statement=row.statement),
        )
    return row


async def chain(conn: Conn, decision_id: UUID) -> list[ChainLink]:
    """The decisions this one superseded (transitively), itself, and those that superseded
    it, oldest first (404 if it does not exist)."""
    await get_decision(conn, decision_id)
    return await queries.get_decision_chain(conn, decision_id)


async def _check_successor(work: Work, decision_id: UUID, successor_id: UUID | None) -> None:
    """The successor must exist, differ, and not be superseded itself (no cycles)."""
    if successor_id is None:
        raise BadRequest("superseding a decision requires superseded_by_id")
    if successor_id == decision_id:
        raise BadRequest("a decision cannot supersede itself", id=str(decision_id))
    successor = await queries.lock_decision(work.conn, successor_id)
    if successor is None:
        raise BadReference("the successor decision does not exist", id=str(successor_id))
    if successor.status == "superseded":
        raise Conflict(
            "the successor is itself superseded", id=str(successor_id), status="superseded"
        )
