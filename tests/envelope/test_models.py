"""Wire compatibility with Bloodbank v2, in both directions, from literal JSON."""

import json
import uuid
from typing import Any

import pytest

from envelope import (
    AgentType,
    EventEnvelope,
    InvalidPayload,
    TriggerType,
    UnknownEventType,
    correlation_scope,
    create_envelope,
    service_source,
)

# As Bloodbank v2's publisher writes it (model_dump(mode="json") of its EventEnvelope).
BLOODBANK_V2_JSON = """
{
  "event_id": "8f0c2d4e-9a1b-4c3d-8e7f-1a2b3c4d5e6f",
  "event_type": "test.thing.happened",
  "timestamp": "2026-02-11T10:15:30.123456Z",
  "version": "1.0.0",
  "source": {"host": "workstation", "type": "agent", "app": "flume", "meta": {"pid": 42}},
  "correlation_ids": [
    "0b1e6f3a-2c4d-4e5f-8a9b-0c1d2e3f4a5b",
    "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
  ],
  "agent_context": {
    "type": "claude-code",
    "name": "builder",
    "system_prompt": "You build things.",
    "instance_id": "session-7",
    "mcp_servers": ["imi", "mimir"],
    "file_references": ["src/app.py"],
    "url_references": ["https://example.invalid/spec"],
    "code_state": {
      "repo_url": "git@example.invalid:team/app.git",
      "branch": "feat/PROJ-7-login",
      "working_diff": "diff --git a/x b/x",
      "branch_diff": null,
      "last_commit_hash": "a1b2c3d"
    },
    "checkpoint_id": "cp-3",
    "meta": {"model": "large"}
  },
  "payload": {"name": "widget", "size": 3}
}
"""

V2_FIELDS = {
    "event_id",
    "event_type",
    "timestamp",
    "version",
    "source",
    "correlation_ids",
    "agent_context",
    "payload",
}


def test_a_bloodbank_v2_envelope_parses() -> None:
    envelope = EventEnvelope[Any].model_validate_json(BLOODBANK_V2_JSON)
    assert envelope.source.type is TriggerType.AGENT
    assert envelope.agent_context is not None
    assert envelope.agent_context.type is AgentType.CLAUDE_CODE
    assert envelope.agent_context.code_state is not None
    assert envelope.agent_context.code_state.branch == "feat/PROJ-7-login"
    assert envelope.correlation_ids == [
        uuid.UUID("0b1e6f3a-2c4d-4e5f-8a9b-0c1d2e3f4a5b"),
        uuid.UUID("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
    ]


def test_round_trip_keeps_every_field() -> None:
    original = json.loads(BLOODBANK_V2_JSON)
    again = json.loads(EventEnvelope[Any].model_validate(original).to_json())
    original["timestamp"] = again["timestamp"]  # same instant; v2 and we both write ISO 8601
    assert again == original


def test_ours_has_exactly_the_v2_fields_and_types() -> None:
    envelope = create_envelope(
        "test.thing.happened",
        {"name": "widget"},
        source=service_source("imi"),
        correlation_ids=[uuid.uuid4()],
    )
    wire = json.loads(envelope.to_json())
    assert set(wire) == V2_FIELDS
    assert wire["version"] == "1.0.0"
    assert wire["source"]["type"] == "service"
    assert wire["source"]["app"] == "imi"
    assert wire["agent_context"] is None
    uuid.UUID(wire["event_id"])
    uuid.UUID(wire["correlation_ids"][0])
    assert wire["timestamp"].endswith("Z") or wire["timestamp"].endswith("+00:00")
    assert wire["payload"] == {"name": "widget", "size": 0}


def test_create_envelope_validates_the_payload() -> None:
    with pytest.raises(InvalidPayload) as caught:
        create_envelope("test.thing.happened", {"size": "big"}, source=service_source("imi"))
    assert {tuple(e["loc"]) for e in caught.value.errors} == {("name",), ("size",)}


def test_create_envelope_refuses_an_unregistered_type() -> None:
    with pytest.raises(UnknownEventType):
        create_envelope("nobody.knows.this", {}, source=service_source("imi"))


def test_envelopes_carry_the_correlation_ids_of_their_context() -> None:
    cause = uuid.uuid4()
    with correlation_scope([cause]):
        inside = create_envelope("test.thing.happened", {"name": "a"}, source=service_source("x"))
    outside = create_envelope("test.thing.happened", {"name": "b"}, source=service_source("x"))
    assert inside.correlation_ids == [cause]
    assert outside.correlation_ids == []
