"""Embedding spaces: one model's vectors, each space with an HNSW index of its own.

The index is a partial expression index, `((vector::vector(d)) <opclass>) WHERE space_id =
'<id>'`, so spaces of different models and sizes share one `embeddings` table. The service's
role may not run DDL: the index is built `CONCURRENTLY` by the schema's owner
(`mimir.embedding.indexes`, run by the migration step and by its watcher), and until then
searches of the space scan its rows exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from envelope import BadReference, BadRequest, Conflict
from mimir.embedding import Embedder, e5, local, queries
from mimir.embedding.e5 import E5Embedder
from mimir.embedding.local import LocalEmbedder
from mimir.embedding.openai import OpenAIEmbedder
from mimir.embedding.queries import EmbeddingSpace, RecordText
from mimir.embedding.schemas import Reembed, Space, SpaceCreate, VectorUpload
from mimir.settings import MimirSettings
from mimir.sql import Conn, Row, required
from mimir.tables import HNSW_INDEX_PREFIX

LOCAL_MODELS = {local.MODEL: local.DIMENSIONS, e5.MODEL: e5.DIMENSIONS}
"""The models the `local` provider serves, with their dimensions."""


def vector_text(vector: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def vector_problem(vector: Sequence[float] | NDArray[np.float32], distance: str) -> str | None:
    """Why a space measuring `distance` cannot compare `vector`, or None. pgvector computes
    a vector's length in 32-bit floats: when that overflows, or is zero under cosine, every
    distance to the vector is infinite or not a number."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        values = np.asarray(vector, dtype=np.float32)
        length = float(np.dot(values, values))
    if not math.isfinite(length):
        return "the vector's length overflows 32-bit floats"
    if length == 0 and distance == "cosine":
        return "a vector of length zero has no cosine distance"
    return None


def resolve_model(
    provider: str, model: str | None, dimensions: int | None, settings: MimirSettings
) -> tuple[str, int]:
    """The model and dimensions a space of `provider` gets, checked."""
    if provider == "local":
        model = model or settings.embedding_local_model
        if model not in LOCAL_MODELS or dimensions not in (None, LOCAL_MODELS[model]):
            served = ", ".join(f"{name} ({size} dimensions)" for name, size in LOCAL_MODELS.items())
            raise BadRequest(
                f"the local provider serves {served}", model=model, dimensions=dimensions
            )
        return model, LOCAL_MODELS[model]
    if provider == "openai":
        if not settings.openai_base_url:
            raise BadRequest("the openai provider needs MIMIR_OPENAI_BASE_URL to be set")
        return model or settings.openai_model, dimensions or settings.openai_dimensions
    if dimensions is None:
        raise BadRequest("a client space needs its dimensions")
    return model or "client", dimensions


def embedder_for(space: EmbeddingSpace, settings: MimirSettings) -> Embedder | None:
    """The provider computing the space's vectors; None for client-supplied spaces."""
    if space.provider == "local" and space.model == e5.MODEL:
        return E5Embedder(settings.model_threads)
    if space.provider == "local":
        return LocalEmbedder(
            settings.model_threads,
            settings.embedding_batch_size,
            settings.embedding_max_batch_tokens,
        )
    if space.provider == "openai":
        return OpenAIEmbedder(settings, space.model, space.dimensions)
    return None


async def index_is_stale(conn: Conn, space: EmbeddingSpace) -> bool:
    """The space still has an index for other dimensions: new vectors would not fit its
    expression, so none are stored until the index is rebuilt."""
    name = HNSW_INDEX_PREFIX + space.id.hex
    return await queries.stale_hnsw_index(conn, name, f"vector({int(space.dimensions)})")


async def create_space(conn: Conn, body: SpaceCreate, settings: MimirSettings) -> Row:
    model, dimensions = resolve_model(body.provider, body.model, body.dimensions, settings)
    row = await queries.insert_space(
        conn,
        name=body.name,
        provider=body.provider,
        model=model,
        dimensions=dimensions,
        distance=body.distance,
        status="ready" if body.provider == "client" else "reembedding",
    )
    if row is None:
        holder = await queries.get_space_by_name(conn, body.name)
        raise Conflict(
            "an embedding space with this name exists",
            name=body.name,
            space_id=str(holder.id) if holder else None,
        )
    return {**row, "embedding_count": 0}


async def ensure_default_space(conn: Conn, settings: MimirSettings) -> None:
    name = settings.embedding_default_space
    if await queries.get_space_by_name(conn, name) is None:
        body = SpaceCreate(name=name, provider=settings.embedding_provider)
        await create_space(conn, body, settings)


async def list_spaces(conn: Conn) -> list[Space]:
    return await queries.list_spaces(conn)


async def get_space(conn: Conn, space_id: UUID) -> Space:
    """The space with its number of embeddings, or NotFound."""
    return required(await queries.get_space(conn, space_id), "embedding space", space_id)


async def lock_space(conn: Conn, space_id: UUID) -> EmbeddingSpace:
    """The space, locked until commit, or NotFound."""
    return required(await queries.lock_space(conn, space_id), "embedding space", space_id)


async def reembed(conn: Conn, space_id: UUID, body: Reembed, settings: MimirSettings) -> Space:
    """Switch the space to another model; the worker recomputes every chunk's vector.

    With the same dimensions, old vectors keep serving searches until each is replaced; with
    new dimensions they are dropped, and new ones are stored once the index has been rebuilt
    for the new size.
    """
    space = await lock_space(conn, space_id)
    model, dimensions = resolve_model(body.provider, body.model, body.dimensions, settings)
    if dimensions != space.dimensions:
        await queries.delete_space_embeddings(conn, space_id)
    updated = await queries.update_space_model(conn, space_id, body.provider, model, dimensions)
    assert updated is not None
    return await get_space(conn, space_id)


async def lock_client_space(conn: Conn, space_id: UUID) -> EmbeddingSpace:
    """The space, locked against a re-embed until commit, if it takes uploaded vectors now."""
    space = await lock_space(conn, space_id)
    if space.provider != "client":
        raise Conflict("only client spaces take uploaded vectors", provider=space.provider)
    if await index_is_stale(conn, space):
        raise Conflict(
            "the space's index is being rebuilt for its new dimensions; retry shortly",
            space_id=str(space_id),
        )
    return space


async def upload_vectors(conn: Conn, space_id: UUID, body: VectorUpload) -> int:
    counts = Counter(i.span_id for i in body.items)
    if twice := sorted(str(span_id) for span_id, count in counts.items() if count > 1):
        raise BadRequest("a span has one vector per space: each span once", span_ids=twice)
    space = await lock_client_space(conn, space_id)
    wrong = [i.span_id for i in body.items if len(i.vector) != space.dimensions]
    if wrong:
        raise BadRequest(
            f"vectors must have {space.dimensions} dimensions",
            span_ids=[str(s) for s in wrong],
        )
    problems = {i.span_id: vector_problem(i.vector, space.distance) for i in body.items}
    if unusable := [span_id for span_id, problem in problems.items() if problem]:
        raise BadRequest(
            str(problems[unusable[0]]),
            distance=space.distance,
            span_ids=[str(s) for s in unusable],
        )
    missing = await queries.list_missing_chunks(conn, [i.span_id for i in body.items])
    if missing:
        raise BadReference(
            "not chunk or passage spans", span_ids=[str(span_id) for span_id in missing]
        )
    await store_vectors(
        conn, space, [i.span_id for i in body.items], [i.vector for i in body.items]
    )
    return len(body.items)


async def store_vectors(
    conn: Conn, space: EmbeddingSpace, span_ids: Sequence[UUID], vectors: Sequence[Sequence[float]]
) -> None:
    keys = [{"span_id": span_id} for span_id in span_ids]
    await queries.upsert_embeddings(conn, _vector_rows(space, keys, vectors))


async def store_record_vectors(
    conn: Conn,
    space: EmbeddingSpace,
    records: Sequence[RecordText],
    vectors: Sequence[Sequence[float]],
) -> None:
    """Vectors of decisions and intents."""
    keys = [{"target_type": r.target_type, "target_id": r.target_id} for r in records]
    await queries.upsert_record_embeddings(conn, _vector_rows(space, keys, vectors))


def _vector_rows(
    space: EmbeddingSpace, keys: Sequence[dict[str, Any]], vectors: Sequence[Sequence[float]]
) -> list[dict[str, Any]]:
    return [
        {**key, "space_id": space.id, "model": space.model, "vector": vector_text(vector)}
        for key, vector in zip(keys, vectors, strict=True)
    ]
