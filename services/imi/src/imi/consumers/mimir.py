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
from imi.ordering import event_time

QUEUE = "imi.mimir_events"
ROUTING_KEYS = ["mimir.artifact.#", "mimir.intent.#", "mimir.decision.#", "mimir.relation.#"]
log = structlog.get_logger("imi.consumers.mimir")


class MimirConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        projection = MimirProjection(session, envelope.event_id, event_time(envelope))
        match envelope.payload:
            case events.DecisionRecorded() as recorded:
                await projection.entity(
                    "decision",
                    recorded.decision_id,
                    title=recorded.statement,
                    rationale=recorded.rationale,
                    status=recorded.status,
                )
            case events.DecisionActivated() as activated:
                await projection.entity(
                    "decision", activated.decision_id, title=activated.statement, status="active"
                )
            case events.DecisionSuperseded() as superseded:
                await projection.entity(
                    "decision",
                    superseded.decision_id,
                    title=superseded.statement,
                    status="superseded",
                    superseded_by_id=superseded.superseded_by_id,
                )
            case events.IntentProposed() | events.IntentDecided() as intent:
                status = intent.status if isinstance(intent, events.IntentDecided) else "proposed"
                await projection.entity(
                    "intent", intent.intent_id, title=intent.statement, status=status
                )
            case events.ArtifactCreated() | events.ArtifactVersionAdded() as artifact:
                await projection.entity(
                    "artifact",
                    artifact.artifact_id,
                    artifact_type=artifact.artifact_type,
                    version_number=artifact.version_number,
                    **self._origin(artifact),
                )
            case events.RelationChanged() as relation if envelope.event_type.endswith(".deleted"):
                await projection.unrelate(relation)
            case events.RelationChanged() as relation:
                await projection.relate(relation)
            case _:
                log.info("mimir event not used by imi")

    @staticmethod
    def _origin(artifact: events.ArtifactCreated | events.ArtifactVersionAdded) -> dict[str, Any]:
        """Where a new artifact comes from; a version event does not say."""
        if not isinstance(artifact, events.ArtifactCreated):
            return {}
        return {
            "title": artifact.external_id,
            "source": artifact.source,
            "external_id": artifact.external_id,
        }
