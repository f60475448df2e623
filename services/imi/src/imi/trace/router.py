"""`/api/v1/trace`: from a ticket, work item, PR, commit or deploy to the whole chain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request

from envelope import error_responses
from imi.deps import SessionDep
from imi.trace.schemas import Trace, TraceKind
from imi.trace.service import TraceService

router = APIRouter(prefix="/trace", tags=["trace"])

ProjectFilter = Annotated[
    UUID | None, Query(description="For a PR number: the project it belongs to")
]
ERRORS = error_responses(400, 404, 422, 503)
DESCRIPTION = (
    "The chain ticket → work items → pull requests → deploys around the reference: the work "
    "items it names, their tickets, and every other work item linked to those tickets, each "
    "with its ticket, PR and deploy links, and the mimir decisions, intents and artifacts "
    "related to any of them. 404 when nothing is linked to the reference; 400 `LIMIT_EXCEEDED` "
    "when the chain holds more than `IMI_TRACE_MAX_ROWS` work items and links."
)


async def _service(request: Request, session: SessionDep) -> TraceService:
    """Async, so that FastAPI calls it on the event loop rather than in a worker thread."""
    return TraceService(session, request.app.state.settings.trace_max_rows)


Tracer = Annotated[TraceService, Depends(_service)]


def _route(kind: TraceKind, path: str, summary: str, ref_means: str) -> None:
    async def endpoint(
        service: Tracer, ref: str = Path(description=ref_means), project_id: ProjectFilter = None
    ) -> Trace:
        return await service.trace(kind, ref, project_id)

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        response_model=Trace,
        summary=summary,
        description=DESCRIPTION,
        responses=ERRORS,
        name=f"trace_{kind}",
    )


_route("ticket", "/ticket/{ref}", "Trace from a ticket key", "A Plane ticket key, e.g. PROJ-123")
_route("work", "/work/{ref}", "Trace from a work item id", "A work item id")
_route("pr", "/pr/{ref}", "Trace from a pull request number", "A pull request number, e.g. 42")
_route(
    "commit",
    "/commit/{ref}",
    "Trace from a commit hash (or a prefix of 7+)",
    "A commit hash, or a prefix of at least 7 hex digits",
)
_route(
    "deploy",
    "/deploy/{ref:path}",  # a CI system's deploy id may hold a '/' (deploys/web/42)
    "Trace from a deploy (link id or CI deploy id)",
    "A deploy link id or the CI system's deploy id",
)


@router.get(
    "/{ref}",
    response_model=Trace,
    summary="Trace from any reference",
    description="Detects the kind: a ticket key, a work item id or a deploy link id, a PR "
    "number, or a commit hash (digits that no PR carries are read as a commit prefix); a CI "
    "system's deploy id is traced by `/trace/deploy/{ref}`. " + DESCRIPTION,
    responses=ERRORS,
)
async def trace_any(
    ref: Annotated[
        str,
        Path(
            description="A ticket key (PROJ-123), a work item or deploy link id, a PR number "
            "(42) or a commit hash (7 digits or more)"
        ),
    ],
    service: Tracer,
    project_id: ProjectFilter = None,
) -> Trace:
    return await service.trace_any(ref, project_id)
