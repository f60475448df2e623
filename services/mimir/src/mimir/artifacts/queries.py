"""The statements of `sql/artifacts.sql`: artifacts, their versions and their chunks."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from psycopg.types.json import Jsonb

from mimir.artifacts.schemas import Artifact, ArtifactType, Version
from mimir.chunking import Chunk, Passage
from mimir.sql import (
    Conn,
    execute_many,
    fetch_all_as,
    fetch_one,
    fetch_one_as,
    insert_as,
    page_query,
)


async def insert_artifact(
    conn: Conn,
    artifact_type: ArtifactType,
    source: str,
    external_id: str | None,
    metadata: dict[str, object],
) -> Artifact:
    params = {
        "artifact_type": artifact_type,
        "external_id": external_id,
        "source": source,
        "metadata": Jsonb(metadata),
    }
    return await insert_as(conn, Artifact, "insert_artifact", params)


async def get_artifact_by_external_id(conn: Conn, source: str, external_id: str) -> Artifact | None:
    """The artifact holding `external_id` in `source`, after locking that pair until commit
    (two requests naming it then create one artifact)."""
    params = {"source": source, "external_id": external_id}
    await fetch_one(conn, "lock_external_id", params)
    return await fetch_one_as(conn, Artifact, "get_artifact_by_external_id", params)


async def lock_artifact(conn: Conn, artifact_id: UUID) -> Artifact | None:
    """The artifact, locked until commit so its versions are numbered one at a time."""
    return await fetch_one_as(conn, Artifact, "lock_artifact", {"id": artifact_id})


async def get_artifact(conn: Conn, artifact_id: UUID) -> Artifact | None:
    """The artifact with its latest version number and that version's indexing status."""
    return await fetch_one_as(conn, Artifact, "get_artifact", {"id": artifact_id})


list_artifacts = page_query("list_artifacts")


async def get_version_by_hash(conn: Conn, artifact_id: UUID, content_hash: str) -> Version | None:
    """The artifact's version holding exactly this content, if any."""
    params = {"artifact_id": artifact_id, "content_hash": content_hash}
    return await fetch_one_as(conn, Version, "get_version_by_hash", params)


async def insert_version(
    conn: Conn, artifact_id: UUID, content: str, content_hash: str, created_by: str
) -> Version:
    """The new version, numbered one after the artifact's latest."""
    params = {
        "artifact_id": artifact_id,
        "content": content,
        "content_hash": content_hash,
        "created_by": created_by,
    }
    return await insert_as(conn, Version, "insert_version", params)


async def list_versions(conn: Conn, artifact_id: UUID) -> list[Version]:
    """Every version of the artifact, oldest first."""
    return await fetch_all_as(conn, Version, "list_versions", {"artifact_id": artifact_id})


async def insert_chunks(
    conn: Conn, version_id: UUID, content: str, spans: Iterable[tuple[str, Chunk | Passage]]
) -> None:
    """One span per (span_type, piece) of the version, its text cut from `content`."""
    await execute_many(
        conn,
        "insert_chunk",
        [
            {
                "version_id": version_id,
                "span_type": span_type,
                "start": piece.start,
                "end": piece.end,
                "content": content[piece.start : piece.end],
                "metadata": Jsonb(piece.metadata),
            }
            for span_type, piece in spans
        ],
    )
