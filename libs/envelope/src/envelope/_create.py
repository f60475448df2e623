"""Building envelopes whose payloads are checked against the registry."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel

from envelope._correlation import current_correlation_ids
from envelope._models import AgentContext, EventEnvelope, Source
from envelope._registry import registry


def create_envelope(
    event_type: str,
    payload: BaseModel | dict[str, Any],
    *,
    source: Source,
    correlation_ids: list[UUID] | None = None,
    agent_context: AgentContext | None = None,
    event_id: UUID | None = None,
) -> EventEnvelope[Any]:
    """Wrap `payload` for `event_type`, validated against its registered model.

    Raises `UnknownEventType` if nothing is registered for `event_type` and `InvalidPayload`
    if the payload does not fit. Without explicit `correlation_ids`, the envelope carries
    those of the current request or consumed event.
    """
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    validated = registry.validate(event_type, body)
    return EventEnvelope[Any](
        event_id=event_id or uuid4(),
        event_type=event_type,
        source=source,
        correlation_ids=current_correlation_ids() if correlation_ids is None else correlation_ids,
        agent_context=agent_context,
        payload=validated.model_dump(mode="json"),
    )
