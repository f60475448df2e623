"""Artifact rules: versions are append-only, numbered in order and deduplicated by hash."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from envelope import Conflict, NotFound
from envelope.events.mimir import ArtifactCreated, ArtifactVersionAdded
from mimir.artifacts import queries
from mimir.artifacts.schemas import (
    Artifact,
    ArtifactCreate,
    ArtifactDetail,
    Version,
    VersionCreate,
)
from mimir.chunking import Chunk, Passage, chunk, passages
from mimir.filters import Resource
from mimir.sql import Conn, required
from mimir.work import Work

T = TypeVar("T")

ARTIFACTS = Resource(
    model=Artifact,
    list_query=queries.list_artifacts,
    alias="a",
    entity_type="artifact",
    filters={
        "id": "uuid",
        "artifact_type": "text",
        "source": "text",
        "external_id": "text",
        "metadata": "json",
        "created_at": "datetime",
    },
    query_params=frozenset({"q"}),
)

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
    work: Work, artifact: Artifact, content: str, digest: str, created_by: str
) -> Version:
    version = await queries.insert_version(work.conn, artifact.id, content, digest, created_by)
    settings = work.settings
    pieces = await cpu_bound(
        content,
        chunk,
        artifact.artifact_type,
        content,
        settings.chunk_max_chars,
        settings.chunk_overlap_chars,
    )
    spans: list[tuple[str, Chunk | Passage]] = [("chunk", piece) for piece in pieces]
    spans += [("passage", piece) for piece in passages(pieces)]
    await queries.insert_chunks(work.conn, version.id, content, spans)
    await work.created("artifact_version", version.id)
    return version


async def create_artifact(work: Work, body: ArtifactCreate) -> tuple[ArtifactDetail, bool]:
    """The new artifact with its version 1 (chunked now, embedded later by the worker), and
    True; or, when the source already holds an artifact with this `external_id`, that
    artifact and False if the request is a repeat (same type and metadata, the content one of
    its versions), else a 409 naming it: new content for it is a new version."""
    digest = await cpu_bound(body.content, content_hash, body.content)
    if body.external_id is not None:
        held = await queries.get_artifact_by_external_id(work.conn, body.source, body.external_id)
        if held is not None:
            await _repeated(work.conn, held, body, digest)
            return await get_artifact(work.conn, held.id), False
    artifact = await queries.insert_artifact(
        work.conn, body.artifact_type, body.source, body.external_id, body.metadata
    )
    await work.created("artifact", artifact.id)
    version = await _add_version(work, artifact, body.content, digest, body.created_by)
    await work.emit(
        "mimir.artifact.created",
        ArtifactCreated(
            artifact_id=artifact.id,
            artifact_type=artifact.artifact_type,
            source=artifact.source,
            external_id=artifact.external_id,
            version_id=version.id,
            content_hash=digest,
        ),
    )
    return ArtifactDetail.model_validate(
        {
            **dict(artifact),
            "latest_version": 1,
            "indexing_status": version.indexing_status,
            "versions": [version],
        }
    ), True


async def _repeated(conn: Conn, held: Artifact, body: ArtifactCreate, digest: str) -> None:
    """Nothing if `body` asks again for what `held` is; else the conflict, naming it."""
    differing = [
        name
        for name, asked, stored in (
            ("artifact_type", body.artifact_type, held.artifact_type),
            ("metadata", body.metadata, held.metadata),
        )
        if asked != stored
    ]
    if await queries.get_version_by_hash(conn, held.id, digest) is None:
        differing.append("content")
    if differing:
        raise Conflict(
            "the source already holds an artifact with this external_id: new content is a "
            "new version of it (POST /artifacts/{id}/versions)",
            artifact_id=str(held.id),
            differing=differing,
        )


async def add_version(work: Work, artifact_id: UUID, body: VersionCreate) -> tuple[Version, bool]:
    """The new version (True), or the existing one with identical content (False)."""
    artifact = await queries.lock_artifact(work.conn, artifact_id)
    if artifact is None:
        raise NotFound("artifact not found", id=str(artifact_id))
    digest = await cpu_bound(body.content, content_hash, body.content)
    existing = await queries.get_version_by_hash(work.conn, artifact_id, digest)
    if existing is not None:
        return existing, False
    version = await _add_version(work, artifact, body.content, digest, body.created_by)
    await work.emit(
        "mimir.artifact.version_added",
        ArtifactVersionAdded(
            artifact_id=artifact_id,
            artifact_type=artifact.artifact_type,
            version_id=version.id,
            version_number=version.version_number,
            content_hash=digest,
            created_by=version.created_by,
        ),
    )
    return version, True


async def require_artifact(conn: Conn, artifact_id: UUID) -> Artifact:
    return required(await queries.get_artifact(conn, artifact_id), "artifact", artifact_id)


async def get_artifact(conn: Conn, artifact_id: UUID) -> ArtifactDetail:
    """The artifact with every version, oldest first (404 if absent)."""
    artifact = await require_artifact(conn, artifact_id)
    versions = await queries.list_versions(conn, artifact_id)
    return ArtifactDetail.model_validate({**dict(artifact), "versions": versions})
