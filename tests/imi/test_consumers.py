"""Each consumer end to end: messages onto the exchange, effects read back over HTTP."""

import json
import uuid
from typing import Any

import httpx
import pytest
from imi_helpers import Bus, EventLog, create_project, eventually, remote, start_work, unique


async def work_item(api: httpx.AsyncClient, item_id: str) -> dict[str, Any]:
    return (await api.get(f"/api/v1/work/{item_id}")).json()  # type: ignore[no-any-return]


async def wait_work(api: httpx.AsyncClient, item_id: str, **expected: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        item = await work_item(api, item_id)
        return item if all(item.get(k) == v for k, v in expected.items()) else None

    return await eventually(probe)


async def test_command_register_project_is_idempotent(
    api: httpx.AsyncClient, bus: Bus, events: EventLog, outbox: Any
) -> None:
    origin = remote()
    first = await bus.publish("imi.cmd.register_project", {"name": "cmd", "remote_origin": origin})
    registered = await events.wait_for("imi.project.registered", remote_origin=origin)
    assert first in [uuid.UUID(c) for c in registered["correlation_ids"]]
    second = await bus.publish(
        "imi.cmd.register_project", {"name": "renamed", "remote_origin": origin}
    )
    await bus.drained("imi.commands")
    assert outbox(second) == []
    listed = await api.get("/api/v1/projects", params={"remote_origin": origin})
    assert [p["name"] for p in listed.json()["items"]] == ["cmd"]


async def test_command_start_and_complete_work(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    branch = unique("feat/cmd")
    await bus.publish(
        "imi.cmd.start_work",
        {
            "remote_origin": project["remote_origin"],
            "branch": branch,
            "work_type": "fix",
            "ahead": 4,
        },
    )
    started = await events.wait_for("imi.work.started", branch_name=branch)
    assert started["payload"]["source_type"] == "bloodbank_command"
    assert started["payload"]["status"] == "ahead"  # the git state it was started with
    item_id = started["payload"]["work_item_id"]
    await bus.publish(
        "imi.cmd.complete_work", {"work_item_id": item_id, "completion_type": "abandoned"}
    )
    await wait_work(api, item_id, status="abandoned")


async def test_failed_command_publishes_cmd_failed(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    missing = str(uuid.uuid4())
    command_id = await bus.publish(
        "imi.cmd.complete_work", {"work_item_id": missing, "completion_type": "merged"}
    )
    failed = await events.wait_for("imi.cmd.failed", command_event_id=str(command_id))
    assert failed["payload"]["code"] == "NOT_FOUND"
    assert failed["payload"]["command"] == "imi.cmd.complete_work"
    assert str(command_id) in failed["correlation_ids"]


async def test_command_link_ticket(api: httpx.AsyncClient, bus: Bus, events: EventLog) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    await bus.publish(
        "imi.cmd.link_ticket", {"work_item_id": item["id"], "plane_ticket_id": "CMD-9"}
    )
    await events.wait_for(
        "imi.link.ticket_linked",
        work_item_id=item["id"],
        plane_ticket_id="CMD-9",
        ticket_title=None,
    )
    retitled = await bus.publish(  # as over REST: the link has no title yet, so it is filled in
        "imi.cmd.link_ticket",
        {"work_item_id": item["id"], "plane_ticket_id": "CMD-9", "ticket_title": "Login"},
    )

    async def titled() -> bool:
        trace = (await api.get("/api/v1/trace/ticket/CMD-9")).json()
        links = [lk for w in trace.get("work_items", []) for lk in w["ticket_links"]]
        return any(lk["ticket_title"] == "Login" for lk in links)

    await eventually(titled)  # commands of one queue may run in parallel batches
    other = await bus.publish(  # and another title is refused, not written over it
        "imi.cmd.link_ticket",
        {"work_item_id": item["id"], "plane_ticket_id": "CMD-9", "ticket_title": "Logout"},
    )
    failed = await events.wait_for("imi.cmd.failed", command_event_id=str(other))
    assert failed["payload"]["code"] == "CONFLICT"
    assert failed["payload"]["params"]["ticket_title"] == "Login"
    assert not [e for e in events.received if str(retitled) in e.get("correlation_ids", [])]


async def test_a_command_of_another_service_on_an_imi_key_is_dead_lettered(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    """imi may publish only imi.*: answering it as mimir's would leave an event its broker
    account cannot send at the head of its outbox."""
    before = await bus.dead_letters("imi.commands")
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "mimir.cmd.capture_artifact",
        "timestamp": "2026-02-11T10:00:00Z",
        "version": "1.0.0",
        "source": {"host": "test", "type": "manual", "app": "test"},
        "correlation_ids": [],
        "payload": {"content": "x"},
    }
    await bus.publish_raw("imi.cmd.start_work", json.dumps(envelope).encode())
    await bus.dead_lettered("imi.commands", before + 1)
    origin = remote()  # and imi's events still go out
    await bus.publish("imi.cmd.register_project", {"name": "after", "remote_origin": origin})
    await events.wait_for("imi.project.registered", remote_origin=origin)


async def test_duplicate_command_has_one_effect(
    api: httpx.AsyncClient, bus: Bus, events: EventLog, outbox: Any
) -> None:
    project = await create_project(api)
    branch = unique("dup")
    body = {"project_id": project["id"], "branch_name": branch}
    event_id = uuid.uuid4()
    await bus.publish("imi.cmd.start_work", body, event_id=event_id)
    await bus.publish("imi.cmd.start_work", body, event_id=event_id)
    await events.wait_for("imi.work.started", branch_name=branch)
    await bus.drained("imi.commands")
    # A second application would have failed with a conflict: nothing but the start is there.
    assert outbox(event_id) == ["imi.work.started"]
    listed = await api.get("/api/v1/work", params={"project_id": project["id"]})
    assert listed.json()["total"] == 1


async def test_malformed_messages_go_to_dlq_and_consumer_keeps_going(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    before = await bus.dead_letters("imi.commands")
    await bus.publish_raw("imi.cmd.start_work", b"{not json")
    await bus.dead_lettered("imi.commands", before + 1)  # no envelope: nothing to answer
    failed_id = await bus.publish("imi.cmd.start_work", {"branch": "no-project"})
    failed = await events.wait_for("imi.cmd.failed", command_event_id=str(failed_id))
    assert failed["payload"]["code"] == "VALIDATION_ERROR"  # an envelope is answered
    origin = remote()
    await bus.publish("imi.cmd.register_project", {"name": "after", "remote_origin": origin})
    await events.wait_for("imi.project.registered", remote_origin=origin)


async def test_plane_ticket_links_by_branch(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    key = f"PL{uuid.uuid4().int % 10**6}-12"
    project = await create_project(api)
    item = await start_work(api, project["id"], branch_name=f"feat/{key}-login")
    not_it = await start_work(api, project["id"], branch_name=f"feat/{key}3-other")
    await bus.publish(
        "plane.ticket.updated",
        {"ticket_id": key, "title": "Login", "status": "in_progress", "priority": "high"},
    )

    async def linked() -> dict[str, Any] | None:
        trace = (await api.get(f"/api/v1/trace/ticket/{key}")).json()
        links = [lk for w in trace.get("work_items", []) for lk in w["ticket_links"]]
        return trace if any(lk["ticket_title"] == "Login" for lk in links) else None

    trace = await eventually(linked)
    assert [w["id"] for w in trace["work_items"]] == [item["id"]]
    link = trace["work_items"][0]["ticket_links"][0]
    assert link["metadata"]["status"] == "in_progress"
    assert link["metadata"]["priority"] == "high"
    assert not_it["id"] not in [w["id"] for w in trace["work_items"]]


async def test_plane_webhook_body(api: httpx.AsyncClient, bus: Bus) -> None:
    project = await create_project(api)
    sequence = uuid.uuid4().int % 10**5
    key = f"WEB-{sequence}"
    item = await start_work(api, project["id"], branch_name=f"fix/{key.lower()}-crash")
    webhook = {
        "event": "issue",
        "action": "updated",
        "webhook_id": str(uuid.uuid4()),
        "workspace_id": str(uuid.uuid4()),
        "data": {
            "id": str(uuid.uuid4()),
            "name": "Crash on save",
            "sequence_id": sequence,
            "project_detail": {"identifier": "WEB"},
            "state_detail": {"name": "Done"},
        },
    }
    await bus.publish("webhook.plane.issue.updated", webhook)

    async def linked() -> dict[str, Any] | None:
        response = await api.get(f"/api/v1/trace/ticket/{key}")
        return response.json() if response.status_code == 200 else None

    trace = await eventually(linked)
    link = trace["work_items"][0]["ticket_links"][0]
    assert trace["work_items"][0]["id"] == item["id"]
    assert link["ticket_title"] == "Crash on save"
    assert link["metadata"]["status"] == "Done"


async def test_any_plane_ticket_action_is_consumed_as_the_family(
    api: httpx.AsyncClient, bus: Bus
) -> None:
    key = f"PF{uuid.uuid4().int % 10**6}-3"
    project = await create_project(api)
    item = await start_work(api, project["id"], branch_name=f"fix/{key}")
    await bus.publish("plane.ticket.state_changed", {"ticket_id": key, "state": "Done"})

    async def linked() -> dict[str, Any] | None:
        trace = (await api.get(f"/api/v1/trace/ticket/{key}")).json()
        links = [lk for w in trace.get("work_items", []) for lk in w["ticket_links"]]
        # Starting the work links the ticket by its branch at once; wait for the event's mark.
        return next((lk for lk in links if "plane_event" in lk["metadata"]), None)

    link = await eventually(linked)
    assert link["metadata"]["plane_event"] == "plane.ticket.state_changed"
    assert link["metadata"]["state"] == "Done"
    assert link["work_item_id"] == item["id"]


async def test_git_push_updates_state_and_autolinks(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    key = f"GIT{uuid.uuid4().int % 10**6}-4"
    head = uuid.uuid4().hex
    # registered as git@example.com:team/<repo>.git, pushed from a clone over HTTPS
    over_https = "https://" + project["remote_origin"].removeprefix("git@").replace(":", "/", 1)
    await bus.publish(
        "git.push",
        {
            "remote_url": over_https.removesuffix(".git"),
            "ref": f"refs/heads/{item['branch_name']}",
            "commits": [
                {"id": uuid.uuid4().hex, "message": "wip"},
                {"id": head, "message": f"{key} done"},
            ],
            "ahead_of_trunk": 2,
            "behind_trunk": 1,
        },
    )
    updated = await wait_work(api, item["id"], last_commit_hash=head)
    assert updated["status"] == "diverged"
    assert updated["last_commit_message"] == f"{key} done"
    await events.wait_for("imi.link.ticket_linked", work_item_id=item["id"], plane_ticket_id=key)


async def test_git_pull_request_flow(api: httpx.AsyncClient, bus: Bus, events: EventLog) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    pr = {
        "remote_url": project["remote_origin"],
        "number": 88,
        "title": "Better things",
        "head_branch": item["branch_name"],
        "url": "https://git.example/pr/88",
    }
    await bus.publish("git.pr.opened", pr)
    created = await events.wait_for("imi.pr.created", work_item_id=item["id"])
    assert created["payload"]["pr_number"] == 88
    await bus.publish("git.pr.merged", {**pr, "merge_commit_sha": "cafe1234"})
    done = await wait_work(api, item["id"], status="merged")
    assert done["merge_commit_hash"] == "cafe1234"
    await events.wait_for("imi.pr.merged", work_item_id=item["id"])
    late_close = await bus.publish("git.pr.closed", pr)
    await bus.drained("imi.git_events")
    trace = (await api.get(f"/api/v1/trace/work/{item['id']}")).json()
    assert [p["pr_state"] for p in trace["work_items"][0]["pr_links"]] == ["merged"]
    assert late_close


async def test_a_github_pull_request_webhook_body_links_the_pr(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    """As a relay sends GitHub's body on: `pull_request.head.ref`, `repository.clone_url`."""
    project = await create_project(api)
    item = await start_work(api, project["id"])
    github = {
        "action": "opened",
        "number": 12,
        "pull_request": {
            "number": 12,
            "title": "From GitHub",
            "html_url": "https://github.example/team/pr/12",
            "head": {"ref": item["branch_name"]},
            "base": {"ref": "main"},
            "merged": False,
            "user": {"login": "dana"},
        },
        "repository": {"clone_url": project["remote_origin"]},
    }
    await bus.publish("git.pr.opened", github)
    created = await events.wait_for("imi.pr.created", work_item_id=item["id"])
    assert created["payload"]["pr_number"] == 12


@pytest.mark.parametrize(
    ("queue", "routing_key", "body"),
    [
        ("imi.git_events", "git.push", {"branch": "no-remote"}),
        ("imi.git_events", "git.pr.merged", {"remote_url": "r", "number": 0, "head_branch": "b"}),
        ("imi.plane_events", "plane.ticket.updated", {"ticket_id": "not a key"}),
        ("imi.plane_events", "webhook.plane.issue.updated", {"data": {}}),
        ("imi.deploy_events", "ci.deploy.completed", {"environment": "", "commit": "abcdef1"}),
        ("imi.mutation_events", "tool.mutation.edit", None),
    ],
)
async def test_invalid_payloads_go_to_dlq(
    bus: Bus, queue: str, routing_key: str, body: dict[str, Any] | None
) -> None:
    before = await bus.dead_letters(queue)
    if body is None:  # a flat hookd message without its repository
        await bus.publish_raw(routing_key, json.dumps({"event_type": routing_key}).encode())
    else:
        await bus.publish(routing_key, body)
    await bus.dead_lettered(queue, before + 1)


async def test_tool_mutation_marks_uncommitted(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    flat = {
        "event_type": "tool.mutation.edit",
        "hook_type": "PostToolUse",
        "tool_name": "Edit",
        "agent_id": "agent-1",
        "repo": {
            "git_root": "/home/dev/repo",
            "branch": item["branch_name"],
            "head_sha": "abc",
            "remote_url": project["remote_origin"],
        },
        "file_path": "/home/dev/repo/a.py",
        "timestamp": "2026-02-11T10:00:00Z",
    }
    body = json.dumps(flat).encode()
    await bus.publish_raw("tool.mutation.edit", body)
    await bus.publish_raw("tool.mutation.edit", body)
    updated = await wait_work(api, item["id"], status="uncommitted")
    assert updated["last_activity_at"].startswith("2026-02-11T10:00:00")
    await bus.drained("imi.mutation_events")
    assert len(events.matching("imi.work.git_state_updated", work_item_id=item["id"])) <= 1
    await events.wait_for("imi.work.git_state_updated", work_item_id=item["id"])


async def test_ci_deploy_links_by_commit(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    commit = uuid.uuid4().hex
    await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"last_commit_hash": commit})
    await bus.publish(
        "ci.deploy.failed", {"environment": "prod", "commit": commit, "status": "failed"}
    )
    deploy = {"environment": "prod", "commit": commit, "deploy_id": "run-1"}
    event_id = uuid.uuid4()
    for _ in range(2):  # redelivered: the same event twice makes one deploy link
        await bus.publish("ci.deploy.completed", deploy, event_id=event_id)
    deployed = await events.wait_for("imi.deploy.completed", work_item_id=item["id"])
    assert deployed["payload"]["environment"] == "prod"
    await bus.drained("imi.deploy_events")
    trace = (await api.get(f"/api/v1/trace/commit/{commit}")).json()
    assert [d["deploy_id"] for d in trace["work_items"][0]["deploy_links"]] == ["run-1"]


async def test_command_with_unacceptable_values_fails_cleanly(
    api: httpx.AsyncClient, bus: Bus, events: EventLog
) -> None:
    project = await create_project(api)
    command_id = await bus.publish(
        "imi.cmd.complete_work", {"work_item_id": str(uuid.uuid4()), "completion_type": "merged"}
    )
    failed = await events.wait_for("imi.cmd.failed", command_event_id=str(command_id))
    assert failed["payload"]["code"] == "NOT_FOUND"
    # A value over the contract's bound, a field missing, a malformed ticket key: answered
    # before any SQL, and nothing is dead-lettered.
    before = await bus.dead_letters("imi.commands")
    refused = [
        ("imi.cmd.start_work", {"project_id": project["id"], "branch": "b" * 600}, "branch_name"),
        ("imi.cmd.start_work", {"project_id": project["id"]}, "branch_name"),
        (
            "imi.cmd.link_ticket",
            {"work_item_id": str(uuid.uuid4()), "plane_ticket_id": "bad key"},
            "plane_ticket_id",
        ),
    ]
    for command, payload, field in refused:
        command_id = await bus.publish(command, payload)
        failed = await events.wait_for("imi.cmd.failed", command_event_id=str(command_id))
        assert failed["payload"]["code"] == "VALIDATION_ERROR"
        assert failed["payload"]["params"]["fields"] == [field]
    assert await bus.dead_letters("imi.commands") == before
    listed = await api.get("/api/v1/work", params={"project_id": project["id"]})
    assert listed.json()["total"] == 0
