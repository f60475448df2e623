"""Bloodbank's topology, declared once by an operator's account before any service starts.

Exchanges, every consumer queue with its dead-letter queue, and their bindings are declared
over AMQP; queue limits (delivery limit, dead-lettering, the dead-letter queues' length) are
broker policies set through the management API, so changing a limit is a policy update, never
a redeclare that fails with PRECONDITION_FAILED. The services only check that their queues
exist (passive declares) and need no configure right. An event published before a consumer's
first start therefore waits in its queue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import quote

import aio_pika
import structlog
import yarl
from aio_pika.abc import AbstractConnection, AbstractQueue
from pamqp.common import FieldTable

log = structlog.get_logger("envelope.topology")

EXCHANGE = "bloodbank.events.v1"
DEAD_LETTER_EXCHANGE = "bloodbank.dlx"
DELIVERY_LIMIT = 3  # deliveries of one message before the broker dead-letters it
DLQ_MAX_LENGTH = 100_000  # a dead-letter queue drops its oldest messages past this
QUEUE_ARGUMENTS: FieldTable = {"x-queue-type": "quorum"}  # limits are policies, not arguments
ENTRY_POINTS = "bloodbank.queues"  # each service names its queues here (pyproject.toml)


class TopologyMissing(RuntimeError):
    """A queue or exchange a service needs has not been declared; run the topology step."""


@dataclass(frozen=True)
class QueueSpec:
    name: str
    routing_keys: tuple[str, ...]

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


@dataclass(frozen=True)
class Policy:
    name: str
    pattern: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class Topology:
    queues: tuple[QueueSpec, ...]
    exchange: str = EXCHANGE
    dead_letter_exchange: str = DEAD_LETTER_EXCHANGE
    delivery_limit: int = DELIVERY_LIMIT
    dlq_max_length: int = DLQ_MAX_LENGTH
    policy_prefix: str = field(default="bloodbank")

    @classmethod
    def of(cls, queues: Iterable[tuple[str, Sequence[str]]], **options: Any) -> Topology:
        return cls(queues=tuple(QueueSpec(q, tuple(keys)) for q, keys in queues), **options)

    @classmethod
    def installed(cls, **options: Any) -> Topology:
        """Every queue that the installed services name under the `bloodbank.queues` entry point."""
        queues: list[tuple[str, Sequence[str]]] = []
        for point in sorted(entry_points(group=ENTRY_POINTS), key=lambda p: p.name):
            queues.extend(point.load())
        return cls.of(queues, **options)

    def policies(self) -> list[Policy]:
        """One policy per consumer queue (its dead-letter routing key is its own name) and one
        bounding every `*.dlq`; patterns never overlap, so no priority is needed. Each service's
        step writes the same dead-letter policy, so running them in any order is safe."""
        found = [
            Policy(
                f"{self.policy_prefix}-{q.name}",
                f"^{re.escape(q.name)}$",
                {
                    "delivery-limit": self.delivery_limit,
                    "dead-letter-exchange": self.dead_letter_exchange,
                    "dead-letter-routing-key": q.name,
                },
            )
            for q in self.queues
        ]
        if self.queues:
            # A full DLQ drops its oldest message rather than refuse new dead letters.
            dead_letter = {"max-length": self.dlq_max_length, "overflow": "drop-head"}
            found.append(Policy(f"{self.policy_prefix}-dead-letter-queues", r"\.dlq$", dead_letter))
        return found


async def declare_topology(topology: Topology, amqp_url: str, management_url: str) -> None:
    """Declare everything in `topology` as an account with configure rights and the
    `policymaker` (or `administrator`) tag; idempotent."""
    await _set_policies(topology, amqp_url, management_url)
    connection = await aio_pika.connect(yarl.URL(amqp_url))
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        dlx = await channel.declare_exchange(
            topology.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
        )
        for spec in topology.queues:
            dlq = await _queue(connection, spec.dead_letter_queue)
            await dlq.bind(dlx, routing_key=spec.name)
            queue = await _queue(connection, spec.name)
            for key in spec.routing_keys:
                await queue.bind(exchange, routing_key=key)
    log.info("topology declared", queues=[q.name for q in topology.queues])


async def _queue(connection: AbstractConnection, name: str) -> AbstractQueue:
    """Declare a quorum queue; one an older release declared with limits as arguments is kept
    as it is (a redeclare cannot change arguments) and used, with a warning."""
    try:
        channel = await connection.channel()
        return await channel.declare_queue(name, durable=True, arguments=QUEUE_ARGUMENTS)
    except aio_pika.exceptions.ChannelPreconditionFailed:
        log.warning(
            "queue keeps the arguments it was declared with; delete it to use policies", queue=name
        )
        channel = await connection.channel()
        return await channel.get_queue(name, ensure=True)


async def _set_policies(topology: Topology, amqp_url: str, management_url: str) -> None:
    import httpx  # here: the services import this module for its names, not for the API

    url = yarl.URL(amqp_url)
    vhost = url.path[1:] or "/"
    auth = (url.user or "guest", url.password or "guest")
    async with httpx.AsyncClient(base_url=management_url, auth=auth, timeout=10) as client:
        for policy in topology.policies():
            path = f"/api/policies/{_quote(vhost)}/{_quote(policy.name)}"
            body = {
                "pattern": policy.pattern,
                "definition": policy.definition,
                "apply-to": "queues",
            }
            response = await client.put(path, json=body)
            if response.is_error:
                raise RuntimeError(
                    f"policy {policy.name}: management API answered {response.status_code} "
                    f"{response.text[:200]}"
                )


def _quote(part: str) -> str:
    return quote(part, safe="")
