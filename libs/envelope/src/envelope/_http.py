"""HTTP edge glue: request ids, access logs, API-key auth, HEAD."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import structlog
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from pydantic import SecretStr
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envelope._correlation import clean_request_id, correlation_scope, request_id_to_uuid
from envelope._errors import Unauthorized, error_body

REQUEST_ID_HEADER = "x-request-id"
access_log = structlog.get_logger("http.access")


class RequestContextMiddleware:
    """Binds `X-Request-ID` (or a new id) to logs and emitted events, echoes it, logs access."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given, encoding = header_text(headers.get(REQUEST_ID_HEADER.encode(), b""))
        request_id = clean_request_id(given) or str(uuid.uuid4())
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                echoed = request_id.encode(encoding)  # the bytes as sent
                message["headers"].append((REQUEST_ID_HEADER.encode(), echoed))
            await send(message)

        client = scope.get("client")
        with correlation_scope(
            [request_id_to_uuid(request_id)],
            request_id=request_id,
            method=scope["method"],
            path=scope["path"],
        ):
            access_log.debug("request started")
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                access_log.info(
                    "request handled",
                    status_code=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    client_ip=client[0] if client else None,
                )


def header_text(value: bytes) -> tuple[str, str]:
    """A header's bytes as text, with the encoding read: UTF-8, as clients send it (so
    `/events/{id}` finds a request id typed with accents), else Latin-1, which reads any
    bytes; encoded the same way, the text gives back the bytes as sent."""
    try:
        return value.decode(), "utf-8"
    except UnicodeDecodeError:
        return value.decode("latin-1"), "latin-1"


class HeadAsGet:
    """Answers HEAD wherever GET answers (RFC 9110): the GET route runs and its body is left
    out, its headers (length included) kept. Not under `streams`, where a GET opens an event
    stream that a HEAD would hold open for nothing."""

    def __init__(self, app: ASGIApp, streams: str) -> None:
        self.app, self.streams = app, streams

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or scope["path"].startswith(self.streams)
        ):
            await self.app(scope, receive, send)
            return

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless)


def key_matches(given: str | None, key: str) -> bool:
    """Whether `given` is `key`, compared in constant time."""
    return bool(given) and secrets.compare_digest(str(given).encode(), key.encode())


class ApiKeyCheck:
    """Refuses a request under `prefix` without the service's key (`X-API-Key`, or with
    `bearer` also `Authorization: Bearer`): 401 in the usual error shape, before routing and
    body parsing, so a caller without the key learns nothing of its request. Open when the
    key is empty."""

    def __init__(
        self, app: ASGIApp, api_key: SecretStr, prefix: str = "", bearer: bool = False
    ) -> None:
        self.app, self.key, self.prefix, self.bearer = (
            app,
            api_key.get_secret_value(),
            prefix,
            bearer,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guarded = self.key and scope["type"] == "http" and scope["path"].startswith(self.prefix)
        if guarded and not any(self._holds_key(name, value) for name, value in scope["headers"]):
            what = "API key" if self.bearer else "X-API-Key"
            body = error_body(Unauthorized.code, f"missing or wrong {what}")
            challenge = {"WWW-Authenticate": "Bearer"} if self.bearer else None
            await JSONResponse(body, status_code=401, headers=challenge)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _holds_key(self, name: bytes, value: bytes) -> bool:
        """Whether this header carries the key (ASGI header names are lower case)."""
        if name == b"x-api-key":
            return key_matches(value.decode("latin-1"), self.key)
        if self.bearer and name == b"authorization":
            given = value.decode("latin-1").removeprefix("Bearer ").strip()
            return key_matches(given, self.key)
        return False


def api_key_guard(expected: SecretStr) -> Any:
    """A dependency that requires `X-API-Key` to equal `expected`; open when it is empty."""
    header = APIKeyHeader(
        name="X-API-Key",
        auto_error=False,
        description="Required when the service has an API key configured",
    )
    key = expected.get_secret_value()

    async def guard(request: Request, given: str | None = Depends(header)) -> None:
        if key and not key_matches(given, key):
            raise Unauthorized("missing or wrong X-API-Key")

    return Depends(guard)
