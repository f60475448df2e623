import uuid

import httpx
from imi_helpers import EventLog, create_project


async def test_components_and_relationships(api: httpx.AsyncClient, events: EventLog) -> None:
    project = await create_project(api)
    linked = await create_project(api)
    created = await api.post(
        "/api/v1/components",
        json={
            "parent_project_id": project["id"],
            "name": "envelope",
            "path": "libs/envelope",
            "kind": "local",
        },
    )
    assert created.status_code == 201
    envelope = created.json()
    event = await events.wait_for("imi.component.registered", component_id=envelope["id"])
    assert event["payload"]["kind"] == "local"
    sub = (
        await api.post(
            "/api/v1/components",
            json={
                "parent_project_id": project["id"],
                "name": "vendored",
                "kind": "submodule",
                "linked_project_id": linked["id"],
            },
        )
    ).json()
    assert (await api.get(f"/api/v1/components/{sub['id']}")).json() == sub
    listed = await api.get("/api/v1/components", params={"project_id": project["id"]})
    assert [c["name"] for c in listed.json()["items"]] == ["envelope", "vendored"]
    kinds = await api.get(
        "/api/v1/components", params={"project_id": project["id"], "kind": "submodule"}
    )
    assert [c["id"] for c in kinds.json()["items"]] == [sub["id"]]

    edge = await api.post(
        f"/api/v1/components/{sub['id']}/relationships",
        json={"target_component_id": envelope["id"], "relationship_type": "depends_on"},
    )
    assert edge.status_code == 201
    both = await api.get(f"/api/v1/components/{envelope['id']}/relationships")
    assert [r["id"] for r in both.json()] == [edge.json()["id"]]
    again = await api.post(
        f"/api/v1/components/{sub['id']}/relationships",
        json={"target_component_id": envelope["id"], "relationship_type": "depends_on"},
    )
    assert again.status_code == 200  # asked for again: the same edge
    assert again.json() == edge.json()
    other = await api.post(
        f"/api/v1/components/{sub['id']}/relationships",
        json={
            "target_component_id": envelope["id"],
            "relationship_type": "depends_on",
            "metadata": {"optional": True},
        },
    )
    assert other.status_code == 409
    assert other.json()["detail"]["params"]["relationship_id"] == edge.json()["id"]


async def test_component_errors(api: httpx.AsyncClient) -> None:
    project = await create_project(api)
    body = {"parent_project_id": project["id"], "name": "x", "kind": "local"}
    first = await api.post("/api/v1/components", json=body)
    assert first.status_code == 201
    taken = await api.post("/api/v1/components", json=body)
    assert taken.status_code == 409
    assert taken.json()["detail"]["params"]["component_id"] == first.json()["id"]
    wrong_kind = await api.post("/api/v1/components", json={**body, "kind": "plugin"})
    assert wrong_kind.status_code == 422
    no_parent = await api.post(
        "/api/v1/components", json={**body, "parent_project_id": str(uuid.uuid4())}
    )
    assert no_parent.status_code == 400
    no_link = await api.post(
        "/api/v1/components",
        json={**body, "name": "y", "linked_project_id": str(uuid.uuid4())},
    )
    assert no_link.status_code == 400
    assert (await api.get(f"/api/v1/components/{uuid.uuid4()}")).status_code == 404
    component = (await api.get("/api/v1/components", params={"project_id": project["id"]})).json()
    cid = component["items"][0]["id"]
    self_edge = await api.post(
        f"/api/v1/components/{cid}/relationships",
        json={"target_component_id": cid, "relationship_type": "uses"},
    )
    assert self_edge.status_code == 400
    unknown_target = await api.post(
        f"/api/v1/components/{cid}/relationships",
        json={"target_component_id": str(uuid.uuid4()), "relationship_type": "uses"},
    )
    assert unknown_target.status_code == 400
    missing = await api.get(f"/api/v1/components/{uuid.uuid4()}/relationships")
    assert missing.status_code == 404
    gone = await create_project(api)
    assert (await api.delete(f"/api/v1/projects/{gone['id']}")).status_code in (200, 204)
    on_gone = await api.post("/api/v1/components", json={**body, "parent_project_id": gone["id"]})
    assert on_gone.status_code == 409  # as a work item there would be
    assert on_gone.json()["detail"]["params"] == {"parent_project_id": gone["id"]}
