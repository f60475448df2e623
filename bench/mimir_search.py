"""Search latency on synthetic chunks: mimir's bounded queries against naive baselines.

Makes a throwaway database (as the tests do), loads N chunks of Zipf-distributed words with
random 384-d vectors in the default space, then times each query shape over a mix of
common and rare terms and prints p50/p95/p99 and the ratio to the naive plan measured in
the same run. Prints figures; asserts nothing.

    uv run --no-sync python bench/mimir_search.py --chunks 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import Database, migrate, run_id  # noqa: E402

from mimir.search import service  # noqa: E402
from mimir.search.schemas import HybridSearch, SemanticSearch, TextSearch  # noqa: E402
from mimir.settings import MimirSettings  # noqa: E402
from mimir.tables import HNSW_INDEX_PREFIX  # noqa: E402

WORDS = [f"w{i}" for i in range(20000)]
COMMON = ["w1", "w2", "w3", "w5 w8", "w13"]
RARE = ["w15000", "w9000 w17", "w12345", "w4321 w2", "w19999"]
DIMS = 384

NAIVE_TEXT = """
SELECT s.id, ts_rank_cd(s.tsv, q) AS score
FROM spans s, websearch_to_tsquery('english', %(query)s) q
WHERE s.span_type = 'chunk' AND s.tsv @@ q
ORDER BY score DESC LIMIT 10
"""


def zipf_text(rng: random.Random, words: int) -> str:
    return " ".join(
        WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(words)
    )


def load(conninfo: str, chunks: int, per_artifact: int) -> None:
    rng = random.Random(7)
    with psycopg.connect(conninfo) as conn:
        space_id = conn.execute(
            "INSERT INTO embedding_spaces (name, provider, model, dimensions, distance, status)"
            " VALUES ('default', 'local', 'all-MiniLM-L6-v2-int8', 384, 'cosine', 'ready')"
            " RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        artifacts: list[tuple[Any, ...]] = []
        versions: list[tuple[Any, ...]] = []
        spans: list[tuple[Any, ...]] = []
        for a in range(chunks // per_artifact):
            artifact_id, version_id = uuid.uuid4(), uuid.uuid4()
            texts = [zipf_text(rng, 60) for _ in range(per_artifact)]
            content = "\n\n".join(texts)
            kind = ("conversation", "document", "note")[a % 3]
            artifacts.append((artifact_id, kind, "bench"))
            versions.append(
                (version_id, artifact_id, 1, content, version_id.hex, "bench", "indexed")
            )
            offset = 0
            for text in texts:
                spans.append((uuid.uuid4(), version_id, offset, offset + len(text), "chunk", text))
                offset += len(text) + 2
        with conn.cursor() as cur:
            for table, columns, data in (
                ("artifacts", "id, artifact_type, source", artifacts),
                (
                    "artifact_versions",
                    "id, artifact_id, version_number, content, content_hash, created_by,"
                    " indexing_status",
                    versions,
                ),
                (
                    "spans",
                    "id, artifact_version_id, start_offset, end_offset, span_type, content",
                    spans,
                ),
            ):
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(sql.Identifier(c.strip()) for c in columns.split(",")),
                )
                with cur.copy(copy_sql) as copy:
                    for row in data:
                        copy.write_row(row)
        conn.execute(
            "INSERT INTO embeddings (space_id, span_id, model, vector)"
            " SELECT %s, s.id, 'all-MiniLM-L6-v2-int8',"
            " (SELECT array_agg(random() - 0.5) FROM generate_series(1, 384)"
            "  WHERE s.id IS NOT NULL)::vector"
            " FROM spans s",
            (space_id,),
        )
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(
            sql.SQL(
                "CREATE INDEX {} ON embeddings USING hnsw"
                " ((vector::vector(384)) vector_cosine_ops) WHERE space_id = {}"
            ).format(sql.Identifier(HNSW_INDEX_PREFIX + space_id.hex), sql.Literal(space_id))
        )
        conn.execute("ANALYZE")
        conn.commit()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return statistics.median(ordered), pick(0.95), pick(0.99)


async def timed(conninfo: str, rounds: int, run: Any) -> list[float]:
    samples = []
    async with await psycopg.AsyncConnection.connect(
        conninfo, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        for i in range(rounds):
            query = (COMMON + RARE)[i % (len(COMMON) + len(RARE))]
            async with conn.transaction():
                started = time.perf_counter()
                await run(conn, query)
                samples.append((time.perf_counter() - started) * 1000)
    return samples[len(COMMON) + len(RARE) :]  # drop the warm-up round


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    rid = "bench" + run_id()[:6]
    db = Database.create(rid)
    try:
        env = {
            "MIMIR_DB_HOST": db.host,
            "MIMIR_DB_PORT": str(db.port),
            "MIMIR_DB_NAME": db.name,
            "MIMIR_DB_USER": db.roles["mimir"],
            "MIMIR_DB_PASSWORD": db.passwords["mimir"],
            "BLOODBANK_PASSWORD": "unused-by-migrations",
        }
        migrate("mimir", env)
        conninfo = db.service_conninfo("mimir")
        started = time.perf_counter()
        load(conninfo, args.chunks, 50)
        print(f"loaded {args.chunks} chunks in {time.perf_counter() - started:.0f} s")
        settings = MimirSettings(db_password="x" * 16, bloodbank_password="x" * 16)  # type: ignore[arg-type]
        rng = random.Random(1)
        vector = [rng.uniform(-0.5, 0.5) for _ in range(DIMS)]

        async def naive(conn: Any, q: str) -> None:
            await (await conn.execute(NAIVE_TEXT, {"query": q})).fetchall()

        async def text(conn: Any, q: str) -> None:
            await service.text(conn, TextSearch(query=q, filters={"latest_only": False}), settings)

        async def semantic(conn: Any, q: str) -> None:
            body = SemanticSearch(vector=vector, filters={"latest_only": False})
            await service.semantic(conn, body, settings)

        async def semantic_filtered(conn: Any, q: str) -> None:
            body = SemanticSearch(vector=vector, filters={"artifact_type": ["note"]})
            await service.semantic(conn, body, settings)

        async def hybrid(conn: Any, q: str) -> None:
            body = HybridSearch(query=q, vector=vector, filters={"latest_only": False})
            await service.hybrid(conn, body, settings)

        baseline = percentiles(await timed(conninfo, args.rounds, naive))
        print(f"{'query':28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  p95 vs naive text")
        print(
            f"{'naive text (rank all)':28} {baseline[0]:8.2f} {baseline[1]:8.2f} {baseline[2]:8.2f}"
        )
        for name, run in (
            ("text (bounded)", text),
            ("semantic (hnsw)", semantic),
            ("semantic + type filter", semantic_filtered),
            ("hybrid (rrf, one stmt)", hybrid),
        ):
            p50, p95, p99 = percentiles(await timed(conninfo, args.rounds, run))
            print(f"{name:28} {p50:8.2f} {p95:8.2f} {p99:8.2f}  {p95 / baseline[1]:.2f}x")
    finally:
        db.drop()


if __name__ == "__main__":
    asyncio.run(main())
