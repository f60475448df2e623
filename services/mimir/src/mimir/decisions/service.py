"""Decision rules: tentative -> active -> superseded, superseding names a live successor."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference, BadRequest, Conflict
from envelope.events.mimir import DecisionRecorded, DecisionSuperseded
from mimir.decisions.schemas import DecisionCreate, DecisionUpdate
from mimir.sql import Row, body_params, fetch_one, fetch_required, insert
from mimir.transitions import check_transition
from mimir.work import Work

TRANSITIONS = {"tentative": frozenset({"active"}), "active": frozenset({"superseded"})}


async def record(work: Work, body: DecisionCreate) -> Row:
    row = await insert(work.conn, "insert_decision", body_params(body))
    await work.created("decision", row["id"])
    await work.emit(
        "mimir.decision.recorded",
        DecisionRecorded(
            decision_id=row["id"],
            statement=row["statement"],
            rationale=row["rationale"],
            status=row["status"],
        ),
    )
    return row


async def update(work: Work, decision_id: UUID, body: DecisionUpdate) -> Row:
    decision = await fetch_required(work.conn, "lock_decision", "decision", {"id": decision_id})
    check_transition("decision", TRANSITIONS, decision["status"], body.status, decision_id)
    if body.status == "superseded":
        await _check_successor(work, decision_id, body.superseded_by_id)
    elif body.superseded_by_id is not None:
        raise BadRequest("superseded_by_id is only allowed when superseding")
    row = await fetch_one(
        work.conn,
        "update_decision_status",
        {"id": decision_id, "status": body.status, "superseded_by_id": body.superseded_by_id},
    )
    assert row is not None
    if body.status == "superseded":
        assert body.superseded_by_id is not None
        await work.emit(
            "mimir.decision.superseded",
            DecisionSuperseded(
                decision_id=decision_id,
                statement=row["statement"],
                superseded_by_id=body.superseded_by_id,
            ),
        )
    return row


async def _check_successor(work: Work, decision_id: UUID, successor_id: UUID | None) -> None:
    """The successor must exist, differ, and not be superseded itself (no cycles)."""
    if successor_id is None:
        raise BadRequest("superseding a decision requires superseded_by_id")
    if successor_id == decision_id:
        raise BadRequest("a decision cannot supersede itself", id=str(decision_id))
    successor = await fetch_one(work.conn, "lock_decision", {"id": successor_id})
    if successor is None:
        raise BadReference("the successor decision does not exist", id=str(successor_id))
    if successor["status"] == "superseded":
        raise Conflict(
            "the successor is itself superseded", id=str(successor_id), status="superseded"
        )
