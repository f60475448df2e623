"""Queue `imi.git_events`: `git.push` and `git.pr.opened|merged|closed`.

Events for a remote or branch without an active project or work item are acknowledged and
ignored: imi tracks only the work it knows. A PR event that would be an illegal transition
(e.g. `closed` after `merged`, arriving late) is ignored too.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import EventEnvelope, InvalidTransition
from envelope.events.git import GitPullRequest, GitPush
from imi.consumers.base import Consumer
from imi.links.schemas import PrLinkCreate
from imi.links.service import LinkService
from imi.work.repository import WorkRepository
from imi.work.schemas import GitStateUpdate
from imi.work.service import WorkService

QUEUE = "imi.git_events"
ROUTING_KEYS = ["git.push", "git.pr.opened", "git.pr.merged", "git.pr.closed"]
log = structlog.get_logger("imi.consumers.git")


class GitConsumer(Consumer):
    async def handle(self, envelope: EventEnvelope[Any], session: AsyncSession) -> None:
        if envelope.event_type == "git.push":
            await self.push(self.payload(envelope, GitPush), session)
        else:
            action = envelope.event_type.removeprefix("git.pr.")
            await self.pull_request(action, self.payload(envelope, GitPullRequest), session)

    async def push(self, push: GitPush, session: AsyncSession) -> None:
        item = await WorkRepository(session).active_on_remote_branch(push.remote_url, push.branch)
        if item is None:
            log.info("push to an untracked branch ignored", branch=push.branch)
            return
        head = push.head
        state = {
            "ahead_of_trunk": push.ahead_of_trunk,
            "behind_trunk": push.behind_trunk,
            "last_commit_hash": head.hash if head else None,
            "last_commit_message": (head.message or None) if head else None,
        }
        work = WorkService(session, self.bus)
        given = {name: value for name, value in state.items() if value is not None}
        await work.update_git_state(item, GitStateUpdate.model_validate(given))
        await work.auto_link(item, push.branch, *(commit.message for commit in push.commits))

    async def pull_request(self, action: str, pr: GitPullRequest, session: AsyncSession) -> None:
        links = LinkService(session, self.bus)
        link = await links.pr_on_remote(pr.remote_url, pr.number)
        if link is None:
            item = await WorkRepository(session).active_on_remote_branch(
                pr.remote_url, pr.head_branch
            )
            if item is None:
                log.info("pull request on an untracked branch ignored", number=pr.number)
                return
            link = await links.create_pr(
                PrLinkCreate(
                    work_item_id=item.id,
                    pr_number=pr.number,
                    pr_url=pr.url,
                    pr_title=pr.title,
                    metadata={"base_branch": pr.base_branch, "author": pr.author},
                )
            )
        state = {"opened": "open", "merged": "merged", "closed": "closed"}[action]
        try:
            await links.set_pr_state(link, state, merge_commit_hash=pr.merge_commit_hash)
        except InvalidTransition as error:
            log.info("late pull request event ignored", reason=error.message)
