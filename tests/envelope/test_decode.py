"""What arrives on the bus: envelopes, hookd's flat messages, and garbage."""

import json
import uuid

import pytest

from envelope import (
    InvalidPayload,
    MalformedMessage,
    ToolMutation,
    UnknownEventType,
    create_envelope,
    decode_message,
    request_id_to_uuid,
    service_source,
)

HOOKD = {
    "event_type": "tool.mutation.Edit",
    "hook_type": "PostToolUse",
    "tool_name": "Edit",
    "agent_id": "agent-1",
    "repo": {
        "git_root": "/home/dev/app",
        "branch": "feat/PROJ-7-login",
        "head_sha": "a1b2c3d",
        "remote_url": "git@example.invalid:team/app.git",
    },
    "file_path": "src/app.py",
    "file_ext": ".py",
    "lines_changed": 12,
    "raw_payload": {"old_string": "a", "new_string": "b"},
    "timestamp": "2026-02-11T10:15:30Z",
    "source_pid": 4242,
    "correlation_id": "hookd-run-9",
}


def test_hookd_flat_message_becomes_an_envelope_with_a_deterministic_id() -> None:
    first = decode_message(json.dumps(HOOKD).encode())
    again = decode_message(json.dumps(HOOKD, indent=2).encode())
    changed = decode_message(json.dumps({**HOOKD, "lines_changed": 13}).encode())
    assert first.event_id == again.event_id
    assert first.event_id != changed.event_id
    assert first.event_id.version == 5
    assert first.event_type == "tool.mutation.Edit"
    assert first.source.app == "hookd"
    assert isinstance(first.payload, ToolMutation)
    assert first.payload.repo.branch == "feat/PROJ-7-login"
    assert first.correlation_ids == [request_id_to_uuid("hookd-run-9")]


def test_an_envelope_decodes_and_validates() -> None:
    sent = create_envelope("test.thing.happened", {"name": "w"}, source=service_source("t"))
    received = decode_message(sent.to_json())
    assert received.event_id == sent.event_id
    assert received.payload.model_dump() == {"name": "w", "size": 0}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\xff\xfe not json", MalformedMessage),
        (b"[1, 2]", MalformedMessage),
        (b'{"event_type": "test.thing.happened"}', MalformedMessage),
        (json.dumps({**HOOKD, "repo": "nope"}).encode(), MalformedMessage),
    ],
)
def test_garbage_is_malformed(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_message(body)


def test_an_envelope_names_its_id_its_version_and_its_routing_key() -> None:
    sent = create_envelope("test.thing.happened", {"name": "w"}, source=service_source("t"))
    wire = json.loads(sent.to_json())
    assert decode_message(json.dumps({**wire, "version": "1.2.0"}).encode())
    assert decode_message(sent.to_json(), routing_key="test.thing.happened")
    refused = [
        {key: value for key, value in wire.items() if key != "event_id"},  # copies: new ids
        {**wire, "version": "2.0.0"},
    ]
    for body in refused:
        with pytest.raises(MalformedMessage):
            decode_message(json.dumps(body).encode())
    with pytest.raises(MalformedMessage, match="routing key"):
        decode_message(sent.to_json(), routing_key="test.other.happened")
    hookd = json.dumps(HOOKD).encode()
    assert decode_message(hookd, routing_key="tool.mutation.Edit")
    with pytest.raises(MalformedMessage):
        decode_message(hookd, routing_key="tool.mutation.Write")


def test_json_nested_past_what_the_parser_reads_is_malformed() -> None:
    with pytest.raises(MalformedMessage):
        decode_message(b'{"payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def test_a_payload_that_does_not_fit_is_invalid() -> None:
    sent = create_envelope("test.thing.happened", {"name": "w"}, source=service_source("t"))
    wire = json.loads(sent.to_json())
    wire["payload"] = {"size": "huge"}
    with pytest.raises(InvalidPayload):
        decode_message(json.dumps(wire).encode())
    wire["event_type"] = "unknown.event"
    with pytest.raises(UnknownEventType):
        decode_message(json.dumps(wire).encode())


def test_request_ids_map_to_uuids() -> None:
    given = uuid.uuid4()
    assert request_id_to_uuid(str(given)) == given
    assert request_id_to_uuid("abc") == request_id_to_uuid("abc")
    assert request_id_to_uuid("abc").version == 5
