"""Artifact rules: versions are append-only, numbered in order and deduplicated by hash."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from psycopg.types.json import Jsonb

from envelope import NotFound
from envelope.events.mimir import ArtifactCreated, ArtifactVersionAdded
from mimir.artifacts.schemas import ArtifactCreate, VersionCreate
from mimir.chunking import Chunk, Passage, chunk, passages
from mimir.sql import Conn, Row, execute_many, fetch_all, fetch_one
from mimir.work import Work

T = TypeVar("T")

OFF_LOOP_CHARS = 64 * 1024
"""Content at least this long is hashed and chunked in a worker thread: a few MiB take tens of
milliseconds of CPU, which on the event loop would stall every other request meanwhile."""


async def cpu_bound(content: str, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread for big content, inline for small (a thread hop costs
    more than hashing a short text)."""
    if len(content) >= OFF_LOOP_CHARS:
        return await asyncio.to_thread(work, *args)
    return work(*args)


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


async def _add_version(
    work: Work, artifact: Row, content: str, digest: str, created_by: str
) -> Row:
    params = {"artifact_id": artifact["id"], "content": content, "content_hash": digest}
    version = await fetch_one(work.conn, "insert_version", {**params, "created_by": created_by})
    assert version is not None
    settings = work.settings
    pieces = await cpu_bound(
        content,
        chunk,
        artifact["artifact_type"],
        content,
        settings.chunk_max_chars,
        settings.chunk_overlap_chars,
    )
    spans: list[tuple[str, Chunk | Passage]] = [("chunk", piece) for piece in pieces]
    spans += [("passage", piece) for piece in passages(pieces)]
    await execute_many(
        work.conn,
        "insert_chunk",
        [
            {
                "version_id": version["id"],
                "span_type": span_type,
                "start": piece.start,
                "end": piece.end,
                "content": content[piece.start : piece.end],
                "metadata": Jsonb(piece.metadata),
            }
            for span_type, piece in spans
        ],
    )
    await work.created("artifact_version", version["id"])
    return version


async def create_artifact(work: Work, body: ArtifactCreate) -> tuple[Row, Row]:
    """The new artifact and its version 1 (chunked now, embedded later by the worker)."""
    artifact = await fetch_one(
        work.conn,
        "insert_artifact",
        {
            "artifact_type": body.artifact_type,
            "external_id": body.external_id,
            "source": body.source,
            "metadata": Jsonb(body.metadata),
        },
    )
    assert artifact is not None
    await work.created("artifact", artifact["id"])
    digest = await cpu_bound(body.content, content_hash, body.content)
    version = await _add_version(work, artifact, body.content, digest, body.created_by)
    await work.emit(
        "mimir.artifact.created",
        ArtifactCreated(
            artifact_id=artifact["id"],
            artifact_type=artifact["artifact_type"],
            source=artifact["source"],
            external_id=artifact["external_id"],
            version_id=version["id"],
            content_hash=digest,
        ),
    )
    return artifact, version


async def add_version(work: Work, artifact_id: UUID, body: VersionCreate) -> tuple[Row, bool]:
    """The new version (True), or the existing one with identical content (False)."""
    artifact = await fetch_one(work.conn, "lock_artifact", {"id": artifact_id})
    if artifact is None:
        raise NotFound("artifact not found", id=str(artifact_id))
    digest = await cpu_bound(body.content, content_hash, body.content)
    existing = await fetch_one(
        work.conn, "get_version_by_hash", {"artifact_id": artifact_id, "content_hash": digest}
    )
    if existing is not None:
        return existing, False
    version = await _add_version(work, artifact, body.content, digest, body.created_by)
    await work.emit(
        "mimir.artifact.version_added",
        ArtifactVersionAdded(
            artifact_id=artifact_id,
            artifact_type=artifact["artifact_type"],
            version_id=version["id"],
            version_number=version["version_number"],
            content_hash=digest,
            created_by=version["created_by"],
        ),
    )
    return version, True


async def require_artifact(conn: Conn, artifact_id: UUID) -> Row:
    artifact = await fetch_one(conn, "get_artifact", {"id": artifact_id})
    if artifact is None:
        raise NotFound("artifact not found", id=str(artifact_id))
    return artifact


async def get_artifact(conn: Conn, artifact_id: UUID) -> dict[str, Any]:
    artifact = await require_artifact(conn, artifact_id)
    versions = await fetch_all(conn, "list_versions", {"artifact_id": artifact_id})
    return {**artifact, "versions": versions}
