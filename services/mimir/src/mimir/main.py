"""The mimir application: REST API, outbox relay and Bloodbank consumers in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from envelope import ServiceBus, configure_logging, service_app
from mimir import __version__
from mimir.api import ROUTERS, TAGS
from mimir.consumers import QUEUES, subscribe_consumers
from mimir.database import UnitOfWork, create_pool
from mimir.embedding.router import BULK_VECTORS_PATH
from mimir.embedding.worker import EmbeddingWorker
from mimir.settings import MimirSettings
from mimir.tables import SCHEMA

DESCRIPTION = """Durable memory and intent capture: versioned artifacts, character-offset spans,
intents, decisions, typed relations, provenance, embeddings, and text, semantic and hybrid search.

Every error body has the shape `{"detail": {"code", "message", "params"}}`.
"""


def create_app(settings: MimirSettings | None = None) -> FastAPI:
    settings = settings or MimirSettings.load()
    configure_logging(settings.log_level)
    pool = create_pool(settings)
    uow = UnitOfWork(pool)
    bus = ServiceBus.for_service("mimir", settings, SCHEMA, uow)
    subscribe_consumers(bus, settings)
    worker = EmbeddingWorker(uow, settings)

    @asynccontextmanager
    async def database() -> AsyncIterator[None]:
        await pool.open(wait=False)
        try:
            yield
        finally:
            await pool.close()

    app = service_app(
        settings,
        bus,
        uow,
        schema=SCHEMA,
        version=__version__,
        description=DESCRIPTION,
        tags=TAGS,
        routers=ROUTERS,
        subscriptions=QUEUES,
        mcp_server="mimir.mcp:mcp_server",  # imported on the first MCP request
        resources=database,
        tasks={"embedding-worker": worker.run} if settings.embedding_worker else None,
        streamed={BULK_VECTORS_PATH: settings.max_bulk_body_bytes},
    )
    app.state.pool, app.state.embedding_worker = pool, worker
    return app
