"""Intent rules: proposed -> accepted | rejected; groups active -> deprecated | merged."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference, BadRequest, Conflict
from envelope.events.mimir import IntentDecided, IntentProposed
from mimir.intents.schemas import GroupCreate, IntentCreate
from mimir.sql import Row, body_params, execute, fetch_one, fetch_required, insert
from mimir.transitions import check_transition
from mimir.work import Work

INTENT_TRANSITIONS = {"proposed": frozenset({"accepted", "rejected"})}
GROUP_TRANSITIONS = {"active": frozenset({"deprecated", "merged"})}


async def create_intent(work: Work, body: IntentCreate) -> Row:
    row = await insert(work.conn, "insert_intent", body_params(body))
    await work.created("intent", row["id"])
    await work.emit(
        "mimir.intent.proposed",
        IntentProposed(
            intent_id=row["id"],
            statement=row["statement"],
            proposed_by=row["proposed_by"],
            intent_group_id=row["intent_group_id"],
        ),
    )
    return row


async def set_intent_status(work: Work, intent_id: UUID, status: str) -> Row:
    intent = await fetch_required(work.conn, "lock_intent", "intent", {"id": intent_id})
    check_transition("intent", INTENT_TRANSITIONS, intent["status"], status, intent_id)
    row = await fetch_one(work.conn, "update_intent_status", {"id": intent_id, "status": status})
    assert row is not None
    await work.emit(
        f"mimir.intent.{status}",
        IntentDecided(
            intent_id=intent_id,
            statement=row["statement"],
            status=status,
            previous_status=intent["status"],
            intent_group_id=row["intent_group_id"],
        ),
    )
    return row


async def create_group(work: Work, body: GroupCreate) -> Row:
    row = await insert(work.conn, "insert_intent_group", body_params(body))
    await work.created("intent_group", row["id"])
    return {**row, "intent_count": 0}


async def _set_group_status(
    work: Work, group_id: UUID, status: str, into_id: UUID | None = None
) -> Row:
    group = await fetch_required(work.conn, "lock_intent_group", "intent group", {"id": group_id})
    check_transition("intent group", GROUP_TRANSITIONS, group["status"], status, group_id)
    await execute(
        work.conn,
        "update_intent_group_status",
        {"id": group_id, "status": status, "merged_into_id": into_id},
    )
    return await fetch_required(work.conn, "get_intent_group", "intent group", {"id": group_id})


async def deprecate_group(work: Work, group_id: UUID) -> Row:
    return await _set_group_status(work, group_id, "deprecated")


async def merge_group(work: Work, group_id: UUID, into_id: UUID) -> Row:
    """Mark the group merged into `into_id` and move its intents there."""
    if into_id == group_id:
        raise BadRequest("a group cannot be merged into itself", id=str(group_id))
    target = await fetch_one(work.conn, "lock_intent_group", {"id": into_id})
    if target is None:
        raise BadReference("the group to merge into does not exist", into_id=str(into_id))
    if target["status"] != "active":
        raise Conflict(
            "intent groups can only be merged into an active group",
            into_id=str(into_id),
            status=target["status"],
        )
    merged = await _set_group_status(work, group_id, "merged", into_id)
    await execute(work.conn, "move_group_intents", {"from_id": group_id, "into_id": into_id})
    return {**merged, "intent_count": 0}
