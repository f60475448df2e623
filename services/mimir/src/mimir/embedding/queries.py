"""The statements of `sql/embeddings.sql`: spaces, their vectors and indexes, worker claims.

Spaces with their embedding count are `Space` (the response model); without it, as most
statements return them, `EmbeddingSpace`. A new space stays a dict row: the service adds its
count before it is validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from mimir.embedding.schemas import Distance, Provider, Space, SpaceStatus
from mimir.sql import (
    Conn,
    Row,
    execute,
    execute_many,
    fetch_all_as,
    fetch_one,
    fetch_one_as,
    query,
)


@dataclass(frozen=True)
class EmbeddingSpace:
    """An embedding space as stored, without its number of embeddings."""

    id: UUID
    name: str
    provider: Provider
    model: str
    dimensions: int
    distance: Distance
    status: SpaceStatus
    created_at: datetime


@dataclass(frozen=True)
class Claim:
    """A worker's claim on a row (a version or a space) it is working on."""

    id: UUID
    claim_id: UUID

    def params(self) -> dict[str, UUID]:
        return {"id": self.id, "claim_id": self.claim_id}


@dataclass(frozen=True)
class SpanText:
    """A span that gets a vector, with its text."""

    id: UUID
    content: str


@dataclass(frozen=True)
class RecordText:
    """A decision or an intent that gets a vector, with its text."""

    target_type: str
    target_id: UUID
    text: str


@dataclass(frozen=True)
class HnswIndex:
    """A space index as the catalog has it; a failed build leaves it invalid."""

    name: str
    definition: str
    valid: bool


@dataclass(frozen=True)
class StagedStranger:
    """A staged line of a bulk load whose span is neither a chunk nor a passage."""

    line: int
    span_id: UUID


@dataclass(frozen=True)
class _Id:
    id: UUID


# Spaces


async def insert_space(
    conn: Conn, name: str, provider: str, model: str, dimensions: int, distance: str, status: str
) -> Row | None:
    """The new space; None when the name is taken."""
    params = {
        "name": name,
        "provider": provider,
        "model": model,
        "dimensions": dimensions,
        "distance": distance,
        "status": status,
    }
    return await fetch_one(conn, "insert_space", params)


async def get_space(conn: Conn, space_id: UUID) -> Space | None:
    """The space with its number of embeddings."""
    return await fetch_one_as(conn, Space, "get_space", {"id": space_id})


async def list_spaces(conn: Conn) -> list[Space]:
    """Every space with its number of embeddings, by name."""
    return await fetch_all_as(conn, Space, "list_spaces")


async def get_space_by_name(conn: Conn, name: str) -> EmbeddingSpace | None:
    return await fetch_one_as(conn, EmbeddingSpace, "get_space_by_name", {"name": name})


async def lock_space(conn: Conn, space_id: UUID) -> EmbeddingSpace | None:
    """The space, locked until commit (vectors for it may still be inserted meanwhile)."""
    return await fetch_one_as(conn, EmbeddingSpace, "lock_space", {"id": space_id})


async def share_space(conn: Conn, space_id: UUID) -> EmbeddingSpace | None:
    """The space, kept from changing model until commit."""
    return await fetch_one_as(conn, EmbeddingSpace, "share_space", {"id": space_id})


async def list_computed_spaces(conn: Conn) -> list[EmbeddingSpace]:
    """The spaces whose vectors the server computes (every provider but `client`)."""
    return await fetch_all_as(conn, EmbeddingSpace, "list_computed_spaces")


async def update_space_model(
    conn: Conn, space_id: UUID, provider: str, model: str, dimensions: int
) -> EmbeddingSpace | None:
    """The space with its new provider, model and dimensions, marked for re-embedding."""
    params = {"id": space_id, "provider": provider, "model": model, "dimensions": dimensions}
    return await fetch_one_as(conn, EmbeddingSpace, "update_space_model", params)


async def delete_space_embeddings(conn: Conn, space_id: UUID) -> None:
    """Every vector of the space: chunks', decisions' and intents'."""
    await execute(conn, "delete_space_embeddings", {"space_id": space_id})


async def set_space_ready(conn: Conn, space_id: UUID) -> None:
    await execute(conn, "set_space_ready", {"id": space_id})


# Vectors


async def list_missing_chunks(conn: Conn, span_ids: Sequence[UUID]) -> list[UUID]:
    """The given span ids that are neither chunks nor passages."""
    rows = await fetch_all_as(conn, _Id, "list_missing_chunks", {"ids": list(span_ids)})
    return [row.id for row in rows]


async def upsert_embeddings(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Span vectors (`space_id`, `span_id`, `model`, `vector`), replacing older ones."""
    await execute_many(conn, "upsert_embedding", rows)


async def upsert_record_embeddings(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Decision and intent vectors (`space_id`, `target_type`, `target_id`, `model`,
    `vector`), replacing older ones."""
    await execute_many(conn, "upsert_record_embedding", rows)


def records() -> sql.Composable:
    """Fragment: decisions and intents as search records (target_type, target_id, text,
    status, metadata, created_at, tsv), shared by the worker and record search."""
    return query("fragment_records")


async def list_records_to_embed(conn: Conn, space: EmbeddingSpace, limit: int) -> list[RecordText]:
    """Up to `limit` decisions and intents without a vector from the space's current model."""
    params = {"space_id": space.id, "model": space.model, "limit": limit}
    return await fetch_all_as(conn, RecordText, "list_records_to_embed", params, records=records())


# Indexes (run as the schema's owner)


async def stale_hnsw_index(conn: Conn, name: str, cast: str) -> bool:
    """Whether the index `name` exists with a definition lacking `cast`."""
    row = await fetch_one(conn, "stale_hnsw_index", {"name": name, "cast": cast})
    return bool(row and row["stale"])


async def list_hnsw_indexes(conn: Conn, prefix: str) -> list[HnswIndex]:
    return await fetch_all_as(conn, HnswIndex, "list_hnsw_indexes", {"prefix": prefix})


async def create_hnsw_index(
    conn: Conn,
    *,
    index: sql.Composable,
    dimensions: sql.Composable,
    opclass: sql.Composable,
    space_id: sql.Composable,
    ef_construction: sql.Composable,
) -> None:
    """Build the space's partial expression index CONCURRENTLY (autocommit only)."""
    await execute(
        conn,
        "create_hnsw_index",
        index=index,
        dimensions=dimensions,
        opclass=opclass,
        space_id=space_id,
        ef_construction=ef_construction,
    )


async def drop_hnsw_index(conn: Conn, index: sql.Composable) -> None:
    """Drop an index CONCURRENTLY (autocommit only)."""
    await execute(conn, "drop_hnsw_index", index=index)


async def list_deferred_spaces(conn: Conn) -> set[UUID]:
    """The ids of the spaces with a bulk load under way that defers their index."""
    return {row.id for row in await fetch_all_as(conn, _Id, "list_deferred_spaces")}


# The worker's claims


async def claim_pending_version(conn: Conn, lease_seconds: float) -> Claim | None:
    """The oldest pending version no live worker claims, now claimed for the caller."""
    params = {"lease_seconds": lease_seconds}
    return await fetch_one_as(conn, Claim, "claim_pending_version", params)


async def hold_version_claim(conn: Conn, claim: Claim) -> bool:
    """Whether the claim still holds the version, locked until commit if so."""
    return await fetch_one(conn, "hold_version_claim", claim.params()) is not None


async def list_version_chunks(conn: Conn, version_id: UUID) -> list[SpanText]:
    """The version's spans that get vectors, in order."""
    params = {"version_id": version_id}
    return await fetch_all_as(conn, SpanText, "list_version_chunks", params)


async def set_version_indexing(conn: Conn, claim: Claim, status: str, error: str | None) -> None:
    """The version's indexing status (and error); its claim is done."""
    params = {**claim.params(), "status": status, "error": error}
    await execute(conn, "set_version_indexing", params)


async def lock_reembedding_space(conn: Conn, lease_seconds: float) -> EmbeddingSpace | None:
    """A space being re-embedded that no live worker claims, locked against other workers."""
    params = {"lease_seconds": lease_seconds}
    return await fetch_one_as(conn, EmbeddingSpace, "lock_reembedding_space", params)


async def claim_space(conn: Conn, space_id: UUID) -> Claim:
    """The space, now claimed for the caller."""
    row = await fetch_one(conn, "claim_space", {"id": space_id})
    assert row is not None
    return Claim(id=space_id, claim_id=row["claim_id"])


async def hold_space_claim(conn: Conn, claim: Claim) -> bool:
    """Whether the claim still holds the space, locked until commit if so."""
    return await fetch_one(conn, "hold_space_claim", claim.params()) is not None


async def list_chunks_to_reembed(conn: Conn, space: EmbeddingSpace, limit: int) -> list[SpanText]:
    """Up to `limit` spans without a vector from the space's current model."""
    params = {"space_id": space.id, "model": space.model, "limit": limit}
    return await fetch_all_as(conn, SpanText, "list_chunks_to_reembed", params)


async def renew_claim(conn: Conn, table: sql.Identifier, claim: Claim) -> None:
    """The claim's lease on its row of `table` starts again, while the claim holds it."""
    await execute(conn, "renew_claim", claim.params(), table=table)


async def release_claim(conn: Conn, table: sql.Identifier, claim: Claim) -> None:
    """The claim on its row of `table` is given up, so any worker may take the work."""
    await execute(conn, "release_claim", claim.params(), table=table)


# Bulk loads


async def set_load_timeout(conn: Conn, timeout_seconds: float) -> None:
    """This transaction's statement timeout, for a bulk load."""
    await fetch_one(conn, "set_load_timeout", {"timeout": f"{int(timeout_seconds * 1000)}"})


async def create_vector_load(conn: Conn) -> None:
    """The transaction's staging table, dropped at commit."""
    await execute(conn, "create_vector_load")


def copy_vector_load() -> sql.SQL | sql.Composed:
    """The binary COPY of (line, span_id, vector) rows into the staging table."""
    return query("copy_vector_load")


async def list_vector_load_strangers(conn: Conn) -> list[StagedStranger]:
    """Up to 20 staged lines whose span is neither a chunk nor a passage, in line order."""
    return await fetch_all_as(conn, StagedStranger, "list_vector_load_strangers")


async def upsert_vector_load(conn: Conn, space: EmbeddingSpace) -> int:
    """Every staged vector into the space; the number of vectors stored."""
    params = {"space_id": space.id, "model": space.model}
    return await execute(conn, "upsert_vector_load", params)


async def defer_space_index(conn: Conn, space_id: UUID, seconds: float) -> datetime:
    """Mark the space as under a bulk load for `seconds`; the mark."""
    row = await fetch_one(conn, "defer_space_index", {"id": space_id, "seconds": seconds})
    assert row is not None
    until: datetime = row["index_deferred_until"]
    return until


async def drop_deferred_space_index(conn: Conn, space_id: UUID) -> bool:
    """Whether the deferred space had an index, now dropped by the schema's owner."""
    row = await fetch_one(conn, "drop_deferred_space_index", {"id": space_id})
    return bool(row and row["dropped"])


async def end_space_index_deferral(conn: Conn, space_id: UUID, until: datetime) -> None:
    """Clear the mark `until` (a later load's mark stays)."""
    await execute(conn, "end_space_index_deferral", {"id": space_id, "until": until})
