"""The Bloodbank contract and messaging runtime shared by imi and mimir.

Models and `create_envelope` are wire-compatible with Bloodbank v2. Payload models for every
event type live in `envelope.events` and are registered in `registry` on import, so producers
and consumers validate against the same schema.
"""

from envelope import events, limits
from envelope._app import service_app
from envelope._asyncapi import asyncapi_document, asyncapi_router
from envelope._bus import ServiceBus
from envelope._commands import run_command
from envelope._consumer import ConsumerRuntime, Handler, Preparer, Reject
from envelope._correlation import correlation_scope, current_correlation_ids, request_id_to_uuid
from envelope._create import create_envelope
from envelope._decode import MalformedMessage, ToolMutation, decode_message, normalize_hookd
from envelope._errors import (
    BadReference,
    BadRequest,
    Busy,
    Conflict,
    DomainError,
    ErrorResponse,
    InternalError,
    InvalidTransition,
    InvalidValues,
    NotFound,
    TooExpensive,
    Unauthorized,
    Unavailable,
    ValueTooLong,
    error_responses,
    failure_of,
    install_error_handlers,
    is_contention,
    is_unavailable,
)
from envelope._examples import answer_example, keep_example_nulls, page_examples
from envelope._health import Health, health_router
from envelope._history import EventHistory, events_router
from envelope._http import RequestContextMiddleware, api_key_guard
from envelope._limits import MAX_OFFSET, BodyLimitMiddleware, LimitExceeded
from envelope._logging import configure_logging
from envelope._mcp import MCP_PATH, RestBridge, mount_mcp
from envelope._models import (
    AgentContext,
    AgentType,
    CodeState,
    EventEnvelope,
    Source,
    TriggerType,
    service_source,
)
from envelope._outbox import Inbox, Outbox, OutboxRelay, OutboxState
from envelope._publisher import Publisher, PublishFailed, UnroutableEvent
from envelope._registry import (
    EventSpec,
    InvalidPayload,
    PayloadRegistry,
    UnknownEventType,
    registry,
    topic_matches,
)
from envelope._serve import serve
from envelope._settings import InsecureSettings, ServiceSettings, cores
from envelope._sql import Transaction
from envelope._supervisor import Supervisor, TaskState
from envelope._tables import (
    add_messaging_retention,
    create_messaging_tables,
    create_outbox_notify,
    drop_messaging_retention,
    drop_messaging_tables,
    drop_outbox_notify,
    messaging_tables,
    reflect_schemas_by_name,
    run_schema_migrations,
    schema_metadata,
    schema_migration_options,
)
from envelope._topology import (
    DEAD_LETTER_EXCHANGE,
    DELIVERY_LIMIT,
    EXCHANGE,
    Policy,
    QueueSpec,
    Topology,
    TopologyMissing,
    declare_topology,
)

__all__ = [
    "DEAD_LETTER_EXCHANGE",
    "DELIVERY_LIMIT",
    "EXCHANGE",
    "MAX_OFFSET",
    "MCP_PATH",
    "AgentContext",
    "AgentType",
    "BadReference",
    "BadRequest",
    "BodyLimitMiddleware",
    "Busy",
    "CodeState",
    "Conflict",
    "ConsumerRuntime",
    "DomainError",
    "ErrorResponse",
    "EventEnvelope",
    "EventHistory",
    "EventSpec",
    "Handler",
    "Health",
    "Inbox",
    "InsecureSettings",
    "InternalError",
    "InvalidPayload",
    "InvalidTransition",
    "InvalidValues",
    "LimitExceeded",
    "MalformedMessage",
    "NotFound",
    "Outbox",
    "OutboxRelay",
    "OutboxState",
    "PayloadRegistry",
    "Policy",
    "Preparer",
    "PublishFailed",
    "Publisher",
    "QueueSpec",
    "Reject",
    "RequestContextMiddleware",
    "RestBridge",
    "ServiceBus",
    "ServiceSettings",
    "Source",
    "Supervisor",
    "TaskState",
    "TooExpensive",
    "ToolMutation",
    "Topology",
    "TopologyMissing",
    "Transaction",
    "TriggerType",
    "Unauthorized",
    "Unavailable",
    "UnknownEventType",
    "UnroutableEvent",
    "ValueTooLong",
    "add_messaging_retention",
    "answer_example",
    "api_key_guard",
    "asyncapi_document",
    "asyncapi_router",
    "configure_logging",
    "cores",
    "correlation_scope",
    "create_envelope",
    "create_messaging_tables",
    "create_outbox_notify",
    "current_correlation_ids",
    "declare_topology",
    "decode_message",
    "drop_messaging_retention",
    "drop_messaging_tables",
    "drop_outbox_notify",
    "error_responses",
    "events",
    "events_router",
    "failure_of",
    "health_router",
    "install_error_handlers",
    "is_contention",
    "is_unavailable",
    "keep_example_nulls",
    "limits",
    "messaging_tables",
    "mount_mcp",
    "normalize_hookd",
    "page_examples",
    "reflect_schemas_by_name",
    "registry",
    "request_id_to_uuid",
    "run_command",
    "run_schema_migrations",
    "schema_metadata",
    "schema_migration_options",
    "serve",
    "service_app",
    "service_source",
    "topic_matches",
]
