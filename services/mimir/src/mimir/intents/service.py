"""Intent rules: proposed -> accepted | rejected; groups active -> deprecated | merged."""

from __future__ import annotations

from uuid import UUID

from envelope import BadReference, BadRequest, Conflict
from envelope.events.mimir import IntentDecided, IntentProposed
from mimir.filters import Resource
from mimir.intents import queries
from mimir.intents.schemas import (
    Group,
    GroupCreate,
    GroupStatus,
    Intent,
    IntentCreate,
    IntentStatus,
)
from mimir.sql import Conn, required
from mimir.transitions import check_transition
from mimir.work import Work

INTENT_TRANSITIONS = {"proposed": frozenset({"accepted", "rejected"})}
GROUP_TRANSITIONS = {"active": frozenset({"deprecated", "merged"})}
GROUP_UPDATES = {"active": frozenset({"deprecated"})}
"""What a PATCH may do to a group: a merge names its target, through POST .../merge."""


async def get_intent(conn: Conn, intent_id: UUID) -> Intent:
    """The intent (404 if absent)."""
    return required(await queries.get_intent(conn, intent_id), "intent", intent_id)


async def get_group(conn: Conn, group_id: UUID) -> Group:
    """The group with its intent count (404 if absent)."""
    return required(await queries.get_intent_group(conn, group_id), "intent group", group_id)


INTENTS = Resource(
    model=Intent,
    list_query=queries.list_intents,
    fetch=get_intent,
    alias="i",
    entity_type="intent",
    filters={
        "id": "uuid",
        "intent_group_id": "uuid",
        "statement": "text",
        "proposed_by": "text",
        "status": "text",
        "metadata": "json",
        "created_at": "datetime",
    },
)
GROUPS = Resource(
    model=Group,
    list_query=queries.list_intent_groups,
    fetch=get_group,
    alias="g",
    filters={
        "id": "uuid",
        "name": "text",
        "status": "text",
        "merged_into_id": "uuid",
        "created_at": "datetime",
    },
)


async def create_intent(work: Work, body: IntentCreate) -> Intent:
    if body.intent_group_id is not None:  # locked: a merge moving its intents waits, or is seen
        group = await queries.lock_intent_group(work.conn, body.intent_group_id)
        if group is None:
            raise BadReference(
                "the intent group does not exist", intent_group_id=str(body.intent_group_id)
            )
        if group.status != "active":
            raise Conflict(
                f"the intent group is {group.status}: it takes no new intents",
                intent_group_id=str(group.id),
                status=group.status,
                merged_into_id=str(group.merged_into_id) if group.merged_into_id else None,
            )
    row = await queries.insert_intent(work.conn, body)
    await work.created("intent", row.id)
    await work.emit(
        "mimir.intent.proposed",
        IntentProposed(
            intent_id=row.id,
            statement=row.statement,
            proposed_by=row.proposed_by,
            intent_group_id=row.intent_group_id,
        ),
    )
    return row


async def set_intent_status(work: Work, intent_id: UUID, status: IntentStatus) -> Intent:
    intent = required(await queries.lock_intent(work.conn, intent_id), "intent", intent_id)
    if intent.status == status:  # a repeat
        return intent
    check_transition("intent", INTENT_TRANSITIONS, intent.status, status, intent_id)
    row = await queries.update_intent_status(work.conn, intent_id, status)
    assert row is not None
    await work.emit(
        f"mimir.intent.{status}",
        IntentDecided(
            intent_id=intent_id,
            statement=row.statement,
            status=status,
            previous_status=intent.status,
            intent_group_id=row.intent_group_id,
        ),
    )
    return row


async def create_group(work: Work, body: GroupCreate) -> Group:
    row = await queries.insert_intent_group(work.conn, body)
    if row is None:
        taken = await queries.get_intent_group_id_by_name(work.conn, body.name)
        raise Conflict(
            "an intent group has this name",
            name=body.name,
            intent_group_id=str(taken) if taken else None,
        )
    await work.created("intent_group", row.id)
    return row


async def _set_group_status(
    work: Work,
    group_id: UUID,
    status: GroupStatus,
    into_id: UUID | None = None,
    allowed: dict[str, frozenset[str]] = GROUP_TRANSITIONS,
) -> Group:
    group = required(await queries.lock_intent_group(work.conn, group_id), "intent group", group_id)
    if group.status == status and into_id in (None, group.merged_into_id):  # a repeat
        return await get_group(work.conn, group_id)
    check_transition(
        "intent group", allowed, group.status, status, group_id, merged_into_id=group.merged_into_id
    )
    await queries.update_intent_group_status(work.conn, group_id, status, into_id)
    return await get_group(work.conn, group_id)


async def update_group(work: Work, group_id: UUID, status: GroupStatus) -> Group:
    """Deprecate an active group; another move is a 409 (a merge has its own request)."""
    return await _set_group_status(work, group_id, status, allowed=GROUP_UPDATES)


async def merge_group(work: Work, group_id: UUID, into_id: UUID) -> Group:
    """Mark the group merged into `into_id` and move its intents there."""
    if into_id == group_id:
        raise BadRequest("a group cannot be merged into itself", id=str(group_id))
    target = await queries.lock_intent_group(work.conn, into_id)
    if target is None:
        raise BadReference("the group to merge into does not exist", into_id=str(into_id))
    if target.status != "active":
        raise Conflict(
            "intent groups can only be merged into an active group",
            into_id=str(into_id),
            status=target.status,
        )
    merged = await _set_group_status(work, group_id, "merged", into_id)
    await queries.move_group_intents(work.conn, group_id, into_id)
    return merged.model_copy(update={"intent_count": 0})
