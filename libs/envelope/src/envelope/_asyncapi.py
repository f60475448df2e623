"""AsyncAPI 3 documents generated from the payload registry: one per service, both directions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from envelope._models import EventEnvelope
from envelope._registry import EventSpec, PayloadRegistry, registry, topic_matches
from envelope._topology import EXCHANGE

Subscriptions = Sequence[tuple[str, Sequence[str]]]
"""(queue, routing keys) pairs, as a service passes them to `ServiceBus.subscribe`."""


def _channel_id(address: str) -> str:
    return address.replace(".", "_").replace("*", "star").replace("#", "hash")


def consumed_specs(subscriptions: Subscriptions, specs: Iterable[EventSpec]) -> dict[str, str]:
    """event type (or pattern) → the queue that consumes it."""
    consumed: dict[str, str] = {}
    for spec in specs:
        for queue, keys in subscriptions:
            if any(topic_matches(key, spec.event_type) for key in keys):
                consumed.setdefault(spec.event_type, queue)
    return consumed


def asyncapi_document(
    *,
    service: str,
    version: str,
    description: str,
    subscriptions: Subscriptions,
    payloads: PayloadRegistry = registry,
) -> dict[str, Any]:
    """Channels are routing keys; messages are envelopes whose `payload` is the registered model.

    `send` operations: every event type the registry says `service` produces. `receive`
    operations: every registered type one of the service's queues is bound to.
    """
    specs = list(payloads)
    sent = [s for s in specs if s.producer == service]
    received = consumed_specs(subscriptions, specs)
    used = {s.event_type: s for s in specs if s in sent or s.event_type in received}
    models: list[tuple[type[BaseModel], Any]] = [(s.payload, "validation") for s in used.values()]
    models.append((EventEnvelope[dict[str, Any]], "validation"))
    _, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = definitions.get("$defs", {})
    generic = next(name for name in schemas if name.startswith("EventEnvelope"))
    schemas["EventEnvelope"] = schemas.pop(generic)

    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type, spec in sorted(used.items()):
        cid = _channel_id(event_type)
        envelope_name = f"{spec.payload.__name__}Envelope"
        schemas[envelope_name] = {
            "allOf": [{"$ref": "#/components/schemas/EventEnvelope"}],
            "properties": {
                "event_type": {"const": event_type}
                if "*" not in event_type
                else {"type": "string"},
                "payload": {"$ref": f"#/components/schemas/{spec.payload.__name__}"},
            },
        }
        messages[cid] = {
            "name": event_type,
            "title": event_type,
            "summary": spec.summary,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{envelope_name}"},
            "x-producer": spec.producer,
        }
        channels[cid] = {
            "address": event_type,
            "messages": {cid: {"$ref": f"#/components/messages/{cid}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": EXCHANGE, "type": "topic", "durable": True, "vhost": "/"},
                }
            },
        }
        ref = {"$ref": f"#/channels/{cid}"}
        message_ref = [{"$ref": f"#/channels/{cid}/messages/{cid}"}]
        if spec in sent:
            operations[f"send_{cid}"] = {
                "action": "send",
                "channel": ref,
                "messages": message_ref,
                "summary": f"{service} publishes {event_type} through its outbox",
            }
        if event_type in received:
            operations[f"receive_{cid}"] = {
                "action": "receive",
                "channel": ref,
                "messages": message_ref,
                "summary": f"{service} consumes {event_type} from queue {received[event_type]}",
                "bindings": {"amqp": {"ack": True}},
                "x-queue": received[event_type],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"{service} events", "version": version, "description": description},
        "defaultContentType": "application/json",
        "servers": {
            "bloodbank": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": f"RabbitMQ, topic exchange {EXCHANGE}; dead letters on "
                "bloodbank.dlx into <queue>.dlq",
            }
        },
        "channels": channels,
        "operations": operations,
        "x-queues": {queue: sorted(keys) for queue, keys in subscriptions},
        "components": {"messages": messages, "schemas": schemas},
    }


def asyncapi_router(
    *, service: str, version: str, description: str, subscriptions: Subscriptions
) -> APIRouter:
    """`GET /asyncapi.json`: the service's AsyncAPI document, next to its OpenAPI one."""
    router = APIRouter(tags=["events"])
    document = asyncapi_document(
        service=service, version=version, description=description, subscriptions=subscriptions
    )

    @router.get(
        "/asyncapi.json",
        summary="AsyncAPI document",
        description="Every event this service publishes and consumes, with payload schemas.",
        include_in_schema=False,
    )
    async def asyncapi() -> dict[str, Any]:
        return document

    return router
