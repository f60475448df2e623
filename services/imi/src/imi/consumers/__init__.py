"""Bloodbank consumers: one queue per source, each batch of messages one unit of work.

`imi.mimir_events` keeps imi's projection of mimir's decisions, intents and artifacts for the
trace (see `imi.consumers.mimir` for why it binds four families instead of `mimir.#`).
"""

from __future__ import annotations

from envelope import ServiceBus
from imi.consumers import commands, deploys, git, mimir, mutations, plane

CONSUMERS = [
    (commands.QUEUE, commands.ROUTING_KEYS, commands.CommandConsumer),
    (plane.QUEUE, plane.ROUTING_KEYS, plane.PlaneConsumer),
    (git.QUEUE, git.ROUTING_KEYS, git.GitConsumer),
    (mutations.QUEUE, mutations.ROUTING_KEYS, mutations.MutationConsumer),
    (deploys.QUEUE, deploys.ROUTING_KEYS, deploys.DeployConsumer),
    (mimir.QUEUE, mimir.ROUTING_KEYS, mimir.MimirConsumer),
]

# Every queue with its routing keys; `python -m envelope.topology` declares them (entry point
# `bloodbank.queues` in pyproject.toml).
QUEUES = [(queue, routing_keys) for queue, routing_keys, _ in CONSUMERS]


def subscribe_consumers(bus: ServiceBus) -> None:
    """Subscribe every imi queue; call before the bus starts."""
    for queue, routing_keys, consumer_class in CONSUMERS:
        consumer = consumer_class(bus)
        # A command's payload is checked by `run_command`, which answers one that does not fit.
        typed = queue != commands.QUEUE
        bus.subscribe(queue, routing_keys, consumer, prepare=consumer.prepare, typed=typed)
