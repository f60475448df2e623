"""Intents, intent groups and decisions: creation, transitions (409), merge, chains."""

from __future__ import annotations

from typing import Any

API = "/api/v1"
MISSING = "00000000-0000-4000-8000-000000000000"


async def test_intent_lifecycle_and_illegal_transitions(api: Any, unique: str) -> None:
    intent = await api.created("/intents", {"statement": unique, "proposed_by": "gpt-4"})
    assert intent["status"] == "proposed"
    assert (await api.ok(f"/intents/{intent['id']}"))["statement"] == unique

    url = f"{API}/intents/{intent['id']}"
    accepted = await api.client.patch(url, json={"status": "accepted"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"

    repeated = await api.client.patch(url, json={"status": "accepted"})
    assert repeated.status_code == 200  # what it asks already holds
    assert repeated.json() == accepted.json()
    again = await api.client.patch(url, json={"status": "rejected"})
    assert again.status_code == 409
    assert api.code(again) == "INVALID_TRANSITION"
    assert again.json()["detail"]["params"]["status"] == "accepted"

    back = await api.client.patch(url, json={"status": "proposed"})
    assert back.status_code == 409  # a state it has left, not an unknown one
    assert api.code(back) == "INVALID_TRANSITION"
    unknown = await api.client.patch(url, json={"status": "maybe"})
    assert unknown.status_code == 422
    missing = await api.client.patch(f"{API}/intents/{MISSING}", json={"status": "accepted"})
    assert missing.status_code == 404
    assert (await api.client.get(f"{API}/intents/{MISSING}")).status_code == 404


async def test_unknown_group_is_a_bad_reference(api: Any, unique: str) -> None:
    response = await api.client.post(
        f"{API}/intents",
        json={"statement": unique, "proposed_by": "human", "intent_group_id": MISSING},
    )
    assert response.status_code == 400
    assert api.code(response) == "BAD_REFERENCE"


async def test_groups_unique_names_deprecate_and_merge(api: Any, unique: str) -> None:
    source = await api.created("/intents/groups", {"name": f"src-{unique}"})
    target = await api.created("/intents/groups", {"name": f"dst-{unique}", "description": "d"})
    duplicate = await api.client.post(f"{API}/intents/groups", json={"name": f"src-{unique}"})
    assert duplicate.status_code == 409
    assert api.code(duplicate) == "CONFLICT"
    assert duplicate.json()["detail"]["params"]["intent_group_id"] == source["id"]

    intent = await api.created(
        "/intents", {"statement": unique, "proposed_by": "human", "intent_group_id": source["id"]}
    )
    merged = await api.client.post(
        f"{API}/intents/groups/{source['id']}/merge", json={"into_id": target["id"]}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged"
    assert merged.json()["merged_into_id"] == target["id"]
    assert (await api.ok(f"/intents/{intent['id']}"))["intent_group_id"] == target["id"]
    assert (await api.ok(f"/intents/groups/{target['id']}"))["intent_count"] == 1

    merged_again = await api.client.post(
        f"{API}/intents/groups/{source['id']}/merge", json={"into_id": target["id"]}
    )
    assert merged_again.status_code == 200  # a repeat
    assert merged_again.json()["merged_into_id"] == target["id"]
    elsewhere = await api.created("/intents/groups", {"name": f"else-{unique}"})
    merged_elsewhere = await api.client.post(
        f"{API}/intents/groups/{source['id']}/merge", json={"into_id": elsewhere["id"]}
    )
    assert merged_elsewhere.status_code == 409
    assert merged_elsewhere.json()["detail"]["params"]["merged_into_id"] == target["id"]
    into_merged_group = await api.client.post(
        f"{API}/intents",
        json={"statement": unique, "proposed_by": "human", "intent_group_id": source["id"]},
    )
    assert into_merged_group.status_code == 409  # it takes no new intents
    assert into_merged_group.json()["detail"]["params"]["merged_into_id"] == target["id"]
    into_merged = await api.client.post(
        f"{API}/intents/groups/{target['id']}/merge", json={"into_id": source["id"]}
    )
    assert into_merged.status_code == 409
    into_self = await api.client.post(
        f"{API}/intents/groups/{target['id']}/merge", json={"into_id": target["id"]}
    )
    assert into_self.status_code == 400

    deprecated = await api.client.patch(
        f"{API}/intents/groups/{target['id']}", json={"status": "deprecated"}
    )
    assert deprecated.json()["status"] == "deprecated"
    twice = await api.client.patch(
        f"{API}/intents/groups/{target['id']}", json={"status": "deprecated"}
    )
    assert twice.status_code == 200
    assert twice.json() == deprecated.json()
    revived = await api.client.patch(
        f"{API}/intents/groups/{target['id']}", json={"status": "active"}
    )
    assert revived.status_code == 409
    assert api.code(revived) == "INVALID_TRANSITION"
    merged_by_patch = await api.client.patch(
        f"{API}/intents/groups/{elsewhere['id']}", json={"status": "merged"}
    )
    assert merged_by_patch.status_code == 409  # a merge names its target: POST .../merge
    assert merged_by_patch.json()["detail"]["params"]["allowed"] == ["deprecated"]
    sparse = await api.ok(f"/intents/groups/{target['id']}", fields="id,status")
    assert sparse == {"id": target["id"], "status": "deprecated"}
    unknown_field = await api.client.get(
        f"{API}/intents/groups/{target['id']}", params={"fields": "nope"}
    )
    assert unknown_field.status_code == 400

    listed = await api.ok("/intents/groups", name__icontains=unique.upper(), order="created_at")
    assert [g["name"] for g in listed["items"]] == [
        f"src-{unique}",
        f"dst-{unique}",
        f"else-{unique}",
    ]


async def test_decision_transitions_and_supersession_chain(api: Any, unique: str) -> None:
    first = await api.created("/decisions", {"statement": f"v1 {unique}", "rationale": "r"})
    second = await api.created("/decisions", {"statement": f"v2 {unique}", "status": "active"})
    third = await api.created("/decisions", {"statement": f"v3 {unique}"})
    assert first["status"] == "tentative"

    def patch(decision: dict[str, Any], body: dict[str, Any]) -> Any:
        return api.client.patch(f"{API}/decisions/{decision['id']}", json=body)

    early = await patch(first, {"status": "superseded", "superseded_by_id": second["id"]})
    assert early.status_code == 409
    assert api.code(early) == "INVALID_TRANSITION"
    assert (await patch(first, {"status": "active"})).json()["status"] == "active"
    assert (await patch(first, {"status": "superseded"})).status_code == 400
    assert (
        await patch(first, {"status": "superseded", "superseded_by_id": MISSING})
    ).status_code == 400
    done = await patch(first, {"status": "superseded", "superseded_by_id": second["id"]})
    assert done.json()["superseded_by_id"] == second["id"]
    repeated = await patch(first, {"status": "superseded", "superseded_by_id": second["id"]})
    assert repeated.status_code == 200
    assert repeated.json() == done.json()
    other = await patch(first, {"status": "superseded", "superseded_by_id": third["id"]})
    assert other.status_code == 409
    assert other.json()["detail"]["params"]["superseded_by_id"] == second["id"]  # what holds
    await patch(second, {"status": "superseded", "superseded_by_id": third["id"]})
    undone = await patch(first, {"status": "tentative"})
    assert undone.status_code == 409
    assert api.code(undone) == "INVALID_TRANSITION"
    back = await patch(third, {"status": "active"})
    assert back.status_code == 200
    cycle = await patch(third, {"status": "superseded", "superseded_by_id": first["id"]})
    assert cycle.status_code == 409

    chain = await api.ok(f"/decisions/{second['id']}/chain")
    assert [(d["id"], d["position"]) for d in chain] == [
        (first["id"], -1),
        (second["id"], 0),
        (third["id"], 1),
    ]
    assert (await api.client.get(f"{API}/decisions/{MISSING}/chain")).status_code == 404
    live = await api.ok("/decisions", statement__contains=unique, superseded_by_id__isnull="true")
    assert [d["id"] for d in live["items"]] == [third["id"]]


async def test_a_statement_name_or_query_of_blanks_is_refused(api: Any) -> None:
    for path, body in (
        ("/decisions", {"statement": "   "}),
        ("/intents", {"statement": " \n\t", "proposed_by": "human"}),
        ("/intents/groups", {"name": "  "}),
        ("/search/semantic", {"query": "   "}),
        ("/search/hybrid", {"query": "   "}),
    ):
        response = await api.client.post(f"{API}{path}", json=body)
        assert response.status_code == 422, path
        assert "only blanks" in response.text, path
