"""The imi application: REST API, outbox relay and Bloodbank consumers in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

import imi.models  # noqa: F401  (maps every table before the first query)
from envelope import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    RestBridge,
    ServiceBus,
    api_key_guard,
    asyncapi_router,
    configure_logging,
    error_responses,
    events_router,
    health_router,
    install_error_handlers,
    keep_example_nulls,
    mount_mcp,
)
from imi import __version__
from imi.components.router import router as components_router
from imi.consumers import QUEUES, subscribe_consumers
from imi.database import SCHEMA, UnitOfWork, create_engine
from imi.links.router import router as links_router
from imi.mcp import mcp_server
from imi.projects.router import router as projects_router
from imi.settings import ImiSettings
from imi.stats.router import router as stats_router
from imi.trace.router import router as trace_router
from imi.work.router import router as work_router

DESCRIPTION = """Project intelligence for Bloodbank: git projects, the work items on them, their
links to tickets, pull requests and deploys, components, and the trace from ticket to deploy.

Every error body has the shape `{"detail": {"code", "message", "params"}}`. When the service
has an API key, `/api/v1` requires it in `X-API-Key`; `/health` and the docs are open.
"""

TAGS = [
    {"name": "projects", "description": "Git remotes registered as projects; soft delete."},
    {"name": "work", "description": "Work items (branches), their git state and completion."},
    {"name": "links", "description": "Links from work items to tickets, PRs and deploys."},
    {"name": "components", "description": "Components of projects and their relationships."},
    {"name": "trace", "description": "The chain ticket → work items → PRs → deploys."},
    {"name": "stats", "description": "Counts by status, type and project; lead times."},
    {"name": "events", "description": "What imi did with an event: emitted, consumed, caused."},
    {"name": "health", "description": "Database, broker and outbox state."},
]


def create_app(settings: ImiSettings | None = None) -> FastAPI:
    settings = settings or ImiSettings.load()
    configure_logging(settings.log_level)
    engine = create_engine(settings)
    uow = UnitOfWork(engine)
    bus = ServiceBus.for_service("imi", settings, SCHEMA, uow)
    subscribe_consumers(bus)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        try:
            async with mcp_session():
                yield
        finally:
            await bus.stop()
            await engine.dispose()

    # Swagger UI and ReDoc from the service itself: /docs works without internet.
    app = FastAPIOffline(
        title="imi",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.settings, app.state.bus = settings, bus
    app.state.uow = bus.transaction  # requests' commits wake the relay
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
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
        health_router("imi", __version__, bus, uow, degraded_after=settings.outbox_degraded_after)
    )
    api = APIRouter(
        prefix="/api/v1",
        dependencies=[api_key_guard(settings.api_key)],
        responses=error_responses(401),
    )
    for router in (
        projects_router,
        work_router,
        links_router,
        components_router,
        trace_router,
        stats_router,
        events_router(SCHEMA, uow),
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(
        asyncapi_router(
            service="imi",
            version=__version__,
            description=DESCRIPTION,
            subscriptions=QUEUES,
        )
    )
    server = mcp_server(RestBridge(app, settings.api_key))
    mcp_session = mount_mcp(app, server, settings.api_key, settings.host)
    return app
