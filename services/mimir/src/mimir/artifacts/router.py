"""/api/v1/artifacts: thin HTTP entrypoints into the artifact service."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from envelope import error_responses
from mimir.artifacts import service
from mimir.artifacts.schemas import Artifact, ArtifactCreate, ArtifactDetail, Version, VersionCreate
from mimir.deps import ReadDep, WorkDep
from mimir.filters import (
    FIELDS_QUERY,
    PROJECT_QUERY,
    ListParams,
    Page,
    list_params,
    parse_fields,
    sparse_as,
)
from mimir.relations import service as relations
from mimir.relations.schemas import Relation

router = APIRouter(prefix="/artifacts", tags=["artifacts"])
ArtifactId = Annotated[UUID, Path(description="The artifact's id")]


@router.post(
    "",
    status_code=201,
    response_model=ArtifactDetail,
    summary="Create artifact",
    responses={
        200: {"model": ArtifactDetail, "description": "A repeat: the artifact already stored"},
        **error_responses(400, 409, 422, 503),
    },
)
async def create_artifact(
    body: ArtifactCreate, work: WorkDep, response: Response
) -> ArtifactDetail:
    """Store a conversation, document or note with its content as version 1.

    The content is kept verbatim and never modified; it is split into `chunk` spans at once
    (searchable by text immediately) and embedded in the background, so the artifact shows
    `indexing_status: pending` until the worker has embedded it. Emits
    `mimir.artifact.created`. `X-Provenance-*` headers record provenance for the artifact and
    its version.

    An `external_id` names one artifact of its `source`: sent again with the same type,
    metadata and the content of one of its versions (a retried request, a re-run import), the
    stored artifact is returned with 200 and nothing is emitted; with anything else, 409
    names the artifact (`artifact_id`) and what differs: new content is a new version
    (`POST /artifacts/{id}/versions`). Without `external_id` every request stores a new
    artifact.
    """
    artifact, created = await service.create_artifact(work, body)
    response.status_code = 201 if created else 200
    return artifact


@router.get(
    "",
    response_model=Page[Artifact],
    summary="List or search artifacts",
    responses=error_responses(400, 422, 503),
)
async def list_artifacts(
    work: ReadDep,
    params: ListParams = Depends(list_params),
    q: str | None = Query(None, description="Full-text query over the artifacts' chunks"),
    project_id: UUID | None = PROJECT_QUERY,
) -> Page[Artifact] | JSONResponse:
    """Artifacts, newest first by default.

    Filters: `id`, `artifact_type`, `source`, `external_id`, `created_at` (with `__op` suffixes
    such as `created_at__gte`), `metadata__contains={"k": "v"}`, `project_id` (an imi project:
    artifacts related to it or to its work items, PRs, ...). `q` keeps artifacts whose
    content matches a web-style full-text query. Paginate with `cursor` (keyset) or
    `offset`; pick fields with `fields=id,source`.
    """
    return await service.ARTIFACTS.list(work.conn, params, q=q)


@router.get(
    "/{artifact_id}",
    response_model=ArtifactDetail,
    summary="Get artifact with versions",
    responses=error_responses(400, 404, 422, 503),
)
async def get_artifact(
    artifact_id: ArtifactId,
    work: ReadDep,
    fields: str | None = FIELDS_QUERY,
) -> ArtifactDetail | JSONResponse:
    """The artifact and every version (with content), oldest version first."""
    wanted = parse_fields(frozenset(ArtifactDetail.model_fields), fields)
    return sparse_as(await service.get_artifact(work.conn, artifact_id), wanted)


@router.post(
    "/{artifact_id}/versions",
    status_code=201,
    response_model=Version,
    summary="Add version (append-only)",
    responses={
        200: {"model": Version, "description": "Identical content: the existing version"},
        **error_responses(400, 404, 422, 503),
    },
)
async def add_version(
    artifact_id: ArtifactId, body: VersionCreate, work: WorkDep, response: Response
) -> Version:
    """Append a new version with the full new content.

    Content identical to an existing version of this artifact (same sha256) is not stored
    again: that version is returned with 200. A new version gets 201, the next number, its
    chunks, and `mimir.artifact.version_added`.
    """
    version, created = await service.add_version(work, artifact_id, body)
    response.status_code = 201 if created else 200
    return version


@router.get(
    "/{artifact_id}/relations",
    response_model=list[Relation],
    summary="Get related entities",
    responses=error_responses(400, 404, 422, 503),
)
async def artifact_relations(artifact_id: ArtifactId, work: ReadDep) -> list[Relation]:
    """Relations in which this artifact is the source or the target, newest first."""
    await service.require_artifact(work.conn, artifact_id)
    return await relations.relations_of(work.conn, "artifact", artifact_id)
