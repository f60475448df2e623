"""Bulk loads of client vectors: NDJSON lines streamed into PostgreSQL with binary `COPY`.

Each line, `{"span_id": "...", "vector": [...]}`, is parsed, checked and encoded as one binary
COPY row as it arrives, so neither the body nor its parsed vectors are ever held whole: only
the line being read and a write buffer of `FLUSH_BYTES`. The rows go to a temporary table,
are checked against the spans in one statement and upserted into `embeddings` in one more,
all in one transaction: a bad line stores nothing.

With `defer_index` the space's HNSW index is dropped before the load (by a function of the
schema's owner: the service's role runs no DDL) and the space is marked, so the index builder
leaves it alone until the load ends and then rebuilds it `CONCURRENTLY`; meanwhile searches
of the space scan its rows exactly.
"""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

import numpy as np
from psycopg import errors as pg_errors

from envelope import BadReference, BadRequest, Busy
from mimir.database import UnitOfWork
from mimir.embedding import queries
from mimir.embedding.queries import EmbeddingSpace
from mimir.embedding.schemas import BulkUploadResult
from mimir.embedding.spaces import lock_client_space, vector_problem
from mimir.settings import MimirSettings
from mimir.sql import Conn

FLUSH_BYTES = 256 * 1024
# A line holds its span id, its vector and a little JSON around them; longer is refused.
LINE_BYTES_PER_NUMBER = 32
LINE_BYTES_OVERHEAD = 256

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)
# Three fields: line (int4), span_id (uuid), vector (pgvector's binary form: dim, 0, float4s).
_ROW = struct.Struct("!hiiI16sihh")


def max_line_bytes(dimensions: int) -> int:
    return dimensions * LINE_BYTES_PER_NUMBER + LINE_BYTES_OVERHEAD


def bad_line(number: int, problem: str) -> BadRequest:
    return BadRequest(f"line {number}: {problem}; nothing was stored", line=number)


async def ndjson_lines(
    chunks: AsyncIterator[bytes], max_bytes: int
) -> AsyncIterator[tuple[int, bytes]]:
    """(line number, line) of every non-blank line of a streamed body, numbered from 1."""
    pending = b""
    number = 0
    async for chunk in chunks:
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            number += 1
            if line.strip():
                yield number, line
        if len(pending) > max_bytes:
            break
    if pending.strip():
        yield number + 1, pending


def copy_row(number: int, line: bytes, dimensions: int, distance: str) -> bytes:
    """One line as a binary COPY row of the staging table, or a BadRequest naming the line."""
    if len(line) > max_line_bytes(dimensions):
        raise bad_line(number, f"longer than {max_line_bytes(dimensions)} bytes")
    try:
        item: Any = json.loads(line)
    except ValueError:
        raise bad_line(number, "not a JSON object") from None
    if not isinstance(item, dict) or not {"span_id", "vector"} <= item.keys():
        raise bad_line(number, 'needs {"span_id": ..., "vector": [...]}')
    try:
        span_id = UUID(item["span_id"])
    except (TypeError, ValueError, AttributeError):
        raise bad_line(number, "span_id is not a UUID") from None
    try:
        vector = np.array(item["vector"])
    except ValueError:
        vector = np.array(None)
    if vector.ndim != 1 or vector.dtype.kind not in "iuf":
        raise bad_line(number, "vector is not a list of numbers")
    if vector.size != dimensions:
        raise bad_line(number, f"vector has {vector.size} numbers; the space takes {dimensions}")
    with np.errstate(over="ignore"):  # too large for 32 bits: inf, refused below
        floats = vector.astype(">f4")
    if not np.isfinite(floats).all():
        raise bad_line(number, "vector has a number that is not finite in 32 bits")
    if problem := vector_problem(floats, distance):
        raise bad_line(number, problem)
    size = 4 + 4 * dimensions
    head = _ROW.pack(3, 4, number, 16, span_id.bytes, size, dimensions, 0)
    return head + floats.tobytes()


async def copy_lines(
    conn: Conn, lines: AsyncIterator[tuple[int, bytes]], dimensions: int, distance: str
) -> int:
    """COPY every line into the transaction's staging table; the number of lines."""
    await queries.create_vector_load(conn)
    count = 0
    async with conn.cursor() as cursor, cursor.copy(queries.copy_vector_load()) as copy:
        buffer = bytearray(_COPY_HEADER)
        async for number, line in lines:
            buffer += copy_row(number, line, dimensions, distance)
            count += 1
            if len(buffer) >= FLUSH_BYTES:
                await copy.write(bytes(buffer))
                buffer.clear()
                await asyncio.sleep(0)  # parsing is CPU work: let other requests in
        await copy.write(bytes(buffer + _COPY_TRAILER))
    return count


async def load_vectors(
    conn: Conn,
    space: EmbeddingSpace,
    chunks: AsyncIterator[bytes],
    timeout_seconds: float,
) -> tuple[int, int]:
    """Stream an NDJSON body into the space; (lines read, vectors stored)."""
    dimensions = int(space.dimensions)
    await queries.set_load_timeout(conn, timeout_seconds)
    lines = ndjson_lines(chunks, max_line_bytes(dimensions))
    count = await copy_lines(conn, lines, dimensions, space.distance)
    if count == 0:
        raise BadRequest("the body has no vector lines")
    strangers = await queries.list_vector_load_strangers(conn)
    if strangers:
        raise BadReference(
            "not chunk or passage spans; nothing was stored",
            lines=[row.line for row in strangers],
            span_ids=[str(row.span_id) for row in strangers],
        )
    return count, await queries.upsert_vector_load(conn, space)


async def defer_space_index(uow: UnitOfWork, space_id: UUID, seconds: float) -> datetime:
    """Mark the space as loading until `seconds` from now and drop its index, in one short
    transaction; the mark, to clear when the load ends."""
    try:
        async with uow() as conn:
            await lock_client_space(conn, space_id)
            until = await queries.defer_space_index(conn, space_id, seconds)
            await queries.drop_deferred_space_index(conn, space_id)
    except pg_errors.LockNotAvailable:
        raise Busy(
            "the space's index could not be dropped now: an index build or another load holds "
            "the embeddings table; retry, or load without defer_index",
            space_id=str(space_id),
        ) from None
    return until


async def bulk_upload(
    uow: UnitOfWork,
    settings: MimirSettings,
    space_id: UUID,
    chunks: AsyncIterator[bytes],
    defer_index: bool,
) -> BulkUploadResult:
    """Load an NDJSON body into a client space, deferring its index when asked."""
    timeout = settings.vector_load_timeout_seconds
    # The mark outlives the load's own timeout, so a load cut short still ends before it.
    until = await defer_space_index(uow, space_id, timeout + 60) if defer_index else None
    try:
        async with uow() as conn:
            space = await lock_client_space(conn, space_id)
            lines, stored = await load_vectors(conn, space, chunks, timeout)
    finally:
        if until is not None:
            async with uow() as conn:
                await queries.end_space_index_deferral(conn, space_id, until)
    return BulkUploadResult(
        lines=lines, stored=stored, index="deferred" if until is not None else "maintained"
    )
