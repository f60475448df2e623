"""The imi application: REST API, outbox relay and Bloodbank consumers in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import imi.models  # noqa: F401  (maps every table before the first query)
from envelope import ServiceBus, configure_logging, service_app
from imi import __version__
from imi.components.router import router as components_router
from imi.consumers import QUEUES, subscribe_consumers
from imi.database import SCHEMA, UnitOfWork, create_engine
from imi.links.router import router as links_router
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

ROUTERS = (
    projects_router,
    work_router,
    links_router,
    components_router,
    trace_router,
    stats_router,
)

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
    async def database() -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    return service_app(
        settings,
        bus,
        uow,
        schema=SCHEMA,
        version=__version__,
        description=DESCRIPTION,
        tags=TAGS,
        routers=ROUTERS,
        subscriptions=QUEUES,
        mcp_server="imi.mcp:mcp_server",  # imported on the first MCP request
        resources=database,
    )
