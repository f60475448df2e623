"""Bulk vector loads through `POST /embedding-spaces/{id}/vectors/bulk` (NDJSON, COPY inside),
with the space's HNSW index kept and with `defer_index`, each beside a raw `COPY` of the same
rows into an identical space in the same state (indexed, or not yet indexed)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from bench.core import Figure
from bench.ingest import copy_rate, create_space, vector_rows
from bench.services import Services

VECTORS = 20_000  # not scaled: a quick run still loads enough to time (or all its chunks)
TARGET = 5000.0
BODY_PIECE = 1 << 20  # the client streams the body in pieces of this size


def ndjson(rows: list[tuple[Any, list[float]]]) -> Iterator[bytes]:
    piece: list[bytes] = []
    size = 0
    for span, vector in rows:
        line = json.dumps({"span_id": str(span), "vector": vector}).encode() + b"\n"
        piece.append(line)
        size += len(line)
        if size >= BODY_PIECE:
            yield b"".join(piece)
            piece, size = [], 0
    yield b"".join(piece)


async def load_rate(api: Any, space_id: str, body: list[bytes], defer: bool) -> float:
    count = sum(piece.count(b"\n") for piece in body)

    async def streamed() -> AsyncIterator[bytes]:
        for piece in body:
            yield piece

    started = time.perf_counter()
    response = await api.post(
        f"/embedding-spaces/{space_id}/vectors/bulk",
        params={"defer_index": "true" if defer else "false"},
        content=streamed(),
        headers={"content-type": "application/x-ndjson"},
        max_seconds=900,
    )
    response.raise_for_status()
    assert response.json()["stored"] == count, response.text
    return count / (time.perf_counter() - started)


def figure(label: str, value: float, baseline: float, baseline_name: str, notes: str) -> Figure:
    met = value >= TARGET
    return Figure(
        name=label,
        value=value,
        unit="vectors/s",
        baseline=baseline,
        baseline_name=baseline_name,
        target=f">= {TARGET:,.0f} vectors/s" if "defer" in label else "",
        met=met if "defer" in label else None,
        notes=notes,
    )


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    rows = vector_rows(env, "bulk_vectors", VECTORS)
    count = len(rows)
    body = list(ndjson(rows))
    conninfo = services.conninfo("mimir")
    async with services.client("mimir") as api:
        kept, _ = await create_space(api, "bench-bulk-kept")
        deferred, _ = await create_space(api, "bench-bulk-deferred")
        copy_indexed, model = await create_space(api, "bench-bulk-copy-indexed")
        await services.build_space_indexes()

        with_index = await load_rate(api, kept, body, defer=False)
        without = await load_rate(api, deferred, body, defer=True)
        started = time.perf_counter()
        await services.build_space_indexes()  # what the index builder's next pass does
        rebuild = time.perf_counter() - started
        copy_bare, _ = await create_space(api, "bench-bulk-copy-bare")  # no index until a pass
    raw_indexed = await asyncio.to_thread(copy_rate, conninfo, copy_indexed, model, rows)
    raw_bare = await asyncio.to_thread(copy_rate, conninfo, copy_bare, model, rows)
    mb = sum(map(len, body)) / 1e6
    to_indexed = count / (count / without + rebuild)
    return [
        figure(
            f"bulk NDJSON vectors, index kept ({count:,} x 384-d, one {mb:.0f} MB request)",
            with_index,
            raw_indexed,
            "COPY of the same rows into an identical indexed space",
            "every row is an HNSW graph insertion, for the COPY too",
        ),
        figure(
            f"bulk NDJSON vectors, defer_index ({count:,} x 384-d, one {mb:.0f} MB request)",
            without,
            raw_bare,
            "COPY of the same rows into an identical space without its index",
            f"the index rebuild after it took {rebuild:.1f} s (CREATE INDEX CONCURRENTLY): "
            f"{to_indexed:,.0f} vectors/s from the first byte to an indexed space",
        ),
    ]
