"""Queue `imi.mutation_events`: hookd's `tool.mutation.#` (normalised to `ToolMutation`).

A file changed by an agent's tool marks the work item of that repository and branch as having
uncommitted changes and stamps its last activity with the event's timestamp. A mutation older
than that last activity changes nothing (`imi.ordering`). `imi.work.git_state_updated` is
emitted only when the item turns from clean to uncommitted, not for every edit. A batch's
work items are looked up and locked in one statement (`prepare`), and written by the flush
at commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, ToolMutation
from imi.consumers.base import Consumer
from imi.ordering import event_time, is_stale
from imi.work.repository import WorkRepository
from imi.work.service import WorkService

QUEUE = "imi.mutation_events"
ROUTING_KEYS = ["tool.mutation.#"]


class MutationConsumer(Consumer):
    async def prepare(self, envelopes: Sequence[EventEnvelope[Any]], session: AsyncSession) -> None:
        repos = (e.payload.repo for e in envelopes if isinstance(e.payload, ToolMutation))
        branches = [(r.remote_url, r.branch) for r in repos if r.remote_url and r.branch]
        await WorkRepository(session).lock_remote_branches(branches)

    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        mutation = self.payload(envelope, ToolMutation)
        remote, branch = mutation.repo.remote_url, mutation.repo.branch
        if not remote or not branch:
            return
        item = await WorkRepository(session).active_on_remote_branch(remote, branch)
        at = event_time(envelope)
        if item is None or is_stale(at, item.last_activity_at, work_item_id=str(item.id)):
            return
        newly_dirty = not item.has_uncommitted_changes
        item.has_uncommitted_changes = True
        item.last_activity_at = at
        if newly_dirty:
            await WorkService(session, self.bus).emit_git_state(item)
