"""The background embedding worker, started with the app.

Each step takes one pending artifact version (`FOR UPDATE SKIP LOCKED`, so replicas share
the work), embeds its chunks into every server-computed space and marks it `indexed` (or
`failed`, with the error); then one batch of a space being re-embedded. It polls every
`MIMIR_EMBEDDING_POLL_SECONDS` while idle.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import structlog

from mimir.database import UnitOfWork
from mimir.embedding.spaces import (
    embedder_for,
    ensure_default_space,
    index_is_stale,
    store_vectors,
)
from mimir.settings import MimirSettings
from mimir.sql import Conn, execute, fetch_all, fetch_one

log = structlog.get_logger("mimir.embedding")
MAX_BACKOFF_SECONDS = 30.0


class EmbeddingWorker:
    def __init__(self, uow: UnitOfWork, settings: MimirSettings) -> None:
        self.uow = uow
        self.settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="mimir-embedding-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        """Work until cancelled; after a failure (e.g. the database is down) back off up to
        `MAX_BACKOFF_SECONDS`, so an outage does not flood the log."""
        ready, failures = False, 0
        while True:
            try:
                if not ready:
                    async with self.uow() as conn:
                        await ensure_default_space(conn, self.settings)
                    ready = True
                busy = await self.step()
                failures = 0
                if busy:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                log.error(
                    "embedding step failed",
                    error_type=type(error).__name__,
                    error_message=str(error),
                    failures=failures,
                    exc_info=error,
                )
            poll = self.settings.embedding_poll_seconds
            await asyncio.sleep(min(poll * 2**failures, MAX_BACKOFF_SECONDS))

    async def step(self) -> bool:
        """Do one unit of work; False when there was nothing to do."""
        async with self.uow() as conn:
            if await self._index_pending_version(conn):
                return True
        async with self.uow() as conn:
            return await self._reembed_batch(conn)

    async def _index_pending_version(self, conn: Conn) -> bool:
        version = await fetch_one(conn, "claim_pending_version")
        if version is None:
            return False
        chunks = await fetch_all(conn, "list_version_chunks", {"version_id": version["id"]})
        status, error = "indexed", None
        try:
            for space in await fetch_all(conn, "list_computed_spaces"):
                embedder = embedder_for(space, self.settings)
                if embedder is None or not chunks or await index_is_stale(conn, space):
                    continue  # a stale space catches up when it is re-embedded
                vectors = await embedder.embed([chunk["content"] for chunk in chunks])
                await store_vectors(conn, space, [chunk["id"] for chunk in chunks], vectors)
        except (ValueError, OSError, RuntimeError, httpx.HTTPError) as failure:
            status, error = "failed", f"{type(failure).__name__}: {failure}"[:1000]
            log.warning("embedding failed", version_id=str(version["id"]), error=error)
        params = {"id": version["id"], "status": status, "error": error}
        await execute(conn, "set_version_indexing", params)
        return True

    async def _reembed_batch(self, conn: Conn) -> bool:
        space = await fetch_one(conn, "claim_reembedding_space")
        if space is None or await index_is_stale(conn, space):
            return False  # a stale index waits for the index builder
        embedder = embedder_for(space, self.settings)
        chunks = await fetch_all(
            conn,
            "list_chunks_to_reembed",
            {
                "space_id": space["id"],
                "model": space["model"],
                "limit": self.settings.embedding_batch_size * 4,
            },
        )
        if embedder is None or not chunks:
            await execute(conn, "set_space_ready", {"id": space["id"]})
            return bool(chunks)
        vectors = await embedder.embed([chunk["content"] for chunk in chunks])
        await store_vectors(conn, space, [chunk["id"] for chunk in chunks], vectors)
        return True
