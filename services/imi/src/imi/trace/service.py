"""Finding the chain from any of its ends."""

from __future__ import annotations

import re
import uuid
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import BadRequest, LimitExceeded, NotFound
from envelope.events.plane import TICKET_KEY
from envelope.limits import INT32_MAX
from imi.mimir.schemas import MimirEntityOut
from imi.trace.queries import STATEMENTS, commit_prefix
from imi.trace.schemas import Trace, TracedWorkItem, TraceKind
from imi.work.repository import MIN_COMMIT_PREFIX

COMMIT = re.compile(rf"[0-9a-f]{{{MIN_COMMIT_PREFIX},64}}", re.IGNORECASE)


PR_NUMBER = re.compile(r"[0-9]{1,10}")

WORK_ITEMS = TypeAdapter(list[TracedWorkItem])
RELATED = TypeAdapter(list[MimirEntityOut])


class TraceService:
    def __init__(self, session: AsyncSession, max_rows: int = 2000) -> None:
        self.session = session
        self.max_rows = max_rows

    async def trace_any(self, ref: str, project_id: UUID | None = None) -> Trace:
        """ticket key → ticket; digits → PR; uuid → work item, else deploy; hex → commit.

        Seven or more digits are also a commit prefix (one hash in ~100 starts with ten
        digits), so such a reference that no PR carries is traced as a commit.
        """
        if TICKET_KEY.fullmatch(ref):
            return await self.trace("ticket", ref, project_id)
        if _pr_number(ref) is not None:
            try:
                return await self.trace("pr", ref, project_id)
            except NotFound:
                if not COMMIT.fullmatch(ref):
                    raise
                return await self.trace("commit", ref, project_id)
        if self._maybe_uuid(ref) is not None:
            try:
                return await self.trace("work", ref, project_id)
            except NotFound:
                return await self.trace("deploy", ref, project_id)
        if COMMIT.fullmatch(ref):
            return await self.trace("commit", ref, project_id)
        raise BadRequest("not a ticket key, id, PR number or commit hash", ref=ref)

    async def trace(self, kind: TraceKind, ref: str, project_id: UUID | None = None) -> Trace:
        """The chain around `ref`, read in one statement."""
        statement, params = self._seeds(kind, ref, project_id)
        found = (
            await self.session.execute(STATEMENTS[statement], {**params, "max_rows": self.max_rows})
        ).one()
        if not found.work_items:
            raise NotFound("nothing is linked to this reference", kind=kind, ref=ref)
        if found.work_items + found.links > self.max_rows:
            raise LimitExceeded(
                f"the trace holds more than {self.max_rows} work items and links; "
                "trace a narrower reference (a work item, or a PR with project_id)",
                kind=kind,
                ref=ref,
                work_items=found.work_items,
                links=found.links,
                limit=self.max_rows,
            )
        return Trace.of(
            kind,
            ref,
            WORK_ITEMS.validate_json(found.items),
            RELATED.validate_json(found.related or "[]"),
        )

    def _seeds(
        self, kind: TraceKind, ref: str, project_id: UUID | None
    ) -> tuple[str, dict[str, Any]]:
        """Which statement finds the work items the reference names directly, and its values."""
        if kind == "ticket":
            if not TICKET_KEY.fullmatch(ref):
                raise BadRequest("a ticket key is a project prefix, a dash, a number", ref=ref)
            return "ticket", {"ref": ref}
        if kind == "work":
            return "work", {"id": self._uuid(ref)}
        if kind == "pr":
            number = _pr_number(ref)
            if number is None:
                raise BadRequest("a PR number is a positive integer", ref=ref)
            if project_id is None:
                return "pr", {"number": number}
            return "pr_in_project", {"number": number, "project_id": project_id}
        if kind == "commit":
            if len(ref) < MIN_COMMIT_PREFIX:  # a short prefix names unrelated commits
                raise BadRequest(
                    f"a commit is its hash or a prefix of at least {MIN_COMMIT_PREFIX} digits",
                    ref=ref,
                )
            return "commit", {"prefix": commit_prefix(ref.lower())}  # stored in lower case
        if (as_uuid := self._maybe_uuid(ref)) is not None:
            return "deploy_or_id", {"ref": ref, "id": as_uuid}
        return "deploy", {"ref": ref}

    @staticmethod
    def _maybe_uuid(ref: str) -> UUID | None:
        """Only the dashed form: 32 bare hex digits are a commit hash, not an id."""
        if ref.count("-") != 4:
            return None
        try:
            return uuid.UUID(ref)
        except ValueError:
            return None

    def _uuid(self, ref: str) -> UUID:
        value = self._maybe_uuid(ref)
        if value is None:
            raise BadRequest("not an id", ref=ref)
        return value


def _pr_number(ref: str) -> int | None:
    """ASCII digits within the column's range (`str.isdigit` also accepts '¹' and '٣')."""
    if not PR_NUMBER.fullmatch(ref):
        return None
    number = int(ref)
    return number if 0 < number <= INT32_MAX else None
