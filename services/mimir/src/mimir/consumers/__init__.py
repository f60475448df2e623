"""Bloodbank consumers: imi's domain events (the projection) and commands to mimir.

The runtime opens one transaction for the messages waiting in a queue, records each event id
in `mimir.inbox` (a duplicate is acked without effect), runs the handlers, commits, acks.
"""

from __future__ import annotations

from collections.abc import Callable

from envelope import Handler, ServiceBus
from mimir.consumers import commands, imi_events
from mimir.settings import MimirSettings

CONSUMERS: list[tuple[str, list[str], Callable[[ServiceBus, MimirSettings], Handler]]] = [
    (imi_events.QUEUE, imi_events.ROUTING_KEYS, imi_events.ImiEventConsumer),
    (commands.QUEUE, commands.ROUTING_KEYS, commands.CommandConsumer),
]

# Every queue with its routing keys; `python -m envelope.topology` declares them (entry point
# `bloodbank.queues` in pyproject.toml).
QUEUES = [(queue, routing_keys) for queue, routing_keys, _ in CONSUMERS]


def subscribe_consumers(bus: ServiceBus, settings: MimirSettings) -> None:
    """Subscribe every mimir queue; call before the bus starts."""
    for queue, routing_keys, consumer in CONSUMERS:
        # A command's payload is checked by `run_command`, which answers one that does not fit.
        typed = queue != commands.QUEUE
        bus.subscribe(queue, routing_keys, consumer(bus, settings), typed=typed)
