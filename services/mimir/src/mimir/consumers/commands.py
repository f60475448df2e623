"""Queue `mimir.commands`: `mimir.cmd.capture_artifact`.

A command runs the same service functions as the REST API, so it emits the same events
through the outbox. One that cannot be applied (a rule, an invalid value, a value the
database refuses) leaves no effect and is answered with `mimir.cmd.failed`
(`envelope.run_command`); the command message is acked either way. The queue binds each
command it handles by name, so mimir's own answers never reach it.
"""

from __future__ import annotations

from uuid import UUID

import structlog
from pydantic import BaseModel

from envelope import EventEnvelope, Reject, ServiceBus, run_command
from envelope.events.mimir import CaptureArtifact, MimirCommandFailed
from mimir.artifacts import service as artifacts
from mimir.artifacts.schemas import ArtifactCreate, VersionCreate
from mimir.relations import service as relations
from mimir.relations.schemas import RelationCreate
from mimir.settings import MimirSettings
from mimir.sql import Conn
from mimir.work import ProvenanceHeaders, Work

QUEUE = "mimir.commands"
ROUTING_KEYS = ["mimir.cmd.capture_artifact"]
log = structlog.get_logger("mimir.consumers.commands")


async def capture_artifact(work: Work, command: CaptureArtifact) -> UUID:
    """The artifact the content was stored in (new, or `artifact_id` with a new version)."""
    if command.artifact_id is None:
        body = ArtifactCreate.model_validate(
            command.model_dump(include=set(ArtifactCreate.model_fields))
        )
        artifact_id = (await artifacts.create_artifact(work, body))[0].id
    else:
        artifact_id = command.artifact_id
        version = VersionCreate(content=command.content, created_by=command.created_by)
        await artifacts.add_version(work, artifact_id, version)
    for spec in command.relations:
        relation = RelationCreate(
            source_type="artifact", source_id=artifact_id, **spec.model_dump()
        )
        await relations.create_relation(work, relation)  # an existing one is kept
    return artifact_id


class CommandConsumer:
    def __init__(self, bus: ServiceBus, settings: MimirSettings) -> None:
        self.bus, self.settings = bus, settings

    async def __call__(self, envelope: EventEnvelope[BaseModel], tx: Conn) -> None:
        if envelope.event_type != "mimir.cmd.capture_artifact":
            raise Reject(f"{envelope.event_type} is not a command mimir handles")
        work = Work(tx, self.bus, self.settings)

        async def apply(command: BaseModel) -> None:
            if not isinstance(command, CaptureArtifact):
                raise TypeError(f"{envelope.event_type} carries {type(command).__name__}")
            if command.provenance_model or command.provenance_pipeline:
                work.provenance = ProvenanceHeaders(
                    command.provenance_model, command.provenance_pipeline
                )
            artifact_id = await capture_artifact(work, command)
            log.info("artifact captured", artifact_id=str(artifact_id))

        await run_command(tx, envelope, apply, self.bus, MimirCommandFailed)
