"""`mimir.cmd.capture_artifact` over the bus: the same effects and events as the REST API."""

from __future__ import annotations

import uuid
from typing import Any

from harness import eventually
from mimir_helpers import Bloodbank, next_event

from envelope import create_envelope, service_source

CAPTURE = "mimir.cmd.capture_artifact"


async def test_capture_artifact_stores_it_with_relations_and_emits_its_events(
    api: Any, bloodbank: Bloodbank, mimir_events: Any, unique: str
) -> None:
    item_id = uuid.uuid4()
    command = await bloodbank.publish(
        CAPTURE,
        {
            "artifact_type": "note",
            "source": f"agent-{unique}",
            "content": f"Agent notes {unique}: retries are capped at two.",
            "metadata": {"session": unique},
            "provenance_model": "summariser-v2",
            "relations": [
                {
                    "relation_type": "captured_during",
                    "target_type": "imi.work_item",
                    "target_id": str(item_id),
                }
            ],
        },
        source="agents",
    )
    created = await next_event(mimir_events, "mimir.artifact.created", source=f"agent-{unique}")
    assert str(command.event_id) in created["correlation_ids"]
    artifact_id = created["payload"]["artifact_id"]
    related = await next_event(mimir_events, "mimir.relation.created", source_id=artifact_id)
    assert related["payload"]["target_id"] == str(item_id)

    [relation] = await api.ok(f"/artifacts/{artifact_id}/relations")
    assert relation["target_type"] == "imi.work_item"
    assert relation["external_status"] == "pending"
    artifact = await api.ok(f"/artifacts/{artifact_id}")
    assert artifact["metadata"] == {"session": unique}
    [provenance] = await api.ok(f"/provenance/artifact/{artifact_id}")
    assert provenance["model_id"] == "summariser-v2"

    # The same command delivered again has no second effect.
    await bloodbank.publish_raw(CAPTURE, command.model_dump_json().encode())

    async def drained() -> bool:
        return (await bloodbank.queue_counts("messages")).get("mimir.commands") == "0"

    await eventually(drained)

    await bloodbank.publish(  # a new version, naming the relation the artifact has
        CAPTURE,
        {
            "artifact_id": artifact_id,
            "content": f"Agent notes {unique}: now three.",
            "relations": [
                {
                    "relation_type": "captured_during",
                    "target_type": "imi.work_item",
                    "target_id": str(item_id),
                }
            ],
        },
        source="agents",
    )
    added = await next_event(mimir_events, "mimir.artifact.version_added", artifact_id=artifact_id)
    assert added["payload"]["version_number"] == 2
    assert await api.ok(f"/artifacts/{artifact_id}/relations") == [relation]
    listed = await api.ok("/artifacts", source=f"agent-{unique}")
    assert [(a["id"], a["latest_version"]) for a in listed["items"]] == [(artifact_id, 2)]


async def test_a_command_that_cannot_succeed_is_answered_and_leaves_nothing(
    api: Any, bloodbank: Bloodbank, mimir_events: Any, unique: str
) -> None:
    dead_before = await bloodbank.dead_letters("mimir.commands")
    cases = [
        ({"artifact_id": str(uuid.uuid4()), "content": "more"}, "NOT_FOUND"),
        (
            {
                "source": f"agent-{unique}",
                "content": "kept only if every relation is valid",
                "relations": [
                    {
                        "relation_type": "about",
                        "target_type": "Not A Type",
                        "target_id": str(uuid.uuid4()),
                    }
                ],
            },
            "BAD_REQUEST",
        ),
        (
            {"artifact_type": "video", "source": f"agent-{unique}", "content": "x"},
            "VALIDATION_ERROR",
        ),
    ]
    for payload, code in cases:
        command = await bloodbank.publish(CAPTURE, payload, source="agents")
        failed = await next_event(
            mimir_events, "mimir.cmd.failed", command_event_id=str(command.event_id)
        )
        assert failed["payload"]["command"] == CAPTURE
        assert failed["payload"]["code"] == code
        assert failed["payload"]["reason"]
        assert str(command.event_id) in failed["correlation_ids"]
        assert failed["source"]["app"] == "mimir"
        # The artifact written before the bad relation went with the savepoint: so did its
        # `mimir.artifact.created`.
        caused = (await api.ok(f"/events/{command.event_id}"))["caused"]
        assert [event["event_type"] for event in caused] == ["mimir.cmd.failed"]

    assert (await api.ok("/artifacts", source=f"agent-{unique}"))["items"] == []
    assert await bloodbank.dead_letters("mimir.commands") == dead_before


async def test_over_long_values_are_answered_before_sql_and_the_next_command_is_applied(
    api: Any, bloodbank: Bloodbank, mimir_events: Any, unique: str
) -> None:
    dead_before = await bloodbank.dead_letters("mimir.commands")
    for field in ("external_id", "source"):
        payload = {"source": f"agent-{unique}", "content": "too long", field: "x" * 4160}
        valid_envelope = create_envelope(CAPTURE, {"content": "-"}, source=service_source("a"))
        careless = valid_envelope.model_copy(update={"payload": payload})  # skips validation
        await bloodbank.publish_raw(CAPTURE, careless.model_dump_json().encode())
        failed = await next_event(
            mimir_events, "mimir.cmd.failed", command_event_id=str(careless.event_id)
        )
        assert failed["payload"]["code"] == "VALIDATION_ERROR"
        assert failed["payload"]["details"]["fields"] == [field]
    valid = {"source": f"agent-{unique}", "content": "stored", "external_id": unique}
    await bloodbank.publish(CAPTURE, valid, source="agents")
    created = await next_event(mimir_events, "mimir.artifact.created", source=f"agent-{unique}")
    assert created["payload"]["external_id"] == unique
    assert await bloodbank.dead_letters("mimir.commands") == dead_before
    response = await api.client.post(
        "/api/v1/artifacts",
        json={"artifact_type": "note", "source": "s", "content": "c", "external_id": "x" * 4160},
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "VALIDATION_ERROR"
