"""The background embedding worker, started with the app.

Each step takes pending artifact versions (as many as fill one embedding window), embeds
their passages together into every server-computed space and marks each `indexed` (or
`failed`, with the error); then one batch of decisions and
intents a space has no current vector for; then one batch of a space being re-embedded. It
polls every `MIMIR_EMBEDDING_POLL_SECONDS` while idle.

No transaction stays open while vectors are computed: a short one claims the work (a
`claim_id` on the row, so replicas share the work), the vectors are computed with no
connection checked out while the claim's lease is renewed, and a second short one stores
them only if the claim is still this worker's and the work is still the same. A worker that
dies leaves its claim to lapse after `MIMIR_EMBEDDING_LEASE_SECONDS`, and another takes it.

A provider that cannot answer now (`ProviderUnavailable`: no connection, a timeout, 429, a
5xx) leaves the work pending and is retried after the worker's back-off; any other provider
error marks the version `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import httpx
import structlog
from psycopg import sql

from mimir.database import UnitOfWork
from mimir.embedding import Embedder, queries
from mimir.embedding.local import WINDOW_BATCHES
from mimir.embedding.openai import ProviderUnavailable
from mimir.embedding.queries import Claim, EmbeddingSpace, SpanText
from mimir.embedding.spaces import (
    embedder_for,
    ensure_default_space,
    index_is_stale,
    store_record_vectors,
    store_vectors,
)
from mimir.settings import MimirSettings
from mimir.sql import Conn

log = structlog.get_logger("mimir.embedding")
MAX_BACKOFF_SECONDS = 30.0
# What a provider raises when it refuses these texts for good: trying again fails the same way.
PERMANENT_FAILURES = (ValueError, OSError, RuntimeError, httpx.HTTPError)
VERSIONS = sql.Identifier("artifact_versions")
MAX_VERSIONS = 64  # claimed in one step at most (short notes fill a window slowly)
SpaceVectors = list[tuple[EmbeddingSpace, list[list[float]]]]
"""Each space's vectors for some texts."""
Computed = tuple[SpaceVectors, str | None]
"""Each space's vectors for some texts, or none and the error that refused them."""
SPACES = sql.Identifier("embedding_spaces")


class EmbeddingWorker:
    def __init__(
        self,
        uow: UnitOfWork,
        settings: MimirSettings,
        embedders: Callable[[EmbeddingSpace, MimirSettings], Embedder | None] = embedder_for,
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.embedders = embedders  # the provider computing a space's vectors

    async def run(self) -> None:
        """Work until cancelled; after a failure (e.g. the database or the provider is down)
        back off up to `MAX_BACKOFF_SECONDS`, so an outage does not flood the log."""
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
            except ProviderUnavailable as error:
                failures += 1
                log.warning(
                    "embedding provider unavailable; retrying", error=str(error), failures=failures
                )
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
        if await self._index_pending_versions():
            return True
        if await self._embed_records():
            return True
        return await self._reembed_batch()

    async def _index_pending_versions(self) -> bool:
        """Claim pending versions until their passages fill one embedding window (or
        `MAX_VERSIONS`), embed them in one call per space — fuller batches than a version at a
        time, most of all for short notes — and store each version's vectors."""
        window = self.settings.embedding_batch_size * WINDOW_BATCHES
        lease = self.settings.embedding_lease_seconds
        versions: list[tuple[Claim, list[SpanText]]] = []
        passages = 0
        async with self.uow() as conn:
            while len(versions) < MAX_VERSIONS and passages < window:
                claim = await queries.claim_pending_version(conn, lease)
                if claim is None:
                    break
                chunks = await queries.list_version_chunks(conn, claim.id)
                versions.append((claim, chunks))
                passages += len(chunks)
            if not versions:
                return False
            spaces = [
                space
                for space in await queries.list_computed_spaces(conn)
                # a stale space catches up when it is re-embedded
                if not await index_is_stale(conn, space)
            ]
        async with self._claimed(VERSIONS, *(claim for claim, _ in versions)):
            texts = [chunk.content for _, chunks in versions for chunk in chunks]
            computed, error = await self._vectors(spaces, texts)
            if error is None:
                results = _split(computed, [len(chunks) for _, chunks in versions])
            elif len(versions) == 1:
                results = [(computed, error)]
            else:  # one version's text may be the cause: each alone, so only it fails
                results = [
                    await self._vectors(spaces, [c.content for c in chunks])
                    for _, chunks in versions
                ]
        async with self.uow() as conn:
            for (claim, chunks), (vectors, failure) in zip(versions, results, strict=True):
                await self._store_version(conn, claim, chunks, vectors, failure)
        return True

    async def _vectors(self, spaces: list[EmbeddingSpace], texts: list[str]) -> Computed:
        """The texts' vectors in each space, or none and the error of a provider that refuses
        them for good."""
        computed: SpaceVectors = []
        try:
            for space in spaces:
                embedder = self.embedders(space, self.settings)
                if embedder is not None and texts:
                    computed.append((space, await embedder.embed(texts)))
        except PERMANENT_FAILURES as failure:
            return [], f"{type(failure).__name__}: {failure}"[:1000]
        return computed, None

    async def _store_version(
        self,
        conn: Conn,
        claim: Claim,
        chunks: list[SpanText],
        computed: SpaceVectors,
        error: str | None,
    ) -> None:
        """Store a version's vectors and mark it indexed (or failed), while the claim holds it
        and its spans are the ones embedded."""
        if not await queries.hold_version_claim(conn, claim):
            log.info("version claim taken over; vectors dropped", version_id=str(claim.id))
            return
        current = await queries.list_version_chunks(conn, claim.id)
        if {chunk.id for chunk in current} != {chunk.id for chunk in chunks}:
            await queries.release_claim(conn, VERSIONS, claim)  # re-chunked
            return
        if error is not None:
            log.warning("embedding failed", version_id=str(claim.id), error=error)
        ids = [chunk.id for chunk in chunks]
        for space, vectors in computed:
            await self._store_if_current(
                conn, space, partial(store_vectors, conn, space, ids, vectors)
            )
        await queries.set_version_indexing(
            conn, claim, "indexed" if error is None else "failed", error
        )

    async def _reembed_batch(self) -> bool:
        async with self.uow() as conn:
            space = await queries.lock_reembedding_space(
                conn, self.settings.embedding_lease_seconds
            )
            if space is None or await index_is_stale(conn, space):
                return False  # a stale index waits for the index builder
            embedder = self.embedders(space, self.settings)
            chunks = await queries.list_chunks_to_reembed(
                conn, space, self.settings.embedding_batch_size * 4
            )
            if embedder is None or not chunks:
                await queries.set_space_ready(conn, space.id)
                return bool(chunks)
            claim = await queries.claim_space(conn, space.id)
        async with self._claimed(SPACES, claim):
            vectors = await embedder.embed([chunk.content for chunk in chunks])
        async with self.uow() as conn:
            if not await queries.hold_space_claim(conn, claim):
                log.info("space claim taken over; vectors dropped", space_id=str(space.id))
                return True
            ids = [chunk.id for chunk in chunks]
            await self._store_if_current(
                conn, space, partial(store_vectors, conn, space, ids, vectors)
            )
            await queries.release_claim(conn, SPACES, claim)
        return True

    async def _embed_records(self) -> bool:
        """One batch of decisions and intents without a vector from a computed space's model.

        Their text never changes, so no claim is taken: the vectors are upserted, and two
        replicas racing on one record compute it twice, nothing worse."""
        async with self.uow() as conn:
            for space in await queries.list_computed_spaces(conn):
                pending = await queries.list_records_to_embed(
                    conn, space, self.settings.embedding_batch_size
                )
                embedder = self.embedders(space, self.settings)
                if pending and embedder is not None:
                    break
            else:
                return False
        vectors = await embedder.embed([record.text for record in pending])
        async with self.uow() as conn:
            await self._store_if_current(
                conn, space, partial(store_record_vectors, conn, space, pending, vectors)
            )
        return True

    async def _store_if_current(
        self, conn: Conn, space: EmbeddingSpace, store: Callable[[], Awaitable[None]]
    ) -> None:
        """Store the vectors unless the space moved to another model since they were computed
        (it is then re-embedding, and will embed these texts itself)."""
        current = await queries.share_space(conn, space.id)
        if current is None or _model(current) != _model(space):
            log.info("space changed model; vectors dropped", space_id=str(space.id))
            return
        await store()

    @contextlib.asynccontextmanager
    async def _claimed(self, table: sql.Identifier, *claims: Claim) -> AsyncIterator[None]:
        """While the work runs, renew the claims' leases every third of it, so that no other
        worker takes the work; if the work raises, release the claims for the next attempt."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.settings.embedding_lease_seconds / 3)
                try:
                    async with self.uow() as conn:
                        for claim in claims:
                            await queries.renew_claim(conn, table, claim)
                except Exception as error:  # the database is away: the final write will tell
                    log.warning("claim renewal failed", error=repr(error))

        renewing = asyncio.create_task(renew(), name="mimir-embedding-lease")
        try:
            yield
        except Exception:
            async with self.uow() as conn:
                for claim in claims:
                    await queries.release_claim(conn, table, claim)
            raise
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing


def _split(computed: SpaceVectors, sizes: list[int]) -> list[Computed]:
    """Vectors computed for several versions' texts, given back to each version in order."""
    results: list[Computed] = []
    start = 0
    for size in sizes:
        results.append(
            ([(space, vectors[start : start + size]) for space, vectors in computed], None)
        )
        start += size
    return results


def _model(space: EmbeddingSpace) -> tuple[str, str, int]:
    """What decides whether vectors computed for a space still fit it when they are stored."""
    return space.provider, space.model, space.dimensions
