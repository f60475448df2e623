"""The imi application: REST API, outbox relay and Bloodbank consumers in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import func, select

from envelope import (
    RequestContextMiddleware,
    ServiceBus,
    configure_logging,
    health_router,
    install_error_handlers,
)
from imi import __version__
from imi.database import SCHEMA, UnitOfWork, create_engine, outbox_table
from imi.settings import ImiSettings

DESCRIPTION = """Project intelligence for Bloodbank: git projects, the work items on them, their
links to tickets, pull requests and deploys, components, and the trace from ticket to deploy.

Every error body has the shape `{"detail": {"code", "message", "params"}}`.
"""


def create_app(settings: ImiSettings | None = None) -> FastAPI:
    settings = settings or ImiSettings.load()
    configure_logging(settings.log_level)
    engine = create_engine(settings)
    uow = UnitOfWork(engine)
    bus = ServiceBus(
        service="imi",
        amqp_url=settings.amqp_url,
        conninfo=settings.conninfo,
        schema=SCHEMA,
        transaction=uow,
        exchange=settings.bloodbank_exchange,
        prefetch=settings.consumer_prefetch,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        try:
            yield
        finally:
            await bus.stop()
            await engine.dispose()

    async def outbox_backlog() -> int:
        async with uow() as session:
            query = select(func.count()).where(outbox_table.c.published_at.is_(None))
            return int((await session.execute(query)).scalar_one())

    app = FastAPI(
        title="imi",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings, app.state.uow, app.state.bus = settings, uow, bus
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    app.include_router(health_router("imi", __version__, bus, outbox_backlog))
    return app
