"""The Bloodbank v2 envelope, field for field, so existing producers and consumers interoperate."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, Field

ENVELOPE_VERSION = "1.0.0"


class TriggerType(StrEnum):
    """How an event came about."""

    MANUAL = "manual"
    AGENT = "agent"
    SCHEDULED = "scheduled"
    HEARTBEAT = "heartbeat"
    FILE_WATCH = "file_watch"
    HOOK = "hook"
    WEBHOOK = "webhook"
    SERVICE = "service"


class AgentType(StrEnum):
    """Agents known to Bloodbank producers."""

    CLAUDE_CODE = "claude-code"
    CLAUDE_CHAT = "claude-chat"
    GEMINI_CLI = "gemini-cli"
    GEMINI_CODE = "gemini-code"
    LETTA = "letta"
    AGNO = "agno"
    SMOLAGENT = "smolagent"
    ATOMIC_AGENT = "atomic-agent"
    CUSTOM = "custom"


class Source(BaseModel):
    """Who or what produced the event."""

    host: str
    type: TriggerType
    app: str | None = None
    meta: dict[str, Any] | None = None


class CodeState(BaseModel):
    """Git context of an agent's working copy."""

    repo_url: str | None = None
    branch: str | None = None
    working_diff: str | None = None
    branch_diff: str | None = None
    last_commit_hash: str | None = None


class AgentContext(BaseModel):
    """What an agent had in hand when it caused the event."""

    type: AgentType
    name: str | None = None
    system_prompt: str | None = None
    instance_id: str | None = None
    mcp_servers: list[str] | None = None
    file_references: list[str] | None = None
    url_references: list[str] | None = None
    code_state: CodeState | None = None
    checkpoint_id: str | None = None
    meta: dict[str, Any] | None = None


P = TypeVar("P")


class EventEnvelope(BaseModel, Generic[P]):
    """One event on the bus. `event_type` is also the routing key."""

    event_id: UUID = Field(default_factory=uuid4)
    event_type: str
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    version: str = ENVELOPE_VERSION
    source: Source
    correlation_ids: list[UUID] = Field(default_factory=list)
    agent_context: AgentContext | None = None
    payload: P

    def to_json(self) -> bytes:
        """The wire form: Pydantic's JSON mode, as Bloodbank v2 writes it."""
        return self.model_dump_json().encode()


def service_source(app: str, **meta: Any) -> Source:
    """The `source` our services stamp on what they publish."""
    return Source(host=socket.gethostname(), type=TriggerType.SERVICE, app=app, meta=meta or None)
