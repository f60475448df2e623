import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from harness import Database
from imi_helpers import create_project, start_work


def ticket_key() -> str:
    return f"TR{uuid.uuid4().int % 10**8}-{uuid.uuid4().int % 1000}"


@pytest.fixture
async def chain(api: httpx.AsyncClient) -> dict[str, Any]:
    """A ticket on two work items; one has a merged PR deployed to staging."""
    key = ticket_key()
    project = await create_project(api)
    first = await start_work(api, project["id"], branch_name=f"feat/{key}-api")
    second = await start_work(api, project["id"], branch_name=f"feat/{key}-ui")
    other = await start_work(api, project["id"])
    commit = uuid.uuid4().hex
    pr = (
        await api.post("/api/v1/links/pr", json={"work_item_id": first["id"], "pr_number": 7001})
    ).json()
    await api.patch(
        f"/api/v1/links/pr/{pr['id']}", json={"pr_state": "merged", "merge_commit_hash": commit}
    )
    deploy = (
        await api.post(
            "/api/v1/links/deploy",
            json={"environment": "staging", "commit_hash": commit, "deploy_id": f"d-{key}"},
        )
    ).json()
    return {
        "key": key,
        "project": project,
        "items": [first, second],
        "other": other,
        "pr": pr,
        "commit": commit,
        "deploy": deploy,
    }


def ids(body: dict[str, Any]) -> list[str]:
    return [w["id"] for w in body["work_items"]]


async def test_trace_from_every_end(api: httpx.AsyncClient, chain: dict[str, Any]) -> None:
    expected = [item["id"] for item in chain["items"]]
    project_id = chain["project"]["id"]
    for path in (
        f"ticket/{chain['key']}",
        f"work/{chain['items'][1]['id']}",
        f"pr/{chain['pr']['pr_number']}?project_id={project_id}",
        f"commit/{chain['commit']}",
        f"commit/{chain['commit'][:10]}",
        f"deploy/{chain['deploy']['id']}",
        f"deploy/d-{chain['key']}",
    ):
        response = await api.get(f"/api/v1/trace/{path}")
        assert response.status_code == 200, path
        body = response.json()
        assert ids(body) == expected, path
        assert body["tickets"] == [chain["key"]]
    short = await api.get(f"/api/v1/trace/commit/{chain['commit'][:6]}")
    assert short.status_code == 400  # six digits name unrelated commits as well
    assert short.json()["detail"]["code"] == "BAD_REQUEST"
    first = (await api.get(f"/api/v1/trace/ticket/{chain['key']}")).json()["work_items"][0]
    assert [p["pr_state"] for p in first["pr_links"]] == ["merged"]
    assert [d["environment"] for d in first["deploy_links"]] == ["staging"]
    assert first["status"] == "merged"


async def test_trace_detects_the_kind(api: httpx.AsyncClient, chain: dict[str, Any]) -> None:
    for ref, kind in (
        (chain["key"], "ticket"),
        (chain["items"][0]["id"], "work"),
        (chain["deploy"]["id"], "deploy"),
        (chain["commit"], "commit"),
    ):
        body = (await api.get(f"/api/v1/trace/{ref}")).json()
        assert body.get("kind") == kind, (ref, body)
        assert chain["items"][0]["id"] in ids(body)


async def test_a_commit_prefix_of_digits_is_not_taken_for_a_pr(
    api: httpx.AsyncClient, chain: dict[str, Any]
) -> None:
    digits = f"1{uuid.uuid4().int % 10**8:08d}"  # a PR number in range, too
    deploy = {"work_item_id": chain["other"]["id"], "environment": "dev"}
    await api.post("/api/v1/links/deploy", json={**deploy, "commit_hash": digits + "ab" * 15})
    body = (await api.get(f"/api/v1/trace/{digits}")).json()
    assert (body.get("kind"), ids(body)) == ("commit", [chain["other"]["id"]])
    # a PR number that is also a possible commit prefix still means the PR
    by_pr = (await api.get(f"/api/v1/trace/{chain['pr']['pr_number']}")).json()
    assert by_pr.get("kind") == "pr"


async def test_trace_errors(api: httpx.AsyncClient, chain: dict[str, Any]) -> None:
    assert (await api.get("/api/v1/trace/ticket/NONE-1")).status_code == 404
    assert (await api.get("/api/v1/trace/ticket/bad")).status_code == 400  # as /pr/abc
    assert (await api.get(f"/api/v1/trace/work/{uuid.uuid4()}")).status_code == 404
    assert (await api.get("/api/v1/trace/work/not-an-id")).status_code == 400
    assert (await api.get("/api/v1/trace/pr/abc")).status_code == 400
    assert (await api.get("/api/v1/trace/what?")).status_code in (400, 404)
    assert (await api.get("/api/v1/trace/not a ref")).status_code == 400
    # a work item without links traces to itself alone
    alone = await api.get(f"/api/v1/trace/work/{chain['other']['id']}")
    assert ids(alone.json()) == [chain["other"]["id"]]


async def test_stats_counts_and_lead_time(
    api: httpx.AsyncClient, chain: dict[str, Any], database: Database
) -> None:
    project_id = chain["project"]["id"]
    first, second = chain["items"]
    # Lead times 1h and 3h: put the deploys 1h and 3h after the ticket links.
    with psycopg.connect(database.admin_conninfo()) as conn:
        linked = datetime(2026, 1, 1, tzinfo=UTC)
        conn.execute(
            "UPDATE imi.ticket_links SET created_at = %s WHERE work_item_id = ANY(%s)",
            (linked, [first["id"], second["id"]]),
        )
        conn.execute(
            "UPDATE imi.deploy_links SET deployed_at = %s WHERE work_item_id = %s",
            (linked + timedelta(hours=1), first["id"]),
        )
    await api.post(
        "/api/v1/links/deploy",
        json={
            "work_item_id": second["id"],
            "environment": "staging",
            "commit_hash": "abc1234",
            "deployed_at": (linked + timedelta(hours=3)).isoformat(),
        },
    )
    stats = (await api.get("/api/v1/stats", params={"project_id": project_id})).json()
    assert stats["work_items"] == 3
    assert stats["by_status"] == {"merged": 1, "clean": 2}
    assert stats["by_type"] == {"feature": 3}
    assert stats["by_project"] == [
        {"project_id": project_id, "name": chain["project"]["name"], "work_items": 3}
    ]
    assert stats["lead_time"] == [
        {
            "environment": "staging",
            "work_items": 2,
            "median_seconds": 7200.0,
            "p90_seconds": pytest.approx(3600 + 0.9 * 7200),
        }
    ]
    everything = (await api.get("/api/v1/stats")).json()
    assert everything["work_items"] >= 3
    assert (await api.get("/api/v1/stats", params={"project_id": "x"})).status_code == 422


async def test_pr_references_are_ascii_numbers_in_range(imi_client: httpx.AsyncClient) -> None:
    for ref in ("%C2%B9", "%D9%A3", "99999999999", "0"):
        response = await imi_client.get(f"/api/v1/trace/pr/{ref}")
        assert response.status_code == 400, ref
        assert response.json()["detail"]["code"] == "BAD_REQUEST"


async def test_a_commit_is_one_commit_whatever_the_case_of_its_hex(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    head = uuid.uuid4().hex
    synced = await api.patch(
        f"/api/v1/work/{item['id']}/git-state", json={"last_commit_hash": head.upper()}
    )
    assert synced.json()["last_commit_hash"] == head  # stored as git writes it
    for ref in (head, head.upper(), head[:10].upper()):
        traced = await api.get(f"/api/v1/trace/commit/{ref}")
        assert traced.status_code == 200, ref
        assert [w["id"] for w in traced.json()["work_items"]] == [item["id"]]
    deployed = await api.post(
        "/api/v1/links/deploy", json={"environment": "prod", "commit": head[:9].upper()}
    )
    assert deployed.status_code == 201, deployed.text
    assert deployed.json()["work_item_id"] == item["id"]
    path = f"/api/v1/work/{item['id']}/git-state"
    for not_hex in ("xyz-not-hex", "İ" * 33):  # U+0130 lowers to two characters
        assert (await api.patch(path, json={"last_commit_hash": not_hex})).status_code == 422
