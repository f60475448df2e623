"""The corpus into mimir and the questions out of it, over HTTP, as any client would.

Sessions are posted as `conversation` artifacts (source = the conversation id), then every
artifact is polled until `indexed`. Searches are scoped to the question's conversation by
`filters.source`. A hit's optional `passages` and a response's optional `context` (asked
for with `budget_chars`) are used when the server sends them; without them the hits'
own ranges stand in.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.http import Client
from bench.retrieval.corpus import Corpus, Session
from bench.retrieval.metrics import Answer, Span

MODES = ("text", "semantic", "hybrid")
LIMIT = 10
BUDGET_CHARS = 2000
INDEXING_TIMEOUT_S = 900.0

CHUNKS = """
SELECT a.source, s.artifact_version_id, s.start_offset, s.end_offset, s.content
FROM mimir.spans s
JOIN mimir.artifact_versions v ON v.id = s.artifact_version_id
JOIN mimir.artifacts a ON a.id = v.artifact_id
WHERE s.span_type = 'chunk'
ORDER BY a.source, s.artifact_version_id, s.start_offset
"""


@dataclass(frozen=True)
class Chunk:
    conversation: str
    span: Span
    text: str


@dataclass
class Mimir:
    """One mimir instance loaded with a corpus: version id -> session id."""

    api: Client
    sessions: dict[str, str] = field(default_factory=dict)  # version id -> session id
    budget_supported: dict[str, bool] = field(default_factory=dict)
    budget_source: dict[str, str] = field(default_factory=dict)  # mode -> what R@2000ch used

    async def load(self, corpus: Corpus) -> float:
        """Posts every session and waits until all are indexed; returns the seconds taken."""
        started = time.perf_counter()
        artifacts: dict[str, str] = {}
        semaphore = asyncio.Semaphore(4)

        async def post(session: Session) -> None:
            body = {
                "artifact_type": "conversation",
                "source": session.conversation,
                "external_id": session.id,
                "content": session.content,
                "created_by": "retrieval-eval",
            }
            async with semaphore:
                response = await self.api.post("/artifacts", json=body)
            response.raise_for_status()
            created = response.json()
            artifacts[created["id"]] = session.id
            self.sessions[created["versions"][0]["id"]] = session.id

        await asyncio.gather(*(post(s) for s in corpus.sessions))
        pending = set(artifacts)
        deadline = time.monotonic() + INDEXING_TIMEOUT_S
        while pending:
            for artifact_id in [a for a in artifacts if a in pending]:  # posting order
                response = await self.api.get(f"/artifacts/{artifact_id}")
                response.raise_for_status()
                status = response.json()["indexing_status"]
                if status == "failed":
                    raise RuntimeError(f"indexing failed for {artifacts[artifact_id]}")
                if status == "indexed":
                    pending.discard(artifact_id)
                else:
                    break  # the worker takes the oldest first: the rest are pending too
            if pending:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(pending)} sessions not indexed")
                await asyncio.sleep(1.0)
        return time.perf_counter() - started

    async def search(self, mode: str, query: str, conversation: str) -> Answer:
        body: dict[str, Any] = {
            "query": query,
            "limit": LIMIT,
            "filters": {"source": [conversation]},
        }
        if self.budget_supported.get(mode, True):
            body["budget_chars"] = BUDGET_CHARS
        started = time.perf_counter()
        response = await self.api.post(f"/search/{mode}", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code == 422 and "budget_chars" in response.text:
            self.budget_supported[mode] = False  # an older server that forbids the field
            return await self.search(mode, query, conversation)
        response.raise_for_status()
        return self._answer(mode, response.json(), elapsed)

    def _answer(self, mode: str, result: dict[str, Any], elapsed_ms: float) -> Answer:
        hits = [self._span(hit) for hit in result["hits"]]
        if isinstance(result.get("context"), list):
            self.budget_source[mode] = "context (budget_chars)"
            budget = [self._span(p) for p in result["context"]]
        elif any("passages" in hit for hit in result["hits"]):
            self.budget_source[mode] = "hit passages"
            budget = [
                Span(self.sessions[hit["version_id"]], p["start_offset"], p["end_offset"])
                for hit in result["hits"]
                for p in (hit.get("passages") or [hit])
            ]
        else:
            self.budget_source[mode] = "whole hits"
            budget = hits
        return Answer(hits, budget, elapsed_ms)

    def _span(self, item: dict[str, Any]) -> Span:
        return Span(
            self.sessions[str(item["version_id"])], item["start_offset"], item["end_offset"]
        )

    def chunks(self, conninfo: str) -> list[Chunk]:
        """mimir's own chunk spans, read from its tables, for the baselines."""
        with psycopg.connect(conninfo) as conn:
            rows = conn.execute(CHUNKS).fetchall()
        return [
            Chunk(source, Span(self.sessions[str(version)], start, end), text)
            for source, version, start, end, text in rows
        ]
