"""Events apply in order per entity: an event older than the entity's newest changes nothing."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from imi_helpers import Bus, EventLog, create_project, eventually, start_work

import envelope
from imi.ordering import CLOCK_SKEW

NOW = datetime.now(UTC)
HOUR_AGO = NOW - timedelta(hours=1)
TWO_HOURS_AGO = NOW - timedelta(hours=2)


async def consumed(api: httpx.AsyncClient, event_id: uuid.UUID) -> None:
    """Wait until imi has handled the event and recorded it in its inbox."""

    async def probe() -> bool:
        response = await api.get(f"/api/v1/events/{event_id}")
        return response.status_code == 200 and response.json()["consumed"] is not None

    await eventually(probe)


async def work_item(api: httpx.AsyncClient, item_id: str) -> dict[str, Any]:
    return (await api.get(f"/api/v1/work/{item_id}")).json()  # type: ignore[no-any-return]


async def pr_states(api: httpx.AsyncClient, item_id: str) -> list[str]:
    trace = (await api.get(f"/api/v1/trace/work/{item_id}")).json()
    return [pr["pr_state"] for pr in trace["work_items"][0]["pr_links"]]


def push(project: dict[str, Any], item: dict[str, Any], head: str, message: str) -> dict[str, Any]:
    return {
        "remote_url": project["remote_origin"],
        "branch": item["branch_name"],
        "commits": [{"id": head, "message": message}],
    }


async def test_old_pr_opened_after_closed_leaves_the_pr_closed(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    pr = {"remote_url": project["remote_origin"], "number": 7, "head_branch": item["branch_name"]}
    await bus.publish("git.pr.opened", pr, at=TWO_HOURS_AGO)
    await events.wait_for("imi.pr.created", work_item_id=item["id"])
    await bus.publish("git.pr.closed", pr, at=NOW)
    await events.wait_for("imi.pr.closed", work_item_id=item["id"])
    dead = await bus.dead_letters("imi.git_events")
    await consumed(api, await bus.publish("git.pr.opened", pr, at=HOUR_AGO))
    assert await pr_states(api, item["id"]) == ["closed"]
    assert await bus.dead_letters("imi.git_events") == dead
    reopened = await bus.publish("git.pr.opened", pr, at=NOW)  # the same time applies
    await consumed(api, reopened)
    assert await pr_states(api, item["id"]) == ["open"]


async def test_old_pr_event_for_an_unknown_pr_creates_it(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    await consumed(api, await bus.publish("git.push", push(project, item, "cafe01", "a"), at=NOW))
    pr = {"remote_url": project["remote_origin"], "number": 8, "head_branch": item["branch_name"]}
    await bus.publish("git.pr.closed", pr, at=NOW - timedelta(days=30))
    await events.wait_for("imi.pr.closed", work_item_id=item["id"])
    assert await pr_states(api, item["id"]) == ["closed"]


async def test_older_push_keeps_the_head_and_a_newer_one_moves_it(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    newest, older, next_ = (uuid.uuid4().hex for _ in range(3))
    await consumed(api, await bus.publish("git.push", push(project, item, newest, "b"), at=NOW))
    assert (await work_item(api, item["id"]))["last_commit_hash"] == newest
    key = f"ORD{uuid.uuid4().int % 10**6}-1"
    stale = push(project, item, older, f"{key} a")
    await consumed(api, await bus.publish("git.push", stale, at=HOUR_AGO))
    current = await work_item(api, item["id"])
    assert (current["last_commit_hash"], current["last_commit_message"]) == (newest, "b")
    # Links are only ever added: the stale push still links the ticket it names.
    await events.wait_for("imi.link.ticket_linked", work_item_id=item["id"], plane_ticket_id=key)
    later = NOW + timedelta(minutes=1)
    await consumed(api, await bus.publish("git.push", push(project, item, next_, "c"), at=later))
    assert (await work_item(api, item["id"]))["last_commit_hash"] == next_


async def test_an_event_from_a_clock_far_ahead_does_not_make_later_ones_stale(
    api: httpx.AsyncClient, bus: Bus
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    ahead, real = uuid.uuid4().hex, uuid.uuid4().hex
    year_2099 = datetime(2099, 1, 1, tzinfo=UTC)
    await consumed(
        api, await bus.publish("git.push", push(project, item, ahead, "a"), at=year_2099)
    )
    assert (await work_item(api, item["id"]))["last_commit_hash"] == ahead
    # 2099 was taken as CLOCK_SKEW ahead of its arrival: a push stamped just past that applies
    # (before, nothing before 2099 would have).
    later = datetime.now(UTC) + CLOCK_SKEW + timedelta(seconds=1)
    await consumed(api, await bus.publish("git.push", push(project, item, real, "b"), at=later))
    assert (await work_item(api, item["id"]))["last_commit_hash"] == real


async def test_older_plane_event_keeps_the_ticket_title(api: httpx.AsyncClient, bus: Bus) -> None:
    key = f"ORD{uuid.uuid4().int % 10**6}-2"
    project = await create_project(api)
    await start_work(api, project["id"], branch_name=f"feat/{key}")
    ticket = {"ticket_id": key, "status": "done"}
    newer = await bus.publish("plane.ticket.updated", {**ticket, "title": "Newer"}, at=NOW)
    await consumed(api, newer)
    older = {"ticket_id": key, "title": "Older", "status": "todo"}
    await consumed(api, await bus.publish("plane.ticket.updated", older, at=HOUR_AGO))
    trace = (await api.get(f"/api/v1/trace/ticket/{key}")).json()
    link = trace["work_items"][0]["ticket_links"][0]
    assert (link["ticket_title"], link["metadata"]["status"]) == ("Newer", "done")


async def test_older_tool_mutation_keeps_the_last_activity(
    api: httpx.AsyncClient, bus: Bus
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    repo = {"branch": item["branch_name"], "remote_url": project["remote_origin"]}

    async def mutate(at: str) -> None:
        flat = {
            "event_type": "tool.mutation.edit",
            "tool_name": "Edit",
            "repo": repo,
            "timestamp": at,
        }
        await bus.publish_raw("tool.mutation.edit", json.dumps(flat).encode())
        await consumed(api, envelope.normalize_hookd(flat).event_id)

    await mutate("2026-03-01T12:00:00Z")
    await mutate("2026-03-01T11:00:00Z")
    updated = await work_item(api, item["id"])
    assert updated["status"] == "uncommitted"
    assert updated["last_activity_at"].startswith("2026-03-01T12:00:00")
