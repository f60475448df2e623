"""The application every service is: its domain routers inside the same shell.

The shell is what a platform expects of each service alike: request ids and body limits,
CORS when configured, the documented error shape, `/health`, `/api/v1` behind the API key
with the event history, the AsyncAPI document, MCP at `/mcp`, and Swagger UI and ReDoc served
by the service itself so that `/docs` works without internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from envelope._asyncapi import Subscriptions, asyncapi_router
from envelope._bus import ServiceBus
from envelope._consumer import TransactionFactory
from envelope._errors import error_responses, install_error_handlers
from envelope._examples import keep_example_nulls
from envelope._health import health_router
from envelope._history import events_router
from envelope._http import ApiKeyCheck, HeadAsGet, RequestContextMiddleware, api_key_guard
from envelope._limits import BodyLimitMiddleware
from envelope._mcp import MCP_PATH, mount_mcp
from envelope._settings import ServiceSettings

API_PREFIX = "/api/v1"

Resources = Callable[[], AbstractAsyncContextManager[None]]
"""What a service opens before its bus starts and closes after it stops (pools, engines)."""


def service_app(
    settings: ServiceSettings,
    bus: ServiceBus,
    transaction: TransactionFactory,
    *,
    schema: str,
    version: str,
    description: str,
    tags: list[dict[str, Any]],
    routers: Sequence[APIRouter],
    subscriptions: Subscriptions,
    mcp_server: str,
    resources: Resources,
    tasks: Mapping[str, Callable[[], Awaitable[None]]] | None = None,
    streamed: Mapping[str, int] | None = None,
) -> FastAPI:
    """The service `bus.service` with its `routers` under `/api/v1`.

    `transaction` opens one of the service's own units of work (health and the event
    history read through it); requests get `bus.transaction`, whose commits wake the relay.
    `tasks` run supervised beside the bus and show in `/health`; `streamed` names paths whose
    bodies are read as a stream, with their own limits. `mcp_server` ("module:function")
    builds the MCP server from a `RestBridge`, on the first request to `/mcp`.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with resources():
            await bus.start()
            for name, task in (tasks or {}).items():
                bus.tasks.start(name, task)
            try:
                async with mcp_session():
                    yield
            finally:
                await bus.stop()

    app = FastAPIOffline(
        title=bus.service,
        version=version,
        description=description,
        lifespan=lifespan,
        openapi_tags=tags,
    )
    app.state.settings, app.state.bus = settings, bus
    app.state.uow = bus.transaction
    # innermost: the access log and the key check see HEAD
    app.add_middleware(HeadAsGet, streams=MCP_PATH)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, streamed=streamed)
    # before the body is read or the route found: a 401 tells nothing of the request
    app.add_middleware(ApiKeyCheck, api_key=settings.api_key, prefix=API_PREFIX + "/")
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
            bus.service,
            version,
            bus,
            transaction,
            degraded_after=settings.outbox_degraded_after,
        )
    )
    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[api_key_guard(settings.api_key)],
        responses=error_responses(401, 413),  # any body over the limit, before any route
    )
    for router in (*routers, events_router(schema, transaction)):
        api.include_router(router)
    app.include_router(api)
    app.include_router(
        asyncapi_router(
            service=bus.service,
            version=version,
            description=description,
            subscriptions=subscriptions,
        )
    )
    mcp_session = mount_mcp(app, mcp_server, settings.api_key, settings.host)
    return app
