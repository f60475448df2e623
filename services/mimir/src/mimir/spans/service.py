"""Span rules: a span lies inside its version's content."""

from __future__ import annotations

from envelope import BadReference, BadRequest
from mimir.spans.schemas import SpanCreate
from mimir.sql import Row, body_params, fetch_one, insert
from mimir.work import Work


async def create_span(work: Work, body: SpanCreate) -> Row:
    version = await fetch_one(work.conn, "get_version_extent", {"id": body.artifact_version_id})
    if version is None:
        raise BadReference(
            "artifact version does not exist", artifact_version_id=str(body.artifact_version_id)
        )
    if not 0 <= body.start_offset < body.end_offset <= version["length"]:
        raise BadRequest(
            "span must lie inside the version's content, with start_offset < end_offset",
            start_offset=body.start_offset,
            end_offset=body.end_offset,
            content_length=version["length"],
        )
    row = await insert(work.conn, "insert_span", body_params(body))
    await work.created("span", row["id"])
    return {**row, "artifact_id": version["artifact_id"]}
