"""Queue `imi.mimir_events`: mimir's decisions, intents, artifacts and relations → the projection.

Bound to `mimir.artifact.#`, `mimir.intent.#`, `mimir.decision.#` and `mimir.relation.#`
rather than `mimir.#`: mimir's commands (`mimir.cmd.*`) share the prefix and have no payload
model in the registry, so they would be dead-lettered here although they are not for imi.
A registered event of those families that the projection does not use is acked with no
effect; an unregistered one still reaches `imi.mimir_events.dlq`, which flags a contract imi
does not know yet.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope
from envelope.events import mimir as events
from imi.consumers.base import Consumer
from imi.mimir.projection import MimirProjection

QUEUE = "imi.mimir_events"
ROUTING_KEYS = ["mimir.artifact.#", "mimir.intent.#", "mimir.decision.#", "mimir.relation.#"]
log = structlog.get_logger("imi.consumers.mimir")


class MimirConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        projection = MimirProjection(session, envelope.event_id, envelope.timestamp)
        kind = envelope.event_type
        if kind == "mimir.decision.recorded":
            recorded = self.payload(envelope, events.DecisionRecorded)
            await projection.entity(
                "decision",
                recorded.decision_id,
                title=recorded.statement,
                rationale=recorded.rationale,
                status=recorded.status,
            )
        elif kind == "mimir.decision.superseded":
            superseded = self.payload(envelope, events.DecisionSuperseded)
            await projection.entity(
                "decision",
                superseded.decision_id,
                title=superseded.statement,
                status="superseded",
                superseded_by_id=superseded.superseded_by_id,
            )
        elif kind == "mimir.intent.proposed":
            proposed = self.payload(envelope, events.IntentProposed)
            await projection.entity(
                "intent", proposed.intent_id, title=proposed.statement, status="proposed"
            )
        elif kind in ("mimir.intent.accepted", "mimir.intent.rejected"):
            decided = self.payload(envelope, events.IntentDecided)
            await projection.entity(
                "intent", decided.intent_id, title=decided.statement, status=decided.status
            )
        elif kind == "mimir.artifact.created":
            created = self.payload(envelope, events.ArtifactCreated)
            await projection.entity(
                "artifact",
                created.artifact_id,
                title=created.external_id,
                artifact_type=created.artifact_type,
                source=created.source,
                external_id=created.external_id,
                version_number=created.version_number,
            )
        elif kind == "mimir.artifact.version_added":
            added = self.payload(envelope, events.ArtifactVersionAdded)
            await projection.entity(
                "artifact",
                added.artifact_id,
                artifact_type=added.artifact_type,
                version_number=added.version_number,
            )
        elif kind == "mimir.relation.created":
            await projection.relate(self.payload(envelope, events.RelationChanged))
        elif kind == "mimir.relation.deleted":
            deleted = self.payload(envelope, events.RelationChanged)
            await projection.unrelate(deleted.relation_id)
        else:
            log.info("mimir event not used by imi")
