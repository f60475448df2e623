"""/api/v1/spans."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from envelope import error_responses
from mimir.deps import ReadDep, WorkDep
from mimir.filters import FIELDS_QUERY, ListParams, Page, list_params
from mimir.spans import service
from mimir.spans.schemas import Span, SpanCreate

router = APIRouter(prefix="/spans", tags=["spans"])


@router.post(
    "",
    status_code=201,
    response_model=Span,
    summary="Create span",
    responses=error_responses(400, 422, 503),
)
async def create_span(body: SpanCreate, work: WorkDep) -> Span:
    """Mark a character range of an artifact version.

    It must satisfy 0 <= start_offset < end_offset <= the content's length (400 otherwise);
    the response quotes the text it covers. An unknown version is a 400 `BAD_REFERENCE`.
    """
    return await service.create_span(work, body)


@router.get(
    "",
    response_model=Page[Span],
    summary="List spans for artifact",
    responses=error_responses(400, 422, 503),
)
async def list_spans(
    work: ReadDep, params: ListParams = Depends(list_params)
) -> Page[Span] | JSONResponse:
    """Spans with their quoted text. Filter by `artifact_id` or `artifact_version_id`, and
    `span_type` (`span_type=chunk` lists the search chunks), offsets, `metadata__contains`,
    `created_at`; e.g. `?artifact_id=...&order=created_at`."""
    return await service.SPANS.list(work.conn, params)


@router.get(
    "/{span_id}",
    response_model=Span,
    summary="Get span details",
    responses=error_responses(400, 404, 422, 503),
)
async def get_span(
    span_id: Annotated[UUID, Path(description="The span's id")],
    work: ReadDep,
    fields: str | None = FIELDS_QUERY,
) -> Span | JSONResponse:
    """One span with its artifact, version, offsets and the text it quotes."""
    return await service.SPANS.get(work.conn, span_id, fields)
