"""The Model Context Protocol at `/mcp`: tools for agents, answered by the service's own REST API.

Each tool is a thin mapping onto one REST call made in-process (no network), so a tool meets
every rule an HTTP client meets (validation, limits, transitions, the error shape) and no rule
is written twice. Streamable HTTP, stateless and with JSON responses, so any replica or worker
answers any request. The same API key as the REST API guards it (`X-API-Key`, or
`Authorization: Bearer <key>` as agents' MCP configurations usually send it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, SecretStr
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from envelope._http import key_matches

MCP_PATH = "/mcp"


class RestBridge:
    """Calls the app's own REST API in-process, with the service's key."""

    def __init__(self, app: FastAPI, api_key: SecretStr) -> None:
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
        response = await self._client.request(method, path, json=payload, params=wanted)
        if response.is_error:
            raise ToolError(_error_text(response))
        return response.json() if response.content else None


def _error_text(response: httpx.Response) -> str:
    try:
        detail = response.json()["detail"]
        params = detail.get("params") or ""
        return f"{response.status_code} {detail['code']}: {detail['message']} {params}".strip()
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code}: {response.text[:500]}"


class ApiKeyCheck:
    """Refuses a request without the service's key with 401 in the usual error shape."""

    def __init__(self, app: ASGIApp, api_key: SecretStr) -> None:
        self.app, self.key = app, api_key.get_secret_value()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if self.key and not (
            key_matches(headers.get("x-api-key"), self.key) or key_matches(bearer, self.key)
        ):
            error = {"code": "UNAUTHORIZED", "message": "missing or wrong API key", "params": {}}
            response = JSONResponse(
                {"detail": error}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def mount_mcp(
    app: FastAPI, server: MCPServer, api_key: SecretStr, host: str
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Serve `server` at `/mcp` behind the API key; returns the context to run in the lifespan.

    `host` is the address the service binds: on a loopback address the SDK refuses requests
    whose Host or Origin header is another site's (DNS rebinding)."""
    inner = server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=host
    )
    endpoint = next(r.endpoint for r in inner.routes if isinstance(r, Route) and r.path == MCP_PATH)
    app.router.routes.append(
        Route(MCP_PATH, endpoint=ApiKeyCheck(endpoint, api_key), include_in_schema=False)
    )

    @asynccontextmanager
    async def serving() -> AsyncIterator[None]:
        # The SDK's task group lives in a task of its own: a lifespan may be entered and left
        # in different tasks (test clients do), and a cancel scope must not be.
        started, stop = asyncio.Event(), asyncio.Event()

        async def run() -> None:
            async with server.session_manager.run():
                started.set()
                await stop.wait()

        task = asyncio.create_task(run(), name="mcp-sessions")
        waiting = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if task.done():
            task.result()  # raises why the session manager did not start
        try:
            yield
        finally:
            stop.set()
            await task

    return serving
