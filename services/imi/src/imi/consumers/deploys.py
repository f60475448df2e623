"""Queue `imi.deploy_events`: `ci.deploy.*` → deploy links on the work items of the commit.

Only successful deploys are linked; a commit no work item knows (or a prefix under 7 digits,
which would name unrelated commits) is acknowledged and ignored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope
from envelope.events.ci import DeployFinished
from imi.consumers.base import Consumer
from imi.links.service import LinkService
from imi.work.repository import WorkRepository

QUEUE = "imi.deploy_events"
ROUTING_KEYS = ["ci.deploy.*"]


class DeployConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        deploy = self.payload(envelope, DeployFinished)
        if not deploy.succeeded:
            return
        links = LinkService(session, self.bus)
        meta = {**deploy.meta, "status": deploy.status, "url": deploy.url}
        for item in await WorkRepository(session).at_commit(deploy.commit_hash, deploy.remote_url):
            await links.deploy(
                item,
                environment=deploy.environment,
                commit_hash=deploy.commit_hash,
                deploy_id=deploy.deploy_id,
                deployed_at=deploy.deployed_at,
                meta={k: v for k, v in meta.items() if v is not None},
            )
