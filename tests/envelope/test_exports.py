"""The public face of `envelope` is exactly what its docs promise."""

import envelope

DOCUMENTED = {
    # the contract
    "EventEnvelope",
    "Source",
    "TriggerType",
    "AgentContext",
    "AgentType",
    "CodeState",
    "create_envelope",
    "service_source",
    "registry",
    "PayloadRegistry",
    "EventSpec",
    "topic_matches",
    "UnknownEventType",
    "InvalidPayload",
    "events",
    "limits",
    # decoding what arrives
    "decode_message",
    "normalize_hookd",
    "ToolMutation",
    "MalformedMessage",
    # messaging runtime
    "EXCHANGE",
    "DEAD_LETTER_EXCHANGE",
    "Publisher",
    "PublishFailed",
    "UnroutableEvent",
    "Outbox",
    "Inbox",
    "OutboxRelay",
    "ConsumerRuntime",
    "Handler",
    "Preparer",
    "Reject",
    "ServiceBus",
    "Transaction",
    "Supervisor",
    "TaskState",
    "OutboxState",
    # the topology step (python -m envelope.topology)
    "Topology",
    "QueueSpec",
    "Policy",
    "TopologyMissing",
    "DELIVERY_LIMIT",
    "declare_topology",
    "messaging_tables",
    "create_messaging_tables",
    "drop_messaging_tables",
    "add_messaging_retention",
    "answer_example",
    "create_outbox_notify",
    "drop_outbox_notify",
    "drop_messaging_retention",
    "run_schema_migrations",
    "schema_metadata",
    "schema_migration_options",
    "reflect_schemas_by_name",
    # correlation, logging, settings
    "correlation_scope",
    "current_correlation_ids",
    "request_id_to_uuid",
    "configure_logging",
    "ServiceSettings",
    "InsecureSettings",
    "serve",
    "cores",
    # the HTTP edge: the application shell and its parts
    "service_app",
    "RequestContextMiddleware",
    "api_key_guard",
    "install_error_handlers",
    "error_responses",
    "page_examples",
    "keep_example_nulls",
    "ErrorResponse",
    "DomainError",
    "BadRequest",
    "BadReference",
    "Unauthorized",
    "NotFound",
    "Conflict",
    "InvalidTransition",
    "InvalidValues",
    "ValueTooLong",
    "Busy",
    "TooExpensive",
    "InternalError",
    "Unavailable",
    "LimitExceeded",
    "BodyLimitMiddleware",
    "MAX_OFFSET",
    # what a failure means: retry in place, or the message's own fault
    "is_unavailable",
    "is_contention",
    "failure_of",
    "run_command",
    "Health",
    "health_router",
    # agents: the Model Context Protocol at /mcp
    "MCP_PATH",
    "RestBridge",
    "mount_mcp",
    # cross-service docs and tracing
    "asyncapi_document",
    "asyncapi_router",
    "EventHistory",
    "events_router",
}


def test_exported_names_are_the_documented_ones() -> None:
    assert set(envelope.__all__) == DOCUMENTED


def test_every_exported_name_exists() -> None:
    for name in envelope.__all__:
        assert getattr(envelope, name) is not None, name


def test_implementation_modules_are_private() -> None:
    public_modules = {name for name in dir(envelope) if not name.startswith("_")}
    assert public_modules - DOCUMENTED <= {"annotations"}
