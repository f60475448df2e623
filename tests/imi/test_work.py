import asyncio
import uuid
from datetime import datetime

import httpx
import pytest
from imi_helpers import EventLog, create_project, remote, start_work, unique


async def test_start_with_short_forms_and_events(api: httpx.AsyncClient, events: EventLog) -> None:
    project = await create_project(api)
    branch = unique("feat/login")
    response = await api.post(
        "/api/v1/work",
        json={
            "project_id": project["id"],
            "branch": branch,
            "source": {"type": "agent_assignment", "ref": "job-7"},
            "owner_id": "agent-1",
            "worktree_path": "/srv/trees/login",
            "metadata": {"ticket": "PROJ-1"},
        },
    )
    assert response.status_code == 201
    item = response.json()
    assert item["worktree_path"] == "/srv/trees/login"
    assert item["metadata"] == {"ticket": "PROJ-1"}
    assert item["branch_name"] == branch
    assert item["source_type"] == "agent_assignment"
    assert item["source_ref"] == "job-7"
    assert item["status"] == "clean"
    assert "branch" not in item
    assert (await api.get(f"/api/v1/work/{item['id']}")).json() == item
    event = await events.wait_for("imi.work.started", work_item_id=item["id"])
    assert event["payload"]["branch_name"] == branch
    assert event["payload"]["status"] == "clean"


async def test_start_errors(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    unknown = await api.post("/api/v1/work", json={"project_id": str(uuid.uuid4()), "branch": "b"})
    assert unknown.status_code == 400
    assert unknown.json()["detail"]["code"] == "BAD_REFERENCE"
    bad_type = await api.post(
        "/api/v1/work", json={"project_id": project["id"], "branch": "b", "work_type": "chore"}
    )
    assert bad_type.status_code == 422
    await api.delete(f"/api/v1/projects/{project['id']}")
    inactive = await api.post("/api/v1/work", json={"project_id": project["id"], "branch": "b"})
    assert inactive.status_code == 409
    assert (await api.get(f"/api/v1/work/{uuid.uuid4()}")).status_code == 404


async def test_concurrent_start_on_one_branch(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    body = {"project_id": project["id"], "branch_name": unique("race")}
    responses = await asyncio.gather(*(api.post("/api/v1/work", json=body) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    assert {
        r.json()["detail"]["params"]["work_item_id"] for r in responses if r.status_code == 409
    } == {winner}


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ({"ahead": 0, "behind": 0, "uncommitted": False}, "clean"),
        ({"uncommitted": 3, "ahead": 2}, "uncommitted"),
        ({"ahead_of_trunk": 2}, "ahead"),
        ({"behind_trunk": 4}, "behind"),
        ({"ahead": 1, "behind": 1}, "diverged"),
    ],
)
async def test_git_states(
    api: httpx.AsyncClient, events: EventLog, state: dict[str, object], status: str
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    if status == "clean":  # it starts clean: a sync to the state it is in announces nothing
        await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"ahead": 2})
    response = await api.patch(f"/api/v1/work/{item['id']}/git-state", json=state)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == status
    assert body["last_sync_at"] is not None
    listed = await api.get("/api/v1/work", params={"project_id": project["id"], "status": status})
    assert [w["id"] for w in listed.json()["items"]] == [item["id"]]
    await events.wait_for("imi.work.git_state_updated", work_item_id=item["id"], status=status)


async def test_a_sync_that_finds_the_same_state_announces_nothing(
    api: httpx.AsyncClient, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    path = f"/api/v1/work/{item['id']}/git-state"
    state = {"ahead": 2, "last_commit_hash": "c0ffee1", "worktree_path": "/srv/a"}
    first = (await api.patch(path, json=state)).json()
    again = await api.patch(path, json={**state, "worktree_path": "/srv/b"})
    assert again.status_code == 200
    synced = [datetime.fromisoformat(body["last_sync_at"]) for body in (first, again.json())]
    assert synced[1] > synced[0]
    assert again.json()["worktree_path"] == "/srv/b"
    await api.patch(path, json={"behind": 1})
    await events.wait_for("imi.work.git_state_updated", work_item_id=item["id"], status="diverged")
    reported = events.matching("imi.work.git_state_updated", work_item_id=item["id"])
    assert [event["payload"]["status"] for event in reported] == ["ahead", "diverged"]


async def test_a_work_item_starts_with_the_git_state_sent(
    api: httpx.AsyncClient, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"], ahead=2, behind=1, uncommitted=3)
    assert item["status"] == "uncommitted"
    assert (item["ahead_of_trunk"], item["behind_trunk"]) == (2, 1)
    assert (item["has_uncommitted_changes"], item["uncommitted_files_count"]) == (True, 3)
    started = await events.wait_for("imi.work.started", work_item_id=item["id"])
    assert started["payload"]["status"] == "uncommitted"
    body = {"project_id": project["id"], "branch_name": unique("feat/bad"), "ahead": -1}
    assert (await api.post("/api/v1/work", json=body)).status_code == 422
    contradicting = {"has_uncommitted_changes": False, "uncommitted_files_count": 3}
    assert (
        await api.post("/api/v1/work", json={**body, "ahead": 0, **contradicting})
    ).status_code == 422
    path = f"/api/v1/work/{item['id']}/git-state"
    assert (await api.patch(path, json=contradicting)).status_code == 422


async def test_uncommitted_count_short_form(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    body = (await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"uncommitted": 3})).json()
    assert body["has_uncommitted_changes"] is True
    assert body["uncommitted_files_count"] == 3
    bad = await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"ahead": -1})
    assert bad.status_code == 422


@pytest.mark.parametrize("completion", ["merged", "abandoned", "superseded"])
async def test_completions(api: httpx.AsyncClient, events: EventLog, completion: str) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"], ahead=2)
    done = await api.post(
        f"/api/v1/work/{item['id']}/complete",
        json={"completion_type": completion, "merge_commit_hash": "abcdef1"},
    )
    assert done.status_code == 200
    assert done.json()["status"] == completion
    assert done.json()["active"] is False
    assert done.json()["completed_at"] is not None
    event = await events.wait_for("imi.work.completed", work_item_id=item["id"])
    assert event["payload"]["completion_type"] == completion
    same = await api.post(
        f"/api/v1/work/{item['id']}/complete",
        json={"completion_type": completion, "merge_commit_hash": "abcdef1"},
    )
    assert same.status_code == 200
    assert same.json() == done.json()
    without_hash = await api.post(  # an optional field left out asks for nothing else
        f"/api/v1/work/{item['id']}/complete", json={"completion_type": completion}
    )
    assert without_hash.status_code == 200
    assert without_hash.json() == done.json()
    different = await api.post(
        f"/api/v1/work/{item['id']}/complete",
        json={"completion_type": completion, "merge_commit_hash": "1234567"},
    )
    assert different.status_code == 409
    assert different.json()["detail"]["code"] == "INVALID_TRANSITION"
    assert different.json()["detail"]["params"]["merge_commit_hash"] == "abcdef1"
    frozen = await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"ahead": 1})
    assert frozen.status_code == 409
    listed = await api.get(
        "/api/v1/work", params={"project_id": project["id"], "status": completion}
    )
    assert listed.json()["total"] == 1
    # the branch is free again
    await start_work(api, project["id"], branch_name=item["branch_name"])


async def test_a_synced_commit_message_links_its_tickets(
    api: httpx.AsyncClient, events: EventLog
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    key = f"SYN-{uuid.uuid4().int % 100000}"
    synced = await api.patch(
        f"/api/v1/work/{item['id']}/git-state",
        json={"last_commit_hash": "abc1234", "last_commit_message": f"{key}: fix login"},
    )
    assert synced.status_code == 200
    await events.wait_for("imi.link.ticket_linked", work_item_id=item["id"], plane_ticket_id=key)
    trace = await api.get(f"/api/v1/trace/ticket/{key}")
    assert [w["id"] for w in trace.json()["work_items"]] == [item["id"]]


async def test_complete_errors(api: httpx.AsyncClient) -> None:
    missing = await api.post(
        f"/api/v1/work/{uuid.uuid4()}/complete", json={"completion_type": "merged"}
    )
    assert missing.status_code == 404
    project = await create_project(api)
    item = await start_work(api, project["id"])
    wrong = await api.post(f"/api/v1/work/{item['id']}/complete", json={"completion_type": "done"})
    assert wrong.status_code == 422
    assert (
        await api.patch(f"/api/v1/work/{uuid.uuid4()}/git-state", json={"ahead": 1})
    ).status_code == 404


async def test_list_filters(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    owner = unique("owner")
    fix = await start_work(api, project["id"], owner_id=owner, work_type="fix")
    await start_work(api, project["id"], owner_id=owner, work_type="feature", source_type="manual")
    by_owner = await api.get("/api/v1/work", params={"owner_id": owner})
    assert by_owner.json()["total"] == 2
    by_type = await api.get("/api/v1/work", params={"owner_id": owner, "work_type": "fix"})
    assert [w["id"] for w in by_type.json()["items"]] == [fix["id"]]
    by_source = await api.get(
        "/api/v1/work", params={"project_id": project["id"], "source_type": "manual"}
    )
    assert by_source.json()["total"] == 2
    assert (await api.get("/api/v1/work", params={"status": "weird"})).status_code == 422


async def test_bad_input_is_never_a_server_error(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    huge = await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"ahead": 2**40})
    assert huge.status_code == 422
    nul = await api.post("/api/v1/projects", json={"name": "a\x00b", "remote_origin": remote()})
    assert nul.status_code == 400
    assert nul.json()["detail"]["code"] == "BAD_REQUEST"
    not_json = await api.post(
        "/api/v1/work", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422


async def test_plane_ticket_source_is_linked(api: httpx.AsyncClient, events: EventLog) -> None:
    project = await create_project(api)
    key = f"SRC{uuid.uuid4().int % 10**6}-5"
    item = await start_work(api, project["id"], source={"type": "plane_ticket", "ref": key})
    await events.wait_for("imi.link.ticket_linked", work_item_id=item["id"], plane_ticket_id=key)
    trace = (await api.get(f"/api/v1/trace/{key}")).json()
    assert [w["id"] for w in trace["work_items"]] == [item["id"]]
