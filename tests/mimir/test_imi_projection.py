"""imi's events become mimir's projection; relations to imi entities and the project filter."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import eventually
from imi_helpers import create_project, start_work
from mimir_helpers import Bloodbank

API = "/api/v1"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def work_started(project_id: uuid.UUID, work_item_id: uuid.UUID, branch: str) -> dict[str, Any]:
    return {
        "project_id": str(project_id),
        "work_item_id": str(work_item_id),
        "branch_name": branch,
        "work_type": "feature",
        "source_type": "manual",
        "status": "clean",
    }


def git_state(project_id: uuid.UUID, work_item_id: uuid.UUID, status: str) -> dict[str, Any]:
    return {
        "project_id": str(project_id),
        "work_item_id": str(work_item_id),
        "branch_name": f"feature/{status}",
        "status": status,
        "has_uncommitted_changes": False,
        "uncommitted_files_count": 0,
        "ahead_of_trunk": 1,
        "behind_trunk": 0,
    }


async def test_events_upsert_the_projection_and_an_older_event_changes_nothing(
    bloodbank: Bloodbank, unique: str
) -> None:
    project_id, item_id = uuid.uuid4(), uuid.uuid4()
    await bloodbank.publish(
        "imi.project.registered",
        {
            "project_id": str(project_id),
            "name": f"proj-{unique}",
            "remote_origin": f"git@example.com:t/{unique}.git",
            "default_branch": "main",
        },
        timestamp=T0,
    )
    await bloodbank.publish(
        "imi.work.started", work_started(project_id, item_id, f"feature/{unique}"), timestamp=T0
    )
    newest = T0 + timedelta(minutes=10)
    await bloodbank.publish(
        "imi.work.git_state_updated", git_state(project_id, item_id, "ahead"), timestamp=newest
    )

    async def ahead() -> dict[str, Any] | None:
        """Both events applied, in whichever order the consumers took them."""
        row = await bloodbank.entity("imi.work_item", item_id)
        return row if row and row["state"] == "ahead" and "work_type" in row["metadata"] else None

    row = await eventually(ahead)
    assert row["display_name"] == "feature/ahead"  # the newest event names the branch
    assert row["project_id"] == project_id
    assert row["metadata"]["work_type"] == "feature"
    assert row["metadata"]["ahead_of_trunk"] == 1
    project = await bloodbank.entity("imi.project", project_id)
    assert project is not None
    assert (project["display_name"], project["state"]) == (f"proj-{unique}", "active")

    before = await bloodbank.entity("imi.work_item", item_id)
    late = await bloodbank.publish(
        "imi.work.git_state_updated",
        git_state(project_id, item_id, "behind"),
        timestamp=T0 + timedelta(minutes=5),
    )
    await eventually(lambda: bloodbank.consumed(late.event_id))
    row = await bloodbank.entity("imi.work_item", item_id)
    assert row is not None
    assert (row["state"], row["updated_at"]) == ("ahead", newest)
    assert row == before  # nothing else moved either: name, project, metadata

    await bloodbank.publish(
        "imi.project.deactivated",
        {
            "project_id": str(project_id),
            "name": f"proj-{unique}",
            "remote_origin": f"git@example.com:t/{unique}.git",
        },
        timestamp=newest,
    )

    async def inactive() -> bool:
        found = await bloodbank.entity("imi.project", project_id)
        return bool(found and found["state"] == "inactive")

    await eventually(inactive)


async def test_pr_deploy_and_ticket_events_are_projected(api: Any, bloodbank: Bloodbank) -> None:
    project_id, item_id = uuid.uuid4(), uuid.uuid4()
    pr_id, deploy_id, ticket_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    common = {"project_id": str(project_id), "work_item_id": str(item_id)}
    pr = {**common, "pr_link_id": str(pr_id), "pr_number": 42, "pr_title": "Retry payments"}
    await bloodbank.publish("imi.pr.created", {**pr, "pr_state": "open"}, timestamp=T0)
    await bloodbank.publish(
        "imi.pr.merged", {**pr, "pr_state": "merged"}, timestamp=T0 + timedelta(hours=1)
    )
    await bloodbank.publish(
        "imi.deploy.completed",
        {
            **common,
            "deploy_link_id": str(deploy_id),
            "environment": "production",
            "commit_hash": "abc123def4567890",
            "deployed_at": T0.isoformat(),
        },
    )
    await bloodbank.publish(
        "imi.link.ticket_linked",
        {**common, "ticket_link_id": str(ticket_id), "plane_ticket_id": "PAY-7"},
    )

    async def all_projected() -> list[dict[str, Any]] | None:
        rows = [
            await bloodbank.entity("imi.pr", pr_id),
            await bloodbank.entity("imi.deploy", deploy_id),
            await bloodbank.entity("imi.ticket", ticket_id),
        ]
        ready = all(rows) and rows[0] is not None and rows[0]["state"] == "merged"
        return rows if ready else None  # type: ignore[return-value]

    pr_row, deploy_row, ticket_row = await eventually(all_projected)
    assert pr_row["display_name"] == "PR #42 Retry payments"
    assert deploy_row["display_name"] == "deploy production abc123def456"
    assert deploy_row["state"] == "production"
    assert ticket_row["display_name"] == "PAY-7"
    assert {r["project_id"] for r in (pr_row, deploy_row, ticket_row)} == {project_id}

    listed = await api.ok("/external-entities", project_id=str(project_id), order="created_at")
    assert [e["entity_type"] for e in listed["items"]] == ["imi.pr", "imi.deploy", "imi.ticket"]
    pr = await api.ok(f"/external-entities/imi.pr/{pr_id}")
    assert (pr["display_name"], pr["state"]) == ("PR #42 Retry payments", "merged")
    missing = await api.client.get(f"{API}/external-entities/imi.pr/{uuid.uuid4()}")
    assert missing.status_code == 404


async def test_malformed_events_are_dead_lettered_and_the_consumer_keeps_going(
    bloodbank: Bloodbank, unique: str
) -> None:
    before = await bloodbank.dead_letters("mimir.imi_events")
    await bloodbank.publish_raw("imi.work.started", b"not json at all")
    bad = {"project_id": str(uuid.uuid4()), "work_item_id": "not-a-uuid"}
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "imi.work.started",
        "timestamp": T0.isoformat(),
        "version": "1.0.0",
        "source": {"host": "test", "type": "service", "app": "imi"},
        "correlation_ids": [],
        "payload": bad,
    }
    await bloodbank.publish_raw("imi.work.started", json.dumps(envelope).encode())

    async def dead_lettered() -> bool:
        return await bloodbank.dead_letters("mimir.imi_events") >= before + 2

    await eventually(dead_lettered, timeout=20)
    project_id, item_id = uuid.uuid4(), uuid.uuid4()
    await bloodbank.publish(
        "imi.work.started", work_started(project_id, item_id, f"after/{unique}")
    )
    await eventually(lambda: bloodbank.entity("imi.work_item", item_id))


async def test_a_relation_to_an_unknown_imi_entity_is_pending_until_its_event(
    api: Any, bloodbank: Bloodbank, unique: str
) -> None:
    artifact = await api.artifact(f"notes on {unique}")
    project_id, item_id = uuid.uuid4(), uuid.uuid4()
    relation = await api.created(
        "/relations",
        {
            "source_type": "artifact",
            "source_id": artifact["id"],
            "relation_type": "captured_during",
            "target_type": "imi.work_item",
            "target_id": str(item_id),
        },
    )
    assert relation["external_status"] == "pending"
    assert relation["source_external"] is None
    assert relation["target_external"]["status"] == "pending"

    await bloodbank.publish(
        "imi.work.started", work_started(project_id, item_id, f"feature/{unique}")
    )

    async def confirmed() -> list[dict[str, Any]] | None:
        rows = await api.ok(f"/artifacts/{artifact['id']}/relations")
        return rows if rows[0]["external_status"] == "confirmed" else None

    [row] = await eventually(confirmed)
    assert row["target_external"] == {
        "status": "confirmed",
        "display_name": f"feature/{unique}",
        "state": "clean",
        "project_id": str(project_id),
    }
    listed = await api.ok("/relations", target_id=str(item_id))
    assert listed["items"][0]["target_external"]["display_name"] == f"feature/{unique}"
    walk = await api.ok("/relations/traverse", start_type="artifact", start_id=artifact["id"])
    assert walk["relations"][0]["external_status"] == "confirmed"

    typo = await api.client.post(
        f"{API}/relations",
        json={
            **{k: relation[k] for k in ("source_type", "source_id", "relation_type")},
            "target_type": "imi.workitem",
            "target_id": str(item_id),
        },
    )
    assert typo.status_code == 400
    assert api.code(typo) == "BAD_REQUEST"


async def relate(api: Any, source: tuple[str, Any], target: tuple[str, Any]) -> None:
    await api.created(
        "/relations",
        {
            "source_type": source[0],
            "source_id": str(source[1]),
            "relation_type": "about",
            "target_type": target[0],
            "target_id": str(target[1]),
        },
    )


async def test_lists_and_searches_filter_by_imi_project(
    api: Any, bloodbank: Bloodbank, unique: str
) -> None:
    project_id, elsewhere, item_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await bloodbank.publish("imi.work.started", work_started(project_id, item_id, unique))
    await eventually(lambda: bloodbank.entity("imi.work_item", item_id))

    word = f"zq{unique}"
    via_item = await api.artifact(f"{word} payment retries, decided on the branch")
    via_project = await api.artifact(f"{word} payment retries, for the whole project")
    outside = await api.artifact(f"{word} payment retries, in another project")
    await relate(api, ("artifact", via_item["id"]), ("imi.work_item", item_id))
    await relate(api, ("imi.project", project_id), ("artifact", via_project["id"]))
    await relate(api, ("artifact", outside["id"]), ("imi.project", elsewhere))
    decision = await api.created("/decisions", {"statement": f"retry twice {unique}"})
    await api.created("/decisions", {"statement": f"unrelated {unique}"})
    intent = await api.created("/intents", {"statement": f"retry {unique}", "proposed_by": "x"})
    await relate(api, ("decision", decision["id"]), ("imi.work_item", item_id))
    await relate(api, ("imi.project", project_id), ("intent", intent["id"]))

    expected = {via_item["id"], via_project["id"]}
    listed = await api.ok("/artifacts", project_id=str(project_id))
    assert {a["id"] for a in listed["items"]} == expected
    decisions = await api.ok("/decisions", project_id=str(project_id))
    assert [d["id"] for d in decisions["items"]] == [decision["id"]]
    intents = await api.ok("/intents", project_id=str(project_id), status="proposed")
    assert [i["id"] for i in intents["items"]] == [intent["id"]]
    assert (await api.ok("/artifacts", project_id=str(uuid.uuid4())))["items"] == []

    async def indexed() -> bool:
        for artifact in (via_item, via_project, outside):
            detail = await api.ok(f"/artifacts/{artifact['id']}")
            if detail["indexing_status"] != "indexed":
                return False
        return True

    await eventually(indexed, timeout=60)
    filters = {"project_id": str(project_id)}
    for mode in ("text", "hybrid", "semantic"):
        body = {"query": f"{word} payment retries", "limit": 10, "filters": filters}
        response = await api.client.post(f"{API}/search/{mode}", json=body)
        assert response.status_code == 200, response.text
        assert {hit["artifact_id"] for hit in response.json()["hits"]} == expected, mode


async def test_imi_itself_feeds_the_projection(
    api: Any, bloodbank: Bloodbank, imi_client: Any
) -> None:
    project = await create_project(imi_client)
    work = await start_work(imi_client, project["id"])
    artifact = await api.artifact("notes written while imi announces the branch")
    await relate(api, ("artifact", artifact["id"]), ("imi.work_item", work["id"]))

    async def confirmed() -> dict[str, Any] | None:
        [relation] = await api.ok(f"/artifacts/{artifact['id']}/relations")
        return relation if relation["external_status"] == "confirmed" else None

    relation = await eventually(confirmed, timeout=20)
    assert relation["target_external"]["display_name"] == work["branch_name"]
    assert relation["target_external"]["project_id"] == project["id"]
    listed = await api.ok("/artifacts", project_id=project["id"])
    assert [a["id"] for a in listed["items"]] == [artifact["id"]]


async def test_a_reopened_pull_request_is_open_again_in_the_projection(
    bloodbank: Bloodbank, imi_client: Any
) -> None:
    project = await create_project(imi_client)
    work = await start_work(imi_client, project["id"])
    created = await imi_client.post(
        "/api/v1/links/pr", json={"work_item_id": work["id"], "pr_number": 7}
    )
    pr_path = f"/api/v1/links/pr/{created.json()['id']}"

    async def projected(state: str) -> bool:
        row = await bloodbank.entity("imi.pr", created.json()["id"])
        return bool(row and row["state"] == state)

    assert (await imi_client.patch(pr_path, json={"pr_state": "closed"})).status_code == 200
    await eventually(lambda: projected("closed"), timeout=20)
    assert (await imi_client.patch(pr_path, json={"pr_state": "open"})).status_code == 200
    await eventually(lambda: projected("open"), timeout=20)


async def test_an_older_event_arriving_late_fills_what_only_it_carries(
    bloodbank: Bloodbank, unique: str
) -> None:
    project_id, item_id = uuid.uuid4(), uuid.uuid4()
    newest = T0 + timedelta(minutes=10)
    first = await bloodbank.publish(
        "imi.work.git_state_updated", git_state(project_id, item_id, "ahead"), timestamp=newest
    )
    await eventually(lambda: bloodbank.consumed(first.event_id))
    late = await bloodbank.publish(
        "imi.work.started", work_started(project_id, item_id, f"feature/{unique}"), timestamp=T0
    )
    await eventually(lambda: bloodbank.consumed(late.event_id))
    row = await bloodbank.entity("imi.work_item", item_id)
    assert row is not None
    assert (row["state"], row["updated_at"], row["display_name"]) == (
        "ahead",
        newest,
        "feature/ahead",
    )
    assert row["metadata"]["work_type"] == "feature"
