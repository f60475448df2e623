"""The Model Context Protocol at `/mcp`: tools for agents, answered by the service's own REST API.

Each tool is a thin mapping onto one REST call made in-process (no network), so a tool meets
every rule an HTTP client meets (validation, limits, transitions, the error shape) and no rule
is written twice. Streamable HTTP, stateless and with JSON responses, so any replica or worker
answers any request. The same API key as the REST API guards it (`X-API-Key`, or
`Authorization: Bearer <key>` as agents' MCP configurations usually send it).

The MCP SDK is imported, and the server built, on the first authorised request to `/mcp`: a
worker that never serves an agent does not carry it (about 26 MB of each process's memory).
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from pydantic import BaseModel, SecretStr
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from envelope._http import ApiKeyCheck

if TYPE_CHECKING:
    import httpx

MCP_PATH = "/mcp"
# Headers of an agent's request that its tool calls carry on to the REST API: who produced a
# write (provenance) and the request id its events are correlated by.
FORWARDED_HEADERS = (b"x-provenance-model", b"x-provenance-pipeline", b"x-request-id")
_forwarded: contextvars.ContextVar[dict[bytes, bytes] | None] = contextvars.ContextVar(
    "mcp_forwarded_headers", default=None
)


class RestBridge:
    """Calls the app's own REST API in-process, with the service's key."""

    def __init__(self, app: FastAPI, api_key: SecretStr) -> None:
        import httpx  # with the server, on the first request to /mcp (as the SDK)

        key = api_key.get_secret_value()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://mcp.internal/api/v1",
            headers={"X-API-Key": key} if key else None,
            timeout=60,
        )

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The JSON answer of a 2xx; anything else becomes a tool error with the API's message."""
        payload = (
            body.model_dump(mode="json", exclude_unset=True)
            if isinstance(body, BaseModel)
            else body
        )
        wanted = {name: value for name, value in (params or {}).items() if value is not None}
        response = await self._client.request(
            method, path, json=payload, params=wanted, headers=_forwarded.get()
        )
        if response.is_error:
            from mcp.server.mcpserver.exceptions import ToolError  # loaded with the server

            raise ToolError(_error_text(response))
        return response.json() if response.content else None


def _error_text(response: httpx.Response) -> str:
    try:
        detail = response.json()["detail"]
        params = json.dumps(detail["params"]) if detail.get("params") else ""
        return f"{response.status_code} {detail['code']}: {detail['message']} {params}".strip()
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code}: {response.text[:500]}"


class LazyMcp:
    """The SDK's MCP endpoint, built by `factory` ("module:function", called with a
    `RestBridge`) when the first request reaches it; `serving` stops its sessions."""

    def __init__(self, app: FastAPI, factory: str, api_key: SecretStr, host: str) -> None:
        self.app, self.factory, self.api_key, self.host = app, factory, api_key, host
        self._endpoint: ASGIApp | None = None
        self._sessions: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._endpoint is None:
            async with self._lock:
                if self._endpoint is None:
                    self._endpoint = await self._start()
        # The SDK runs each request's tools in a task it starts from this one, so they see it.
        _forwarded.set(  # values as sent (bytes), which the REST side reads as HTTP does
            {name: value for name, value in scope.get("headers", ()) if name in FORWARDED_HEADERS}
        )
        await self._endpoint(scope, receive, send)

    async def _start(self) -> ASGIApp:
        """Build the server (`host` is the address the service binds: on a loopback address
        the SDK refuses requests whose Host or Origin header is another site's) and run its
        session manager until `serving` ends."""
        module, _, name = self.factory.partition(":")
        server = getattr(importlib.import_module(module), name)(RestBridge(self.app, self.api_key))
        inner = server.streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=self.host
        )
        endpoint: ASGIApp = next(
            r.endpoint for r in inner.routes if isinstance(r, Route) and r.path == MCP_PATH
        )
        started = asyncio.Event()

        async def run() -> None:
            async with server.session_manager.run():
                started.set()
                await self._stop.wait()

        # A task of its own, with a fresh context: it outlives the request that started it
        # and must not log with that request's ids.
        self._sessions = asyncio.create_task(
            run(), name="mcp-sessions", context=contextvars.Context()
        )
        waiting = asyncio.create_task(started.wait())
        await asyncio.wait({self._sessions, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if self._sessions.done():
            self._sessions.result()  # raises why the session manager did not start
        return endpoint

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            self._stop.set()
            if self._sessions is not None:
                await self._sessions


def mount_mcp(
    app: FastAPI, factory: str, api_key: SecretStr, host: str
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Serve the MCP server `factory` builds at `/mcp` behind the API key, built on first use;
    returns the context to run in the lifespan."""
    endpoint = LazyMcp(app, factory, api_key, host)
    app.router.routes.append(
        Route(
            MCP_PATH,
            endpoint=ApiKeyCheck(endpoint, api_key, bearer=True),
            include_in_schema=False,
        )
    )
    return endpoint.serving
