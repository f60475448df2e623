"""mimir's memory under ingest: long conversations and notes posted through the HTTP API while
the embedding worker embeds them with the local model, RSS read from /proc before, at its
peak and after, and the embedding rate of the same run (passages embedded per second, from
the first post until the last version is indexed)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import psycopg

from bench.core import Figure, process_tree
from bench.embedding import VOCABULARY
from bench.services import Services, scaled
from mimir.embedding import local

CONVERSATIONS = 300
TURNS = 25
NOTES = 2000
CLIENTS = 8
TARGET_MB = 400.0
RAW_SAMPLE = 1000  # passages embedded again in process for the raw rate
THREADS = 2  # the raw rate: the model alone with all of the host's cores
SPEAKERS = ("alice", "bob", "carol", "dave")


def status_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (each process's peak so far) summed over a service's processes,
    in MB: with several workers, the first process is only their supervisor."""
    found = {"VmRSS": 0.0, "VmHWM": 0.0}
    for member in process_tree(pid):
        with open(f"/proc/{member}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in found:
                    found[key] += int(value.split()[0]) / 1024
    return found


def words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))


def bodies(conversations: int, notes: int) -> list[dict[str, Any]]:
    rng = random.Random(31)
    found: list[dict[str, Any]] = []
    for i in range(conversations):
        turns = [f"{SPEAKERS[t % 4]}: {words(rng, 20, 220)}." for t in range(TURNS)]
        found.append(
            {
                "artifact_type": "conversation",
                "source": f"bench-memory-{i}",
                "content": "\n".join(turns),
            }
        )
    for i in range(notes):
        found.append(
            {"artifact_type": "note", "source": f"bench-note-{i}", "content": words(rng, 10, 80)}
        )
    rng.shuffle(found)
    return found


def progress(conninfo: str) -> tuple[int, int]:
    """(versions still pending, vectors in the default space)."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM mimir.artifact_versions"
            "        WHERE indexing_status = 'pending'),"
            " (SELECT count(*) FROM mimir.embeddings e JOIN mimir.embedding_spaces s"
            "   ON s.id = e.space_id WHERE s.name = 'default')"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def raw_rate(conninfo: str, count: int) -> float:
    """Passages/s of the same local model embedding a sample of the passages just stored,
    in this process (tokenize, forward pass, pooling), with the worker's thread count."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT s.content FROM mimir.spans s JOIN mimir.embeddings e ON e.span_id = s.id"
            " JOIN mimir.embedding_spaces sp ON sp.id = e.space_id"
            " WHERE sp.name = 'default' AND s.span_type = 'passage'"
            " ORDER BY md5(s.id::text) LIMIT %s",
            (count,),
        ).fetchall()
    texts = [row[0] for row in rows]
    local.embed_texts(texts[:8], threads=THREADS)  # loads the model
    started = time.perf_counter()
    local.embed_texts(texts, threads=THREADS)
    return len(texts) / (time.perf_counter() - started)


async def run(env: dict[str, Any]) -> list[Figure]:
    services: Services = env["services"]
    pid = services.processes["mimir"].process.pid
    conninfo = services.conninfo("mimir", superuser=True)
    posts = bodies(scaled(CONVERSATIONS, 20), scaled(NOTES, 100))
    before = status_mb(pid)
    _, vectors_before = await asyncio.to_thread(progress, conninfo)
    pending_posts = iter(posts)
    async with services.client("mimir") as api:

        async def client() -> None:
            for body in pending_posts:
                (await api.post("/artifacts", json=body)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        posted = time.perf_counter() - started
        deadline = started + 3600
        pending, vectors = len(posts), vectors_before
        while time.perf_counter() < deadline:
            pending, vectors = await asyncio.to_thread(progress, conninfo)
            if pending == 0:
                break
            await asyncio.sleep(1)
        elapsed = time.perf_counter() - started
    after = status_mb(pid)
    embedded = vectors - vectors_before
    rate = embedded / elapsed
    raw = await asyncio.to_thread(raw_rate, conninfo, RAW_SAMPLE)
    size = f"{len(posts):,} artifacts ({scaled(CONVERSATIONS, 20)} conversations x {TURNS} turns)"
    notes = (
        f"{embedded:,} passages embedded; posted in {posted:.0f} s, indexed after {elapsed:.0f} s;"
        f" RSS before {before['VmRSS']:.0f} MB"
    )
    return [
        Figure(
            name=f"mimir RSS after ingesting {size}",
            value=after["VmRSS"],
            unit="MB",
            target=f"< {TARGET_MB:.0f} MB",
            met=after["VmRSS"] < TARGET_MB,
            notes=notes,
        ),
        Figure(
            name="mimir peak RSS during that ingest (VmHWM)",
            value=after["VmHWM"],
            unit="MB",
            notes="informational: each process's high-water mark since it started, summed",
        ),
        Figure(
            name="ingest → searchable: passages embedded per second, first post to last indexed",
            value=rate,
            unit="passages/s",
            baseline=raw,
            baseline_name=f"the same model in process on {RAW_SAMPLE:,} of those passages",
            target=">= 90% of baseline",
            met=rate >= 0.9 * raw,
            notes=f"{pending} versions still pending at the end" if pending else "",
        ),
    ]
