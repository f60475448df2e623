"""/api/v1/embedding-spaces: the spaces behind semantic search."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from starlette.exceptions import HTTPException

from envelope import error_responses
from mimir.deps import ReadDep, WorkDep
from mimir.embedding import bulk, spaces
from mimir.embedding.schemas import (
    BULK_LINE_EXAMPLE,
    BulkUploadResult,
    Reembed,
    Space,
    SpaceCreate,
    UploadResult,
    VectorUpload,
)

router = APIRouter(prefix="/embedding-spaces", tags=["search"])
SpaceId = Annotated[UUID, Path(description="The embedding space's id")]
NDJSON = "application/x-ndjson"
# Matched by the body limit, which gives this path its own (larger) bound.
BULK_VECTORS_PATH = r"/api/v1/embedding-spaces/[^/]+/vectors/bulk"
BULK_BODY = {
    "required": True,
    "content": {
        NDJSON: {
            "schema": {
                "type": "string",
                "description": 'One JSON object per line: {"span_id": "<chunk or passage span '
                'id>", "vector": [<exactly the space\'s dimensions numbers>]}',
            },
            "example": f"{BULK_LINE_EXAMPLE}\n",
        }
    },
}


@router.post(
    "",
    status_code=201,
    response_model=Space,
    summary="Create embedding space",
    responses=error_responses(400, 409, 422, 503),
)
async def create_space(body: SpaceCreate, work: WorkDep) -> Space:
    """Create a space and its HNSW index (cosine, l2 or inner product).

    For `local` and `openai` spaces the worker then embeds every existing chunk in the
    background (status `reembedding` until done); `client` spaces take vectors uploaded to
    `POST /embedding-spaces/{id}/vectors`. A taken name is a 409.
    """
    row = await spaces.create_space(work.conn, body, work.settings)
    await work.created("embedding_space", row["id"])
    return Space.model_validate(row)


@router.get(
    "", response_model=list[Space], summary="List embedding spaces", responses=error_responses(503)
)
async def list_spaces(work: ReadDep) -> list[Space]:
    """Every space with its model, dimensions, status and number of vectors."""
    return await spaces.list_spaces(work.conn)


@router.get(
    "/{space_id}",
    response_model=Space,
    summary="Get embedding space",
    responses=error_responses(400, 404, 422, 503),
)
async def get_space(space_id: SpaceId, work: ReadDep) -> Space:
    """One space; `status` says whether re-embedding is still under way."""
    return await spaces.get_space(work.conn, space_id)


@router.post(
    "/{space_id}/reembed",
    status_code=202,
    response_model=Space,
    summary="Re-embed space with another model",
    responses=error_responses(400, 404, 422, 503),
)
async def reembed(space_id: SpaceId, body: Reembed, work: WorkDep) -> Space:
    """Switch the space to another provider/model in one call; the worker recomputes every
    chunk's vector in the background (status `reembedding` until done).

    With unchanged dimensions, old vectors keep answering searches until replaced; new
    dimensions drop them and rebuild the space's HNSW index.
    """
    return await spaces.reembed(work.conn, space_id, body, work.settings)


@router.post(
    "/{space_id}/vectors",
    response_model=UploadResult,
    summary="Upload client vectors",
    responses=error_responses(400, 404, 409, 422, 503),
)
async def upload_vectors(space_id: SpaceId, body: VectorUpload, work: WorkDep) -> UploadResult:
    """Store caller-computed vectors for chunk or passage spans in a `client` space (409 for
    other spaces; 400 for a wrong dimension count or a span that is neither). Search ranks a
    chunk by its nearest vector: its own, or its passages' (the local model embeds
    passages)."""
    stored = await spaces.upload_vectors(work.conn, space_id, body)
    return UploadResult(stored=stored)


@router.post(
    "/{space_id}/vectors/bulk",
    response_model=BulkUploadResult,
    summary="Bulk-load client vectors (NDJSON)",
    responses=error_responses(400, 404, 409, 413, 415, 422, 503),
    openapi_extra={"requestBody": BULK_BODY},
)
async def bulk_upload_vectors(
    space_id: SpaceId,
    request: Request,
    defer_index: Annotated[
        bool,
        Query(
            description="Drop the space's HNSW index for the load; the index builder rebuilds "
            "it CONCURRENTLY afterwards, and searches of the space scan exactly until then"
        ),
    ] = False,
) -> BulkUploadResult:
    """Stream many vectors into a `client` space with `COPY`: an `application/x-ndjson` body,
    one `{"span_id", "vector"}` object per line, read as it arrives (up to
    `MIMIR_MAX_BULK_BODY_BYTES`).

    All or nothing: a line that is not such an object, a vector of the wrong size or a span
    that is not a chunk or passage answers 400 naming the line, and nothing is stored. A span
    already holding a vector in the space gets the new one. 409 for a space of another
    provider, or (with `defer_index`) when its index cannot be dropped now.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != NDJSON:
        raise HTTPException(415, f"the body must be {NDJSON}")
    state = request.app.state
    return await bulk.bulk_upload(
        state.uow, state.settings, space_id, request.stream(), defer_index
    )
