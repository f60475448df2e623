"""Project queries."""

from __future__ import annotations

import re

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from imi.projects.models import Project
from imi.projects.schemas import ProjectFilters

# `scheme://[user@]host[:port]/path` and scp-like `[user@]host:path`, as git reads them.
REMOTE_URL = re.compile(r"[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:@]+)(?::[0-9]*)?/(.+)", re.I | re.S)
REMOTE_SCP = re.compile(r"(?:[^@/]+@)?([^/:@]{2,}):([^/].*)", re.S)
BLANKS = " \t\r\n\f\v"


def remote_key(remote: str) -> str:
    """One remote's key whatever its spelling: no surrounding blanks or trailing `/`, then
    no trailing `.git`; a forge's remote as `host/path` in lower case, however it is reached
    (HTTPS or SSH, with or without user or port), a local path (`file:` too) as it is.

    The database's `imi.remote_key` (migration 0010) computes `projects.remote_key` alike.
    """
    key = re.sub(r"\.git\Z", "", remote.strip(BLANKS).rstrip("/"), flags=re.I)
    if key[:5].lower() == "file:":
        return key
    match = REMOTE_URL.fullmatch(key) or REMOTE_SCP.fullmatch(key)
    return f"{match[1]}/{match[2]}".lower() if match else key


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_by_remote(self, remote: str) -> Project | None:
        query = select(Project).where(Project.active, Project.remote_key == remote_key(remote))
        return await self.session.scalar(query.limit(1))

    async def lock_dormant_by_remote(self, remote: str) -> Project | None:
        """The most recent soft-deleted project of `remote`, locked; None once re-activated."""
        query = (
            select(Project)
            .where(~Project.active, Project.remote_key == remote_key(remote))
            .order_by(Project.updated_at.desc())
            .limit(1)
            .with_for_update()
        )
        return await self.session.scalar(query)

    def search(self, filters: ProjectFilters) -> Select[Project]:
        query = select(Project)
        if filters.active is not None:
            query = query.where(Project.active == filters.active)
        if filters.remote_origin is not None:
            query = query.where(Project.remote_key == remote_key(filters.remote_origin))
        if filters.q is None:
            return query.order_by(Project.created_at.desc(), Project.id)
        # `%` uses the trigram index; ILIKE catches short queries below the similarity threshold.
        matches = or_(
            Project.name.op("%")(filters.q), Project.name.icontains(filters.q, autoescape=True)
        )
        return query.where(matches).order_by(
            func.similarity(Project.name, filters.q).desc(), Project.id
        )
