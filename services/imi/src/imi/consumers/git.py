"""Queue `imi.git_events`: `git.push` and `git.pr.opened|merged|closed`.

Events for a remote or branch without an active project or work item are acknowledged and
ignored: imi tracks only the work it knows. Events apply in order (`imi.ordering`): a push
older than the work item's newest leaves its git state alone, and a PR event older than the
PR link's newest leaves the link alone (an old `opened` does not reopen a closed PR). A PR
event that would be an illegal transition (e.g. `closed` after `merged`) is ignored too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, InvalidTransition
from envelope.events.git import GitPullRequest, GitPush
from envelope.events.imi import PrState
from imi.consumers.base import Consumer
from imi.links.schemas import PrLinkCreate
from imi.links.service import LinkService
from imi.ordering import event_time, is_stale
from imi.work.repository import WorkRepository
from imi.work.schemas import GitStateUpdate
from imi.work.service import WorkService

PR_STATE_OF_ACTION: dict[str, PrState] = {"opened": "open", "merged": "merged", "closed": "closed"}

QUEUE = "imi.git_events"
ROUTING_KEYS = ["git.push", "git.pr.opened", "git.pr.merged", "git.pr.closed"]
log = structlog.get_logger("imi.consumers.git")


class GitConsumer(Consumer):
    async def prepare(self, envelopes: Sequence[EventEnvelope[Any]], session: AsyncSession) -> None:
        """Lock the work items of the batch's pushes in one statement; the pushes' git state is
        then written by one flush at commit instead of one per message."""
        pushes = [e.payload for e in envelopes if isinstance(e.payload, GitPush)]
        branches = ((push.remote_url, push.branch) for push in pushes)
        await WorkRepository(session).lock_remote_branches(branches)

    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        at = event_time(envelope)
        if envelope.event_type == "git.push":
            await self.push(self.payload(envelope, GitPush), at, session)
        else:
            action = envelope.event_type.removeprefix("git.pr.")
            await self.pull_request(action, self.payload(envelope, GitPullRequest), at, session)

    async def push(self, push: GitPush, at: datetime, session: AsyncSession) -> None:
        item = await WorkRepository(session).active_on_remote_branch(push.remote_url, push.branch)
        if item is None:
            log.info("push to an untracked branch ignored", branch=push.branch)
            return
        work = WorkService(session, self.bus)
        if not is_stale(at, item.git_event_at, work_item_id=str(item.id)):
            item.git_event_at = at
            await work.update_git_state(item, self._git_state(push), flush=False)
        # Even a stale push links the tickets its commits name: links are only ever added.
        await work.auto_link(item, push.branch, *(commit.message for commit in push.commits))

    @staticmethod
    def _git_state(push: GitPush) -> GitStateUpdate:
        head = push.head
        state = {
            "ahead_of_trunk": push.ahead_of_trunk,
            "behind_trunk": push.behind_trunk,
            "last_commit_hash": head.hash if head else None,
            "last_commit_message": (head.message or None) if head else None,
        }
        given = {name: value for name, value in state.items() if value is not None}
        return GitStateUpdate.model_validate(given)

    async def pull_request(
        self, action: str, pr: GitPullRequest, at: datetime, session: AsyncSession
    ) -> None:
        links = LinkService(session, self.bus)
        link = await links.pr_on_remote(pr.remote_url, pr.number)
        if link is None:
            item = await WorkRepository(session).active_on_remote_branch(
                pr.remote_url, pr.head_branch
            )
            if item is None:
                log.info("pull request on an untracked branch ignored", number=pr.number)
                return
            link, _ = await links.create_pr(
                PrLinkCreate(
                    work_item_id=item.id,
                    pr_number=pr.number,
                    pr_url=pr.url,
                    pr_title=pr.title,
                    metadata={"base_branch": pr.base_branch, "author": pr.author},
                )
            )
        elif is_stale(at, link.event_at, pr_link_id=str(link.id)):
            return
        state = PR_STATE_OF_ACTION[action]
        try:
            await links.set_pr_state(link, state, merge_commit_hash=pr.merge_commit_hash)
        except InvalidTransition as error:
            log.info("late pull request event ignored", reason=error.message)
            return
        link.event_at = at
