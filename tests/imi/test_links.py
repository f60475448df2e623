import uuid

import httpx
import pytest
from imi_helpers import EventLog, create_project, start_work, unique


@pytest.fixture
async def item(api: httpx.AsyncClient) -> dict[str, str]:
    project = await create_project(api)
    return await start_work(api, project["id"])


async def test_ticket_link(api: httpx.AsyncClient, events: EventLog, item: dict[str, str]) -> None:
    body = {"work_item_id": item["id"], "plane_ticket_id": "LNK-1", "ticket_title": "t"}
    created = await api.post("/api/v1/links/ticket", json=body)
    assert created.status_code == 201
    link = created.json()
    assert link["plane_ticket_id"] == "LNK-1"
    event = await events.wait_for("imi.link.ticket_linked", ticket_link_id=link["id"])
    assert event["payload"]["work_item_id"] == item["id"]
    again = await api.post("/api/v1/links/ticket", json=body)
    assert again.status_code == 200
    assert again.json() == link
    missing = await api.post(
        "/api/v1/links/ticket", json={**body, "work_item_id": str(uuid.uuid4())}
    )
    assert missing.status_code == 400
    bad_key = await api.post("/api/v1/links/ticket", json={**body, "plane_ticket_id": "nope"})
    assert bad_key.status_code == 422
    retitled = await api.post("/api/v1/links/ticket", json={**body, "ticket_title": "other"})
    assert retitled.status_code == 409  # asked for something else of the same link
    assert retitled.json()["detail"]["params"] == {
        "ticket_link_id": link["id"],
        "ticket_title": "t",
    }
    with_url = await api.post(
        "/api/v1/links/ticket", json={**body, "ticket_url": "https://plane.example/LNK-1"}
    )
    assert with_url.status_code == 200  # what the link lacked is filled in
    assert with_url.json()["ticket_url"] == "https://plane.example/LNK-1"
    assert with_url.json()["ticket_title"] == "t"


async def test_linking_a_ticket_the_branch_name_linked_answers_the_existing_link(
    api: httpx.AsyncClient, events: EventLog
) -> None:
    project = await create_project(api)
    key = f"BR-{uuid.uuid4().int % 100000}"
    item = await start_work(api, project["id"], branch_name=f"feature/{key}-login")
    await events.wait_for("imi.link.ticket_linked", work_item_id=item["id"], plane_ticket_id=key)
    body = {"work_item_id": item["id"], "plane_ticket_id": key}
    again = await api.post("/api/v1/links/ticket", json=body)
    assert again.status_code == 200
    assert again.json()["plane_ticket_id"] == key
    linked = [
        e
        for e in events.received
        if e["event_type"] == "imi.link.ticket_linked"
        and e["payload"]["work_item_id"] == item["id"]
    ]
    assert len(linked) == 1


async def test_pr_lifecycle(api: httpx.AsyncClient, events: EventLog, item: dict[str, str]) -> None:
    created = await api.post(
        "/api/v1/links/pr",
        json={"work_item_id": item["id"], "pr_number": 42, "pr_title": "Add login"},
    )
    assert created.status_code == 201
    pr = created.json()
    assert pr["pr_state"] == "open"
    await events.wait_for("imi.pr.created", pr_link_id=pr["id"])
    duplicate = await api.post(
        "/api/v1/links/pr", json={"work_item_id": item["id"], "pr_number": 42}
    )
    assert duplicate.status_code == 409  # another title: not the link asked for
    assert duplicate.json()["detail"]["params"]["pr_link_id"] == pr["id"]
    repeated = await api.post(
        "/api/v1/links/pr",
        json={"work_item_id": item["id"], "pr_number": 42, "pr_title": "Add login"},
    )
    assert repeated.status_code == 200
    assert repeated.json() == pr
    closed = await api.patch(f"/api/v1/links/pr/{pr['id']}", json={"pr_state": "closed"})
    assert closed.json()["pr_state"] == "closed"
    await events.wait_for("imi.pr.closed", pr_link_id=pr["id"])
    reopened = await api.patch(f"/api/v1/links/pr/{pr['id']}", json={"pr_state": "open"})
    assert reopened.json()["pr_state"] == "open"
    event = await events.wait_for("imi.pr.reopened", pr_link_id=pr["id"])
    assert event["payload"]["pr_state"] == "open"
    merged = await api.patch(
        f"/api/v1/links/pr/{pr['id']}", json={"pr_state": "merged", "merge_commit_hash": "beef123"}
    )
    assert merged.json()["pr_state"] == "merged"
    await events.wait_for("imi.pr.merged", pr_link_id=pr["id"])
    work = (await api.get(f"/api/v1/work/{item['id']}")).json()
    assert work["status"] == "merged"
    assert work["merge_commit_hash"] == "beef123"
    for state in ("open", "closed"):
        illegal = await api.patch(f"/api/v1/links/pr/{pr['id']}", json={"pr_state": state})
        assert illegal.status_code == 409
        assert illegal.json()["detail"]["code"] == "INVALID_TRANSITION"
    assert (await api.get(f"/api/v1/links/pr/{pr['id']}")).json()["pr_state"] == "merged"
    path = f"/api/v1/links/pr/{pr['id']}"
    for repeat in ({"pr_state": "merged"}, {"pr_state": "merged", "merge_commit_hash": "beef123"}):
        assert (await api.patch(path, json=repeat)).status_code == 200
    other = await api.patch(path, json={"pr_state": "merged", "merge_commit_hash": "fff0001"})
    assert other.status_code == 409  # as completing the work item so would be
    assert other.json()["detail"]["params"]["merge_commit_hash"] == "beef123"


async def test_a_merge_commit_for_a_work_item_completed_otherwise_is_refused(
    api: httpx.AsyncClient, item: dict[str, str]
) -> None:
    pr = await api.post("/api/v1/links/pr", json={"work_item_id": item["id"], "pr_number": 5})
    abandoned = {"completion_type": "abandoned"}
    assert (await api.post(f"/api/v1/work/{item['id']}/complete", json=abandoned)).is_success
    merged = {"pr_state": "merged", "merge_commit_hash": "8616575e4e"}
    refused = await api.patch(f"/api/v1/links/pr/{pr.json()['id']}", json=merged)
    assert refused.status_code == 409  # it was dropped unsaid
    assert refused.json()["detail"]["params"]["completion_type"] == "abandoned"
    assert (await api.get(f"/api/v1/links/pr/{pr.json()['id']}")).json()["pr_state"] == "open"


async def test_pr_errors(api: httpx.AsyncClient, item: dict[str, str]) -> None:
    assert (await api.get(f"/api/v1/links/pr/{uuid.uuid4()}")).status_code == 404
    patch = await api.patch(f"/api/v1/links/pr/{uuid.uuid4()}", json={"pr_state": "merged"})
    assert patch.status_code == 404
    zero = await api.post("/api/v1/links/pr", json={"work_item_id": item["id"], "pr_number": 0})
    assert zero.status_code == 422
    unknown = await api.post(
        "/api/v1/links/pr", json={"work_item_id": str(uuid.uuid4()), "pr_number": 1}
    )
    assert unknown.status_code == 400


async def test_pr_title_autolinks_ticket(api: httpx.AsyncClient, item: dict[str, str]) -> None:
    key = f"AUTO{uuid.uuid4().int % 10**6}-7"
    await api.post(
        "/api/v1/links/pr",
        json={"work_item_id": item["id"], "pr_number": 5, "pr_title": f"{key}: fix it"},
    )
    trace = await api.get(f"/api/v1/trace/ticket/{key}")
    assert trace.status_code == 200
    assert [w["id"] for w in trace.json()["work_items"]] == [item["id"]]


async def test_deploy_link(api: httpx.AsyncClient, events: EventLog, item: dict[str, str]) -> None:
    commit = uuid.uuid4().hex
    await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"last_commit_hash": commit})
    by_commit = await api.post(
        "/api/v1/links/deploy", json={"environment": "staging", "commit": commit}
    )
    assert by_commit.status_code == 201
    deploy = by_commit.json()
    assert deploy["work_item_id"] == item["id"]
    event = await events.wait_for("imi.deploy.completed", deploy_link_id=deploy["id"])
    assert event["payload"]["environment"] == "staging"
    explicit = await api.post(
        "/api/v1/links/deploy",
        json={"work_item_id": item["id"], "environment": "prod", "commit_hash": commit},
    )
    assert explicit.status_code == 201
    for given in ("2026-03-01T23:30:00+14:00", "2026-03-01T09:30:00"):  # an offset; none
        timed = await api.post(
            "/api/v1/links/deploy",
            json={
                "work_item_id": item["id"],
                "environment": "edge",
                "commit_hash": commit,
                "deployed_at": given,
            },
        )
        assert timed.json()["deployed_at"] == "2026-03-01T09:30:00Z", given  # in UTC, as traced
    short = await api.post(  # six digits would name other projects' commits too
        "/api/v1/links/deploy", json={"environment": "prod", "commit_hash": commit[:6]}
    )
    assert short.status_code == 400
    assert short.json()["detail"]["code"] == "BAD_REQUEST"
    orphan = await api.post(
        "/api/v1/links/deploy", json={"environment": "prod", "commit_hash": uuid.uuid4().hex}
    )
    assert orphan.status_code == 400
    assert orphan.json()["detail"]["code"] == "BAD_REFERENCE"
    missing_env = await api.post("/api/v1/links/deploy", json={"commit_hash": commit})
    assert missing_env.status_code == 422
    for when in ("0001-01-01T00:00:00Z", "2999-01-01T00:00:00Z"):  # would skew lead times
        body = {"work_item_id": item["id"], "environment": "qa", "commit_hash": commit}
        dated = await api.post("/api/v1/links/deploy", json={**body, "deployed_at": when})
        assert dated.status_code == 422, when


async def test_a_deploy_recorded_again_answers_the_first(
    api: httpx.AsyncClient, events: EventLog, item: dict[str, str]
) -> None:
    commit = uuid.uuid4().hex
    body = {
        "work_item_id": item["id"],
        "environment": "production",
        "commit_hash": commit,
        "deploy_id": unique("run"),
    }
    first = await api.post("/api/v1/links/deploy", json=body)
    assert first.status_code == 201
    again = await api.post("/api/v1/links/deploy", json=body)  # a retried CI hook
    assert again.status_code == 200
    assert again.json() == first.json()
    for spelling in (commit[:7], commit.upper()):  # the same commit, spelt otherwise
        respelt = await api.post("/api/v1/links/deploy", json={**body, "commit_hash": spelling})
        assert respelt.status_code == 200, spelling
        assert respelt.json()["id"] == first.json()["id"]
    other = await api.post("/api/v1/links/deploy", json={**body, "commit_hash": "abcdef1"})
    assert other.status_code == 409
    assert other.json()["detail"]["params"]["deploy_link_id"] == first.json()["id"]
    elsewhere = await api.post("/api/v1/links/deploy", json={**body, "environment": "staging"})
    assert elsewhere.status_code == 201
    # One deploy ships one commit: another work item of the project at that commit (a
    # release holding both) is linked to it, at another commit it is a conflict.
    sibling = await start_work(api, item["project_id"])
    shipped = await api.post("/api/v1/links/deploy", json={**body, "work_item_id": sibling["id"]})
    assert shipped.status_code == 201
    split = {**body, "work_item_id": sibling["id"], "commit_hash": "abcdef1"}
    refused = await api.post("/api/v1/links/deploy", json=split)
    assert refused.status_code == 409
    assert refused.json()["detail"]["params"]["commit_hash"] == commit
    unnamed = {k: v for k, v in body.items() if k != "deploy_id"}
    assert (await api.post("/api/v1/links/deploy", json=unnamed)).status_code == 201
    assert (await api.post("/api/v1/links/deploy", json=unnamed)).status_code == 201
    slashed = {**body, "environment": "qa", "deploy_id": f"deploys/{unique('web')}/42"}
    assert (await api.post("/api/v1/links/deploy", json=slashed)).status_code == 201
    traced = await api.get(f"/api/v1/trace/deploy/{slashed['deploy_id']}")  # a '/' in the id
    assert traced.status_code == 200, traced.text
    assert traced.json()["work_items"][0]["id"] == item["id"]
    await events.wait_for("imi.deploy.completed", environment="staging", commit_hash=commit)
    trace = (await api.get(f"/api/v1/trace/commit/{commit}")).json()
    environments = sorted(d["environment"] for d in trace["work_items"][0]["deploy_links"])
    assert environments == ["production", "production", "production", "qa", "staging"]


async def test_a_pr_linked_as_merged_completes_its_work_item(
    api: httpx.AsyncClient, events: EventLog, item: dict[str, str]
) -> None:
    linked = await api.post(
        "/api/v1/links/pr",
        json={
            "work_item_id": item["id"],
            "pr_number": 7,
            "pr_state": "merged",
            "merge_commit_hash": "1234abcd99",
        },
    )
    assert linked.status_code == 201
    completed = await events.wait_for("imi.work.completed", work_item_id=item["id"])
    assert completed["payload"]["completion_type"] == "merged"
    assert completed["payload"]["merge_commit_hash"] == "1234abcd99"
    assert (await api.get(f"/api/v1/work/{item['id']}")).json()["status"] == "merged"
