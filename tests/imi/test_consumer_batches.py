"""Batches of git events and tool mutations in one unit of work, applied the way the consumer
runtime applies them: the subscription's `prepare` with every envelope, then each handler in
delivery order."""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from imi_helpers import EventLog, create_project, start_work, unique
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, decode_message
from imi.consumers import git, mutations

NOW = datetime.now(UTC)
HOUR_AGO = NOW - timedelta(hours=1)


def envelope(event_type: str, payload: dict[str, Any], at: datetime = NOW) -> EventEnvelope[Any]:
    """As the runtime hands it to the consumer: decoded from the wire."""
    body = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "timestamp": at.isoformat(),
        "version": "1.0.0",
        "source": {"host": "test", "type": "manual", "app": "tests"},
        "correlation_ids": [],
        "payload": payload,
    }
    return decode_message(json.dumps(body).encode())


def mutation(remote: str, branch: str, at: datetime) -> EventEnvelope[Any]:
    """A hookd tool mutation, flat, as it arrives on the bus."""
    flat = {
        "event_type": "tool.mutation.edit",
        "hook_type": "PostToolUse",
        "tool_name": "Edit",
        "repo": {"git_root": "/src/repo", "branch": branch, "remote_url": remote},
        "file_path": "/src/repo/a.py",
        "timestamp": at.isoformat(),
    }
    return decode_message(json.dumps(flat).encode())


def push(remote: str, branch: str, head: str, **state: int) -> dict[str, Any]:
    commits = [{"id": head, "message": "work"}]
    return {"remote_url": remote, "branch": branch, "commits": commits, **state}


@contextmanager
def locking_lookups(session: AsyncSession) -> Iterator[list[str]]:
    """The statements that lock work items, as the session runs them."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FOR UPDATE OF work_items" in statement:
            seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def apply_batch(app: FastAPI, queue: str, batch: list[EventEnvelope[Any]]) -> list[str]:
    """Prepare and handle `batch` in one unit of work; the work item lookups that locked."""
    subscription = next(s for s in app.state.bus.consumers.subscriptions if s.queue == queue)
    async with app.state.uow() as session:
        with locking_lookups(session) as lookups:
            await subscription.prepare(batch, session)
            for message in batch:
                await subscription.handler(message, session)
    return lookups


async def test_a_batch_of_pushes_locks_its_work_items_in_one_statement_and_applies_in_order(
    api: httpx.AsyncClient, imi_app: FastAPI, events: EventLog
) -> None:
    project = await create_project(api)
    remote = project["remote_origin"]
    first = await start_work(api, project["id"])
    second = await start_work(api, project["id"])
    pr = {"remote_url": remote, "number": 41, "head_branch": second["branch_name"]}
    batch = [
        envelope("git.push", push(remote, first["branch_name"], "aaa1", ahead_of_trunk=3)),
        envelope("git.push", push(remote, first["branch_name"], "aaa0"), at=HOUR_AGO),  # older
        envelope("git.push", push(remote, unique("feat/untracked"), "ccc1")),
        envelope("git.push", push(remote, second["branch_name"], "bbb1", behind_trunk=2)),
        envelope("git.pr.opened", pr),
        envelope("git.pr.merged", {**pr, "merge_commit_sha": "bbb1"}),
        # The merge completed the branch's work item: a later push finds none to update.
        envelope("git.push", push(remote, second["branch_name"], "bbb2")),
    ]
    lookups = await apply_batch(imi_app, git.QUEUE, batch)

    # One statement looked up and locked the work items of every branch in the batch.
    assert len(lookups) == 1
    assert " IN (" in lookups[0]
    one = (await api.get(f"/api/v1/work/{first['id']}")).json()
    assert (one["last_commit_hash"], one["ahead_of_trunk"]) == ("aaa1", 3)
    two = (await api.get(f"/api/v1/work/{second['id']}")).json()
    assert (two["last_commit_hash"], two["behind_trunk"], two["status"]) == ("bbb1", 2, "merged")
    await events.wait_for("imi.pr.merged", work_item_id=second["id"])
    heads = {
        item["id"]: [
            e["payload"]["last_commit_hash"]
            for e in events.matching("imi.work.git_state_updated", work_item_id=item["id"])
        ]
        for item in (first, second)
    }
    assert heads == {first["id"]: ["aaa1"], second["id"]: ["bbb1"]}


async def test_a_batch_of_tool_mutations_locks_its_work_items_in_one_statement(
    api: httpx.AsyncClient, imi_app: FastAPI, events: EventLog
) -> None:
    project = await create_project(api)
    remote = project["remote_origin"]
    item = await start_work(api, project["id"])
    branch = item["branch_name"]
    batch = [
        mutation(remote, branch, HOUR_AGO),
        mutation(remote, branch, NOW),
        mutation(remote, branch, HOUR_AGO - timedelta(minutes=5)),  # older than the newest
        mutation(remote, unique("feat/untracked"), NOW),
    ]
    lookups = await apply_batch(imi_app, mutations.QUEUE, batch)

    assert len(lookups) == 1
    stored = (await api.get(f"/api/v1/work/{item['id']}")).json()
    assert stored["status"] == "uncommitted"
    assert datetime.fromisoformat(stored["last_activity_at"]) == NOW
    await events.wait_for("imi.work.git_state_updated", work_item_id=item["id"])
    # Only the first edit turned the item from clean to uncommitted.
    assert len(events.matching("imi.work.git_state_updated", work_item_id=item["id"])) == 1
