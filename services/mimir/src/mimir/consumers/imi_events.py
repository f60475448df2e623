"""Queue `mimir.imi_events`: imi's domain events, kept as rows of `external_entities`.

Commands to imi (`imi.cmd.*`) and imi's answers to them are not bound here.
"""

from __future__ import annotations

import structlog
from pydantic import BaseModel

from envelope import EventEnvelope, ServiceBus
from mimir.external.projection import apply_event
from mimir.settings import MimirSettings
from mimir.sql import Conn

QUEUE = "mimir.imi_events"
ROUTING_KEYS = [
    "imi.project.#",
    "imi.work.#",
    "imi.link.#",
    "imi.pr.#",
    "imi.deploy.#",
    "imi.component.#",
]
log = structlog.get_logger("mimir.consumers.imi_events")


class ImiEventConsumer:
    def __init__(self, bus: ServiceBus, settings: MimirSettings) -> None:
        self.bus, self.settings = bus, settings

    async def __call__(self, envelope: EventEnvelope[BaseModel], tx: Conn) -> None:
        row = await apply_event(tx, envelope)
        if row is None:
            log.info("event has nothing to project")
