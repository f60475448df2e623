"""imi's events as rows of `external_entities`: one row per (entity_type, entity_id).

Events may arrive out of order: the newest event applied wins each field, and an older one
only fills what the row lacks (a field still null, a metadata key not yet set); the row's
event time and last event only move forward. Fields an event does not carry (a git state
update has no work type) keep their stored values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from envelope import EventEnvelope
from envelope.events import imi
from mimir.external import queries
from mimir.external.queries import ExternalRow
from mimir.external.schemas import EXTERNAL_TYPES
from mimir.sql import Conn

PROJECTED_TYPES = frozenset(EXTERNAL_TYPES)
PROJECT_STATES: dict[type[BaseModel], str] = {
    imi.ProjectRegistered: "active",
    imi.ProjectDeactivated: "inactive",
}


@dataclass(frozen=True)
class Projected:
    """What one event says about one entity; a None state or project means "not said, keep
    what is stored"."""

    entity_type: str
    entity_id: UUID
    display_name: str
    state: str | None
    project_id: UUID | None
    metadata: dict[str, Any] = field(default_factory=dict)


def _work_item(event: imi.WorkStarted | imi.WorkGitStateUpdated | imi.WorkCompleted) -> Projected:
    if isinstance(event, imi.WorkCompleted):
        state: str = event.completion_type
        meta: dict[str, Any] = {"completed_at": event.completed_at.isoformat()}
        if event.merge_commit_hash:
            meta["merge_commit_hash"] = event.merge_commit_hash
    else:
        state = event.status
        meta = event.model_dump(
            mode="json", exclude={"project_id", "work_item_id", "branch_name", "status"}
        )
    return Projected(
        "imi.work_item", event.work_item_id, event.branch_name, state, event.project_id, meta
    )


def _pr(event: imi.PullRequestChanged) -> Projected:
    name = f"PR #{event.pr_number}" + (f" {event.pr_title}" if event.pr_title else "")
    meta = {"work_item_id": str(event.work_item_id), "pr_number": event.pr_number}
    if event.pr_url:
        meta["pr_url"] = event.pr_url
    return Projected("imi.pr", event.pr_link_id, name, event.pr_state, event.project_id, meta)


def _deploy(event: imi.DeployCompleted) -> Projected:
    meta = event.model_dump(mode="json", exclude={"deploy_link_id", "project_id"})
    name = f"deploy {event.environment} {event.commit_hash[:12]}"
    return Projected(
        "imi.deploy", event.deploy_link_id, name, event.environment, event.project_id, meta
    )


def _ticket(event: imi.TicketLinked) -> Projected:
    meta = event.model_dump(
        mode="json", exclude={"ticket_link_id", "project_id", "plane_ticket_id"}, exclude_none=True
    )
    return Projected(
        "imi.ticket", event.ticket_link_id, event.plane_ticket_id, "linked", event.project_id, meta
    )


def project_entity(event: BaseModel) -> Projected | None:
    """The entity an imi event is about, or None for events the projection does not keep."""
    if isinstance(event, imi.ProjectRegistered | imi.ProjectUpdated | imi.ProjectDeactivated):
        state = PROJECT_STATES.get(type(event))
        meta = {"remote_origin": event.remote_origin}
        return Projected("imi.project", event.project_id, event.name, state, event.project_id, meta)
    if isinstance(event, imi.WorkStarted | imi.WorkGitStateUpdated | imi.WorkCompleted):
        return _work_item(event)
    if isinstance(event, imi.PullRequestChanged):
        return _pr(event)
    if isinstance(event, imi.DeployCompleted):
        return _deploy(event)
    if isinstance(event, imi.TicketLinked):
        return _ticket(event)
    if isinstance(event, imi.ComponentRegistered):
        meta = event.model_dump(mode="json", exclude={"component_id", "parent_project_id", "name"})
        return Projected(
            "imi.component",
            event.component_id,
            event.name,
            event.kind,
            event.parent_project_id,
            meta,
        )
    return None


async def apply_event(conn: Conn, envelope: EventEnvelope[BaseModel]) -> ExternalRow | None:
    """Upsert the entity the event is about; the stored row, or None if nothing changed."""
    entity = project_entity(envelope.payload)
    if entity is None:
        return None
    return await queries.upsert_external_entity(
        conn,
        entity_type=entity.entity_type,
        entity_id=entity.entity_id,
        display_name=entity.display_name,
        state=entity.state,
        project_id=entity.project_id,
        metadata=entity.metadata,
        updated_at=envelope.timestamp,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
    )


async def known_entities(
    conn: Conn, keys: Iterable[tuple[str, UUID]]
) -> dict[tuple[str, UUID], ExternalRow]:
    """The projected rows among `keys` (pairs of type and id), by key; one statement."""
    wanted = sorted({key for key in keys if key[0] in PROJECTED_TYPES})
    if not wanted:
        return {}
    rows = await queries.list_external_entities_by_keys(
        conn, [t for t, _ in wanted], [i for _, i in wanted]
    )
    return {(row.entity_type, row.entity_id): row for row in rows}
