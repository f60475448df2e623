"""The statements of `sql/spans.sql`: character ranges of artifact versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mimir.spans.schemas import Span, SpanCreate
from mimir.sql import Conn, body_params, fetch_one_as, insert_as, page_query


@dataclass(frozen=True)
class VersionExtent:
    """A version's id, its artifact, and its content's length in characters."""

    id: UUID
    artifact_id: UUID
    length: int


@dataclass(frozen=True)
class NewSpan:
    """A span as written, with the text it quotes (its artifact is the version's)."""

    id: UUID
    artifact_version_id: UUID
    start_offset: int
    end_offset: int
    span_type: str
    text: str
    metadata: dict[str, Any]
    created_at: datetime


async def get_version_extent(conn: Conn, version_id: UUID) -> VersionExtent | None:
    return await fetch_one_as(conn, VersionExtent, "get_version_extent", {"id": version_id})


async def insert_span(conn: Conn, body: SpanCreate) -> NewSpan:
    """The new span, its text cut from its version's content."""
    return await insert_as(conn, NewSpan, "insert_span", body_params(body))


async def get_span(conn: Conn, span_id: UUID) -> Span | None:
    """The span with its artifact id and quoted text."""
    return await fetch_one_as(conn, Span, "get_span", {"id": span_id})


list_spans = page_query("list_spans")
