"""The mimir application: REST API, outbox relay and Bloodbank consumers in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from envelope import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    RestBridge,
    ServiceBus,
    asyncapi_router,
    configure_logging,
    events_router,
    health_router,
    install_error_handlers,
    keep_example_nulls,
    mount_mcp,
)
from mimir import __version__
from mimir.api import TAGS, api_router
from mimir.consumers import QUEUES, subscribe_consumers
from mimir.database import UnitOfWork, create_pool
from mimir.embedding.router import BULK_VECTORS_PATH
from mimir.embedding.worker import EmbeddingWorker
from mimir.mcp import mcp_server
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
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await pool.open(wait=False)
        await bus.start()
        if settings.embedding_worker:
            bus.tasks.start("embedding-worker", worker.run)
        try:
            async with mcp_session():
                yield
        finally:
            await bus.stop()
            await pool.close()

    # Swagger UI and ReDoc from the service itself: /docs works without internet.
    app = FastAPIOffline(
        title="mimir",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.settings, app.state.pool, app.state.bus = settings, pool, bus
    app.state.uow = bus.transaction  # requests' commits wake the relay
    app.state.embedding_worker = worker
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        streamed={BULK_VECTORS_PATH: settings.max_bulk_body_bytes},
    )
    app.add_middleware(RequestContextMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    install_error_handlers(app)
    keep_example_nulls(app)
    app.include_router(
        health_router(
            "mimir",
            __version__,
            bus,
            uow,
            degraded_after=settings.outbox_degraded_after,
        )
    )
    api = api_router(settings)
    api.include_router(events_router(SCHEMA, uow))
    app.include_router(api)
    app.include_router(
        asyncapi_router(
            service="mimir",
            version=__version__,
            description=DESCRIPTION,
            subscriptions=QUEUES,
        )
    )
    server = mcp_server(RestBridge(app, settings.api_key))
    mcp_session = mount_mcp(app, server, settings.api_key, settings.host)
    return app
