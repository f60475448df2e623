"""The typed payload registry: one schema per event type, shared by producers and consumers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


class UnknownEventType(LookupError):
    """No payload model is registered for this event type."""


class InvalidPayload(ValueError):
    """A payload does not match its event type's registered model."""

    def __init__(self, event_type: str, error: ValidationError) -> None:
        super().__init__(f"invalid payload for {event_type}: {error.error_count()} error(s)")
        self.event_type = event_type
        self.errors = error.errors(include_url=False, include_input=False)


@dataclass(frozen=True)
class EventSpec:
    """An event type, its payload model, who produces it and what it means."""

    event_type: str
    payload: type[BaseModel]
    producer: str
    summary: str

    def matches(self, routing_key: str) -> bool:
        return topic_matches(self.event_type, routing_key)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more."""
    words, keys = pattern.split("."), routing_key.split(".")

    def match(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(keys)
        if words[i] == "#":
            return any(match(i + 1, k) for k in range(j, len(keys) + 1))
        return j < len(keys) and words[i] in ("*", keys[j]) and match(i + 1, j + 1)

    return match(0, 0)


class PayloadRegistry:
    """Maps event types (or topic patterns such as `tool.mutation.*`) to payload models."""

    def __init__(self) -> None:
        self._specs: dict[str, EventSpec] = {}

    def register(
        self, event_type: str, payload: type[BaseModel], *, producer: str, summary: str
    ) -> None:
        if event_type in self._specs and self._specs[event_type].payload is not payload:
            raise ValueError(f"{event_type} is already registered with another payload model")
        self._specs[event_type] = EventSpec(event_type, payload, producer, summary)

    def spec(self, event_type: str) -> EventSpec:
        if (spec := self._specs.get(event_type)) is not None:
            return spec
        for spec in self._specs.values():
            if spec.matches(event_type):
                return spec
        raise UnknownEventType(event_type)

    def validate(self, event_type: str, payload: Any) -> BaseModel:
        """Parse `payload` into the registered model, raising InvalidPayload if it does not fit."""
        model = self.spec(event_type).payload
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            raise InvalidPayload(event_type, error) from error

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.event_type))

    def __contains__(self, event_type: object) -> bool:
        if not isinstance(event_type, str):
            return False
        try:
            self.spec(event_type)
        except UnknownEventType:
            return False
        return True


registry = PayloadRegistry()
"""The process-wide registry; `envelope.events` fills it on import."""
