"""Over-long values that would reach an index: refused before SQL, and the queue moves on."""

from __future__ import annotations

import uuid

import httpx
import pytest
from imi_helpers import Bus, EventLog, create_project, start_work, unique

LONG = "X" * 4160  # what a careless producer sent: far over any index entry


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ("imi.cmd.link_ticket", "plane_ticket_id"),
        ("imi.cmd.start_work", "source_ref"),
        ("imi.cmd.start_work", "owner_id"),
    ],
)
async def test_a_command_with_an_over_long_value_is_answered_and_the_next_applied(
    api: httpx.AsyncClient, bus: Bus, events: EventLog, command: str, field: str
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    bodies = {
        "imi.cmd.link_ticket": {"work_item_id": item["id"], "plane_ticket_id": "LONG-1"},
        "imi.cmd.start_work": {"project_id": project["id"], "branch_name": unique("feat")},
    }
    before = await bus.dead_letters("imi.commands")
    command_id = await bus.publish(command, {**bodies[command], field: LONG})
    valid = {"work_item_id": item["id"], "plane_ticket_id": f"OK-{uuid.uuid4().int % 10**6}"}
    await bus.publish("imi.cmd.link_ticket", valid)
    failed = await events.wait_for("imi.cmd.failed", command_event_id=str(command_id))
    assert failed["payload"]["code"] == "VALIDATION_ERROR"
    assert failed["payload"]["params"]["fields"] == [field]
    await events.wait_for(
        "imi.link.ticket_linked", plane_ticket_id=valid["plane_ticket_id"], work_item_id=item["id"]
    )
    assert await bus.dead_letters("imi.commands") == before


@pytest.mark.parametrize("field", ["deploy_id", "environment"])
async def test_a_deploy_event_with_an_over_long_value_is_dead_lettered(
    api: httpx.AsyncClient, bus: Bus, events: EventLog, field: str
) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    commit = uuid.uuid4().hex
    await api.patch(f"/api/v1/work/{item['id']}/git-state", json={"last_commit_hash": commit})
    before = await bus.dead_letters("imi.deploy_events")
    deploy = {"environment": "prod", "commit": commit, "deploy_id": "run-1"}
    await bus.publish("ci.deploy.completed", {**deploy, field: LONG})
    await bus.publish("ci.deploy.completed", deploy)
    await bus.dead_lettered("imi.deploy_events", before + 1)
    deployed = await events.wait_for("imi.deploy.completed", work_item_id=item["id"])
    assert deployed["payload"]["deploy_id"] == "run-1"


async def test_over_long_values_over_http_are_422_not_503(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    item = await start_work(api, project["id"])
    refused = [
        await api.post(
            "/api/v1/work",
            json={"project_id": project["id"], "branch_name": unique("b"), "source_ref": LONG},
        ),
        await api.post(
            "/api/v1/work",
            json={"project_id": project["id"], "branch_name": unique("b"), "owner_id": LONG},
        ),
        await api.post(
            "/api/v1/links/ticket",
            json={"work_item_id": item["id"], "plane_ticket_id": "PROJ-" + "1" * 4160},
        ),
        await api.post(
            "/api/v1/links/deploy",
            json={
                "work_item_id": item["id"],
                "environment": "prod",
                "commit": "abcd1234",
                "deploy_id": LONG,
            },
        ),
    ]
    for response in refused:
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["code"] == "VALIDATION_ERROR"
