"""Turning bytes from the bus into a validated envelope, whatever shape the producer used."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from envelope._correlation import request_id_to_uuid
from envelope._models import ENVELOPE_VERSION, EventEnvelope, Source, TriggerType
from envelope._registry import registry

ENVELOPE_MAJOR = ENVELOPE_VERSION.split(".")[0]
# hookd's flat messages have no event id; derive one from their content so a redelivered
# or re-published mutation is recognised as the same event.
HOOKD_NAMESPACE = uuid.UUID("0b7c6f1e-3f0a-5d21-8a7e-6c2f9d4b1e53")


class MalformedMessage(ValueError):
    """The body is neither a Bloodbank envelope nor a known flat message; it can never succeed."""


class HookdRepo(BaseModel):
    model_config = ConfigDict(extra="allow")

    git_root: str | None = None
    branch: str | None = None
    head_sha: str | None = None
    remote_url: str | None = None


class ToolMutation(BaseModel):
    """hookd's `tool.mutation.<tool>` message: an agent's tool changed a file in a repository."""

    model_config = ConfigDict(extra="allow")

    event_type: str
    hook_type: str | None = None
    tool_name: str
    agent_id: str | None = None
    repo: HookdRepo
    file_path: str | None = None
    file_ext: str | None = None
    lines_changed: int | None = None
    raw_payload: dict[str, Any] | None = None
    timestamp: datetime | None = None
    source_pid: int | None = None
    correlation_id: str | None = None


def normalize_hookd(message: dict[str, Any]) -> EventEnvelope[Any]:
    """Wrap hookd's flat message in an envelope with a deterministic (uuid5) event id."""
    mutation = ToolMutation.model_validate(message)
    canonical = json.dumps(message, sort_keys=True, separators=(",", ":"), default=str)
    return EventEnvelope[Any](
        event_id=uuid.uuid5(HOOKD_NAMESPACE, canonical),
        event_type=mutation.event_type,
        timestamp=mutation.timestamp or datetime.now(UTC),
        source=Source(
            host=mutation.repo.git_root or "unknown",
            type=TriggerType.HOOK,
            app="hookd",
            meta={"source_pid": mutation.source_pid} if mutation.source_pid else None,
        ),
        correlation_ids=(
            [request_id_to_uuid(mutation.correlation_id)] if mutation.correlation_id else []
        ),
        payload=mutation.model_dump(mode="json"),
    )


def _full_envelope(message: dict[str, Any]) -> EventEnvelope[Any]:
    if "event_id" not in message:  # the model would make one up: every copy a new event
        raise MalformedMessage("an envelope names its event_id")
    envelope = EventEnvelope[Any].model_validate(message)
    if envelope.version.split(".")[0] != ENVELOPE_MAJOR:
        raise MalformedMessage(f"envelope version {envelope.version!r} is not {ENVELOPE_MAJOR}.x")
    return envelope


def _is_flat_hookd(message: dict[str, Any]) -> bool:
    return str(message.get("event_type", "")).startswith("tool.mutation.") and (
        "payload" not in message
    )


def decode_message(
    body: bytes, *, typed: bool = True, routing_key: str | None = None
) -> EventEnvelope[BaseModel]:
    """Parse a message body into an envelope whose payload is its registered model (or, not
    `typed`, the payload as sent).

    The payload is validated here, once: handlers read `envelope.payload` as that model.
    An envelope names its own `event_id` (deduplication and tracing go by it), a 1.x
    `version`, and, when `routing_key` is given, the key it was published with as its
    `event_type` (the contract; handlers go by the type, the broker's permissions by the key).

    Raises `MalformedMessage` for anything that is not valid JSON in a known shape, and the
    registry's `UnknownEventType` / `InvalidPayload` when the payload does not fit: all three
    are permanent, so a consumer sends such a message to its dead-letter queue.
    """
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise MalformedMessage(f"body is not JSON that can be read: {error}") from error
    if not isinstance(message, dict):
        raise MalformedMessage("body is not a JSON object")
    try:
        envelope = normalize_hookd(message) if _is_flat_hookd(message) else _full_envelope(message)
    except ValidationError as error:
        raise MalformedMessage(
            f"not a Bloodbank envelope: {error.error_count()} error(s)"
        ) from error
    if routing_key is not None and envelope.event_type != routing_key:
        raise MalformedMessage(
            f"event_type {envelope.event_type!r} is not the routing key {routing_key!r}"
        )
    if not typed:
        return envelope
    payload = registry.validate(envelope.event_type, envelope.payload)
    return EventEnvelope[BaseModel].model_construct(**{**dict(envelope), "payload": payload})
