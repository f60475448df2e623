"""The embedding worker: no transaction open while vectors are computed, claims that replicas
respect until their lease lapses, and provider failures told apart (a transient one is retried,
a permanent one fails the version)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import httpx
import psycopg
import pytest
from harness import Database, eventually, migrate, run_id
from psycopg import errors
from psycopg.rows import dict_row
from pydantic import SecretStr

from envelope import Supervisor
from mimir.database import UnitOfWork, create_pool
from mimir.embedding import Embedder
from mimir.embedding.openai import OpenAIEmbedder, ProviderUnavailable
from mimir.embedding.queries import EmbeddingSpace
from mimir.embedding.spaces import embedder_for
from mimir.embedding.worker import EmbeddingWorker
from mimir.settings import MimirSettings
from mimir.sql import Row

Look = Callable[[], Awaitable[None]]
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]
Embedders = Callable[[EmbeddingSpace, MimirSettings], Embedder | None]


@pytest.fixture(scope="module")
def worker_database() -> Iterator[Database]:
    """A database of its own, so that no other worker (this process's app, a service process)
    takes the versions these tests make."""
    db = Database.create(run_id())
    try:
        migrate("mimir", db)
        yield db
    finally:
        db.drop()


@pytest.fixture
def settings(worker_database: Database, mimir_settings: MimirSettings) -> MimirSettings:
    return mimir_settings.model_copy(
        update={
            "db_name": worker_database.name,
            "db_user": worker_database.roles["mimir"],
            "db_password": SecretStr(worker_database.passwords["mimir"]),
            "openai_base_url": "http://embedder/v1",
            "embedding_poll_seconds": 0.01,
        }
    )


@pytest.fixture
async def uow(settings: MimirSettings, worker_database: Database) -> AsyncIterator[UnitOfWork]:
    """The service's pool and unit of work on the tests' database, emptied first."""
    admin(
        worker_database,
        "TRUNCATE mimir.embeddings, mimir.spans, mimir.artifact_versions, mimir.artifacts,"
        " mimir.embedding_spaces CASCADE",
    )
    pool = create_pool(settings)
    await pool.open()
    try:
        yield UnitOfWork(pool)
    finally:
        await pool.close()


def admin(db: Database, statement: str, *params: Any) -> list[Row]:
    with psycopg.connect(db.admin_conninfo(), row_factory=dict_row) as conn:
        cursor = conn.execute(statement, params)  # type: ignore[call-overload]
        return cursor.fetchall() if cursor.description else []  # type: ignore[no-any-return]


def new_version(db: Database, *texts: str) -> Any:
    """A pending artifact version with one chunk per text, as ingest stores it; its id."""
    [artifact] = admin(
        db, "INSERT INTO mimir.artifacts (artifact_type, source) VALUES ('note', 't') RETURNING id"
    )
    content = "\n\n".join(texts)
    [version] = admin(
        db,
        "INSERT INTO mimir.artifact_versions"
        " (artifact_id, version_number, content, content_hash, created_by)"
        " VALUES (%s, 1, %s, md5(%s), 't') RETURNING id",
        artifact["id"],
        content,
        content,
    )
    for text in texts:
        add_chunk(db, version["id"], content.index(text), text)
    return version["id"]


def add_chunk(db: Database, version_id: Any, start: int, text: str) -> None:
    admin(
        db,
        "INSERT INTO mimir.spans"
        " (artifact_version_id, start_offset, end_offset, span_type, content)"
        " VALUES (%s, %s, %s, 'chunk', %s)",
        version_id,
        start,
        start + len(text),
        text,
    )


def new_space(
    db: Database, name: str, provider: str, model: str, dimensions: int, status: str = "ready"
) -> Any:
    [space] = admin(
        db,
        "INSERT INTO mimir.embedding_spaces (name, provider, model, dimensions, status)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        name,
        provider,
        model,
        dimensions,
        status,
    )
    return space["id"]


def local_space(db: Database, name: str = "default", status: str = "ready") -> Any:
    return new_space(db, name, "local", "all-MiniLM-L6-v2-int8", 384, status)


def version_row(db: Database, version_id: Any) -> Row:
    [row] = admin(
        db,
        "SELECT indexing_status, indexing_error, claim_id FROM mimir.artifact_versions"
        " WHERE id = %s",
        version_id,
    )
    return row


def vector_count(db: Database, version_id: Any) -> int:
    [row] = admin(
        db,
        "SELECT count(*) AS n FROM mimir.embeddings e JOIN mimir.spans s ON s.id = e.span_id"
        " WHERE s.artifact_version_id = %s",
        version_id,
    )
    return int(row["n"])


class Watched:
    """An embedder that first lets `look` inspect the database, then computes as `inner` does."""

    def __init__(self, inner: Embedder, look: Look) -> None:
        self.inner, self.look = inner, look
        self.model, self.dimensions = inner.model, inner.dimensions

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        await self.look()
        return await self.inner.embed(texts)


def watched(look: Look, providers: Embedders = embedder_for) -> Embedders:
    def embedders(space: EmbeddingSpace, settings: MimirSettings) -> Embedder | None:
        inner = providers(space, settings)
        return None if inner is None else Watched(inner, look)

    return embedders


def remote(handler: Handler) -> Embedders:
    """Every space computed by an OpenAI-compatible endpoint that `handler` plays."""

    def embedders(space: EmbeddingSpace, settings: MimirSettings) -> Embedder | None:
        transport = httpx.MockTransport(handler)
        return OpenAIEmbedder(settings, space.model, space.dimensions, transport=transport)

    return embedders


async def vectors_for(request: httpx.Request) -> httpx.Response:
    """What a healthy endpoint answers: one 4-dimensional vector per input text."""
    texts = json.loads(request.content)["input"]
    data = [{"index": i, "embedding": [1.0, 0.0, 0.0, 0.0]} for i in range(len(texts))]
    return httpx.Response(200, json={"data": data})


async def lockable(conn: psycopg.AsyncConnection[Any], statement: str, *params: Any) -> bool:
    """Whether `statement` (a `FOR UPDATE NOWAIT`) gets its row locks at once."""
    try:
        async with conn.transaction():
            await conn.execute(statement, params)  # type: ignore[call-overload]
    except errors.LockNotAvailable:
        return False
    return True


async def test_no_transaction_or_row_lock_is_held_while_vectors_are_computed(
    uow: UnitOfWork, settings: MimirSettings, worker_database: Database
) -> None:
    db = worker_database
    local_space(db)
    version = new_version(db, "The worker computes vectors with no transaction open.")
    seen: list[tuple[int, bool, bool]] = []

    async def look() -> None:
        conn = await psycopg.AsyncConnection.connect(db.admin_conninfo(), autocommit=True)
        async with conn:
            cursor = await conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s"
                " AND state LIKE 'idle in transaction%%'",
                (db.name, db.roles["mimir"]),
            )
            [(idle,)] = await cursor.fetchall()
            versions = await lockable(
                conn, "SELECT FROM mimir.artifact_versions WHERE id = %s FOR UPDATE NOWAIT", version
            )
            spaces = await lockable(conn, "SELECT FROM mimir.embedding_spaces FOR UPDATE NOWAIT")
            seen.append((idle, versions, spaces))

    worker = EmbeddingWorker(uow, settings, watched(look))
    assert await worker.step()  # the pending version
    assert version_row(db, version)["indexing_status"] == "indexed"
    local_space(db, "another", status="reembedding")
    assert await worker.step()  # a batch of the space being re-embedded
    assert seen == [(0, True, True), (0, True, True)]
    assert vector_count(db, version) == 2


async def test_a_claimed_version_is_left_to_its_worker_until_the_lease_lapses(
    uow: UnitOfWork, settings: MimirSettings, worker_database: Database
) -> None:
    db = worker_database
    local_space(db)
    version = new_version(db, "Two replicas never embed the same version at once.")
    others: list[bool] = []
    worker = EmbeddingWorker(uow, settings)

    async def look() -> None:
        others.append(await worker.step())  # while the first worker is computing

    first = EmbeddingWorker(uow, settings, watched(look))
    assert await first.step()
    assert others == [False]
    assert version_row(db, version)["indexing_status"] == "indexed"

    # Claimed by a live worker (renewed just now), then by one that died (lapsed long ago).
    version = new_version(db, "A dead worker's claim is taken again after its lease.")
    claim = "UPDATE mimir.artifact_versions SET claim_id = gen_random_uuid(), claimed_at = {}"
    admin(db, claim.format("now()") + " WHERE id = %s", version)
    assert not await worker.step()
    admin(db, claim.format("now() - interval '1 hour'") + " WHERE id = %s", version)
    assert await worker.step()
    assert version_row(db, version) == {
        "indexing_status": "indexed",
        "indexing_error": None,
        "claim_id": None,
    }


async def test_the_claim_is_renewed_while_vectors_are_computed(
    uow: UnitOfWork, settings: MimirSettings, worker_database: Database
) -> None:
    db = worker_database
    settings = settings.model_copy(update={"embedding_lease_seconds": 1.5})
    local_space(db)
    version = new_version(db, "A long computation keeps its claim.")
    others: list[bool] = []

    def claimed_at() -> Any:
        [row] = admin(db, "SELECT claimed_at FROM mimir.artifact_versions WHERE id = %s", version)
        return row["claimed_at"]

    async def look() -> None:
        first = claimed_at()

        async def renewed() -> bool:
            return bool(claimed_at() > first)

        await eventually(renewed, timeout=30)
        others.append(await EmbeddingWorker(uow, settings).step())

    assert await EmbeddingWorker(uow, settings, watched(look)).step()
    assert others == [False]
    assert version_row(db, version)["indexing_status"] == "indexed"


async def test_vectors_are_stored_only_while_the_work_is_current(
    uow: UnitOfWork, settings: MimirSettings, worker_database: Database
) -> None:
    db = worker_database
    space = new_space(db, "remote", "openai", "m", 4)
    changes: list[str] = []

    async def look() -> None:
        if changes:
            admin(db, changes.pop())

    worker = EmbeddingWorker(uow, settings, watched(look, remote(vectors_for)))

    # Meanwhile its lease lapsed and another worker claimed it: that worker's work now.
    version = new_version(db, "Taken over.")
    changes.append(
        f"UPDATE mimir.artifact_versions SET claim_id = gen_random_uuid() WHERE id = '{version}'"
    )
    assert await worker.step()
    assert version_row(db, version)["indexing_status"] == "pending"
    assert version_row(db, version)["claim_id"] is not None
    assert vector_count(db, version) == 0

    # Meanwhile it was chunked again: it is left pending and unclaimed, and embedded anew.
    version = new_version(db, "Chunked again.")
    changes.append(
        f"INSERT INTO mimir.spans (artifact_version_id, start_offset, end_offset, span_type,"
        f" content) VALUES ('{version}', 8, 14, 'chunk', 'again.')"
    )
    assert await worker.step()
    assert version_row(db, version) == {
        "indexing_status": "pending",
        "indexing_error": None,
        "claim_id": None,
    }
    assert vector_count(db, version) == 0
    assert await worker.step()
    assert version_row(db, version)["indexing_status"] == "indexed"
    assert vector_count(db, version) == 2

    # Meanwhile the space moved to another model: it re-embeds the version itself.
    version = new_version(db, "Re-embedded.")
    changes.append(
        f"UPDATE mimir.embedding_spaces SET model = 'm2', status = 'reembedding'"
        f" WHERE id = '{space}'"
    )
    assert await worker.step()
    assert version_row(db, version)["indexing_status"] == "indexed"
    assert vector_count(db, version) == 0


@pytest.mark.parametrize(
    "failures",
    [
        [httpx.ConnectError("connection refused"), httpx.Response(503)],
        [httpx.ReadTimeout("no answer in time"), httpx.Response(429)],
    ],
    ids=["refused-then-503", "timeout-then-429"],
)
async def test_a_transient_provider_failure_is_retried_until_the_version_is_embedded(
    uow: UnitOfWork,
    settings: MimirSettings,
    worker_database: Database,
    failures: list[httpx.ConnectError | httpx.ReadTimeout | httpx.Response],
) -> None:
    db = worker_database
    new_space(db, settings.embedding_default_space, "openai", "m", 4)
    version = new_version(db, "The endpoint is down for a moment.")
    statuses: list[str] = []
    failing = list(failures)

    async def endpoint(request: httpx.Request) -> httpx.Response:
        statuses.append(version_row(db, version)["indexing_status"])
        if not failing:
            return await vectors_for(request)
        failure = failing.pop(0)
        if isinstance(failure, httpx.Response):
            return failure
        raise failure

    worker = EmbeddingWorker(uow, settings, remote(endpoint))
    with pytest.raises(ProviderUnavailable):
        await worker.step()
    # Not failed, and not claimed either: the next attempt (after the back-off) takes it.
    assert version_row(db, version) == {
        "indexing_status": "pending",
        "indexing_error": None,
        "claim_id": None,
    }

    tasks = Supervisor("tests")
    tasks.start("embedding-worker", worker.run)  # its own loop retries, backing off
    try:

        async def embedded() -> bool:
            return version_row(db, version)["indexing_status"] != "pending"

        await eventually(embedded, timeout=30)
    finally:
        await tasks.stop()
    assert version_row(db, version)["indexing_status"] == "indexed"
    assert statuses == ["pending", "pending", "pending"]
    assert vector_count(db, version) == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(400, json={"error": "input too long"}), "HTTPStatusError"),
        (httpx.Response(401), "HTTPStatusError"),
        (httpx.Response(200, json={"data": [{"index": 0}]}), "did not answer with embeddings"),
        (httpx.Response(200, json={"data": []}), "returned 0 vectors for 1 texts"),
    ],
    ids=["400", "401", "no-embedding", "too-few"],
)
async def test_a_permanent_provider_failure_marks_the_version_failed(
    uow: UnitOfWork,
    settings: MimirSettings,
    worker_database: Database,
    answer: httpx.Response,
    error: str,
) -> None:
    db = worker_database
    new_space(db, settings.embedding_default_space, "openai", "m", 4)
    version = new_version(db, "The endpoint refuses this text.")
    calls: list[httpx.Request] = []

    async def endpoint(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer

    worker = EmbeddingWorker(uow, settings, remote(endpoint))
    assert await worker.step()
    row = version_row(db, version)
    assert row["indexing_status"] == "failed"
    assert error in row["indexing_error"]
    assert row["claim_id"] is None
    assert not await worker.step()  # not tried again
    assert len(calls) == 1


async def test_pending_versions_are_embedded_together_and_a_refused_one_fails_alone(
    uow: UnitOfWork, settings: MimirSettings, worker_database: Database
) -> None:
    db = worker_database
    new_space(db, settings.embedding_default_space, "openai", "m", 4)
    fine = [new_version(db, f"Fine text {i}.", f"More fine text {i}.") for i in range(3)]
    refused = new_version(db, "A text the endpoint refuses.")
    calls: list[list[str]] = []

    async def endpoint(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        calls.append(texts)
        if any("refuses" in text for text in texts):
            return httpx.Response(400)
        return await vectors_for(request)

    worker = EmbeddingWorker(uow, settings, remote(endpoint))
    assert await worker.step()
    # one call for the four versions' seven texts, then each version alone to find the cause
    assert [len(texts) for texts in calls] == [7, 2, 2, 2, 1]
    assert {v: version_row(db, v)["indexing_status"] for v in [*fine, refused]} == {
        **dict.fromkeys(fine, "indexed"),
        refused: "failed",
    }
    stored = admin(db, "SELECT count(*) AS n FROM mimir.embeddings")
    assert stored == [{"n": 6}]
    assert not await worker.step()
