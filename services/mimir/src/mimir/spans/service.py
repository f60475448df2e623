"""Span rules: a span lies inside its version's content."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from envelope import BadReference, BadRequest
from mimir.filters import Resource
from mimir.spans import queries
from mimir.spans.schemas import Span, SpanCreate
from mimir.sql import Conn, required
from mimir.work import Work


async def get_span(conn: Conn, span_id: UUID) -> Span:
    """The span (404 if absent)."""
    return required(await queries.get_span(conn, span_id), "span", span_id)


SPANS = Resource(
    model=Span,
    list_query=queries.list_spans,
    fetch=get_span,
    alias="s",
    filters={
        "id": "uuid",
        "artifact_id": "uuid",
        "artifact_version_id": "uuid",
        "span_type": "text",
        "start_offset": "int",
        "end_offset": "int",
        "metadata": "json",
        "created_at": "datetime",
    },
)


async def create_span(work: Work, body: SpanCreate) -> Span:
    version = await queries.get_version_extent(work.conn, body.artifact_version_id)
    if version is None:
        raise BadReference(
            "artifact version does not exist", artifact_version_id=str(body.artifact_version_id)
        )
    if not 0 <= body.start_offset < body.end_offset <= version.length:
        raise BadRequest(
            "span must lie inside the version's content, with start_offset < end_offset",
            start_offset=body.start_offset,
            end_offset=body.end_offset,
            content_length=version.length,
        )
    row = await queries.insert_span(work.conn, body)
    await work.created("span", row.id)
    return Span(**asdict(row), artifact_id=version.artifact_id)
