"""Bulk ingest of client vectors through `POST /embedding-spaces/{id}/vectors` against a
`COPY` of the same rows into an identical space (each with its own HNSW index)."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import psycopg

from bench.core import Figure, copy_rows
from bench.services import Services, scaled

VECTORS = 20_000
BATCH = 1000  # the endpoint's maximum
CLIENTS = 2


def vectors(count: int) -> list[list[float]]:
    rng = random.Random(17)
    return [[round(rng.uniform(-1, 1), 5) for _ in range(384)] for _ in range(count)]


async def create_space(api: Any, name: str) -> tuple[str, str]:
    body = {"name": name, "provider": "client", "model": "bench-client", "dimensions": 384}
    response = await api.post("/embedding-spaces", json=body)
    response.raise_for_status()
    space = response.json()
    return str(space["id"]), str(space["model"])


def copy_rate(
    conninfo: str, space_id: str, model: str, rows: list[tuple[Any, list[float]]]
) -> float:
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET statement_timeout = 0")  # a bulk tool's COPY, not the API's bound
        copy_rows(
            cur,
            "mimir.embeddings",
            ("space_id", "span_id", "model", "vector"),
            ((space_id, span, model, "[" + ",".join(map(str, v)) + "]") for span, v in rows),
        )
        conn.commit()
    return len(rows) / (time.perf_counter() - started)


def vector_rows(env: dict[str, Any], benchmark: str, wanted: int) -> list[tuple[Any, list[float]]]:
    """(chunk span id, random 384-d vector) for up to `wanted` chunks mimir_search loaded."""
    spans = env.get("mimir_spans")
    if not spans:
        raise RuntimeError(f"{benchmark} needs the chunks mimir_search loads; run it first")
    count = min(len(spans), wanted)
    return list(zip(spans[:count], vectors(count), strict=True))


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    rows = vector_rows(env, "ingest", scaled(VECTORS, 1000))
    count = len(rows)
    bodies = [
        json.dumps({"items": [{"span_id": str(s), "vector": v} for s, v in rows[i : i + BATCH]]})
        for i in range(0, count, BATCH)
    ]
    async with services.client("mimir") as api:
        ours_space, _ = await create_space(api, "bench-client-api")
        copy_space, model = await create_space(api, "bench-client-copy")
        await services.build_space_indexes()
        pending = iter(bodies)

        async def client() -> None:
            for body in pending:
                response = await api.post(
                    f"/embedding-spaces/{ours_space}/vectors",
                    content=body,
                    headers={"content-type": "application/json"},
                )
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(client() for _ in range(CLIENTS))), 300)
        ours = count / (time.perf_counter() - started)
    baseline = await asyncio.to_thread(
        copy_rate, services.conninfo("mimir"), copy_space, model, rows
    )
    met = ours >= 5000
    return [
        Figure(
            name=f"bulk ingest of client vectors ({count:,} x 384-d, {BATCH} per request)",
            value=ours,
            unit="embeddings/s",
            baseline=baseline,
            baseline_name="COPY of the same rows into an identical space",
            target=">= 5,000 embeddings/s",
            met=met,
            notes=""
            if met
            else f"{5000 - ours:,.0f}/s short: JSON parsing and validation of 384 floats per item, a row-by-row upsert, and HNSW insertion (the COPY pays the last too)",
        )
    ]
