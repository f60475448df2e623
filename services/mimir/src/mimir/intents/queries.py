"""The statements of `sql/intents.sql`: intents and the groups they are filed under."""

from __future__ import annotations

from uuid import UUID

from mimir.intents.schemas import (
    Group,
    GroupCreate,
    GroupStatus,
    Intent,
    IntentCreate,
    IntentStatus,
)
from mimir.sql import Conn, body_params, execute, fetch_one, fetch_one_as, insert_as, page_query


async def insert_intent(conn: Conn, body: IntentCreate) -> Intent:
    return await insert_as(conn, Intent, "insert_intent", body_params(body))


async def get_intent(conn: Conn, intent_id: UUID) -> Intent | None:
    return await fetch_one_as(conn, Intent, "get_intent", {"id": intent_id})


async def lock_intent(conn: Conn, intent_id: UUID) -> Intent | None:
    """The intent, locked until commit."""
    return await fetch_one_as(conn, Intent, "lock_intent", {"id": intent_id})


async def update_intent_status(conn: Conn, intent_id: UUID, status: IntentStatus) -> Intent | None:
    params = {"id": intent_id, "status": status}
    return await fetch_one_as(conn, Intent, "update_intent_status", params)


list_intents = page_query("list_intents")


async def insert_intent_group(conn: Conn, body: GroupCreate) -> Group | None:
    """The new group (active, no intents yet), or None when the name is taken."""
    return await fetch_one_as(conn, Group, "insert_intent_group", body_params(body))


async def get_intent_group_id_by_name(conn: Conn, name: str) -> UUID | None:
    row = await fetch_one(conn, "get_intent_group_id_by_name", {"name": name})
    return row["id"] if row else None


async def get_intent_group(conn: Conn, group_id: UUID) -> Group | None:
    """The group with the number of intents in it."""
    return await fetch_one_as(conn, Group, "get_intent_group", {"id": group_id})


async def lock_intent_group(conn: Conn, group_id: UUID) -> Group | None:
    """The group (without its intent count), locked until commit."""
    return await fetch_one_as(conn, Group, "lock_intent_group", {"id": group_id})


async def update_intent_group_status(
    conn: Conn, group_id: UUID, status: GroupStatus, merged_into_id: UUID | None
) -> None:
    params = {"id": group_id, "status": status, "merged_into_id": merged_into_id}
    await execute(conn, "update_intent_group_status", params)


async def move_group_intents(conn: Conn, from_id: UUID, into_id: UUID) -> None:
    """Every intent of one group now belongs to another."""
    await execute(conn, "move_group_intents", {"from_id": from_id, "into_id": into_id})


list_intent_groups = page_query("list_intent_groups")
