"""Bounds on the work one request may ask for: body size, list offsets, result sizes.

A request over a bound gets a 4xx in the shared error shape, before any work is done where the
bound allows it (a declared `Content-Length` is refused without reading the body).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envelope._errors import DomainError, error_body

MAX_OFFSET = 10_000
"""The deepest `offset` a list accepts; past it a keyset cursor (or narrower filters) is the way,
because skipping rows still reads them."""

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


class LimitExceeded(DomainError):
    """The request asks for more than a configured bound allows; `params` name the bound."""

    status_code, code = 400, "LIMIT_EXCEEDED"


def body_too_large_message(limit: int) -> str:
    return f"the request body exceeds {limit} bytes"


class BodyLimitMiddleware:
    """Answers 413 to a request body over `max_bytes`, declared or streamed.

    A `Content-Length` over the limit is refused before the body is read; a chunked body is
    counted as it arrives and refused once the count passes the limit. `streamed` gives other
    limits to the paths (full-match patterns) of endpoints that stream their bodies instead of
    holding them.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        streamed: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = [(re.compile(path), limit) for path, limit in (streamed or {}).items()]

    def limit(self, path: str) -> int:
        return next((lim for rx, lim in self.streamed if rx.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(limit, scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read, so the app's handler answers it.
                    raise HTTPException(413, body_too_large_message(limit))
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        params: dict[str, Any] = {"max_bytes": limit}
        body = error_body("PAYLOAD_TOO_LARGE", body_too_large_message(limit), params)
        # Connection: close, so the client's unread body does not become the next request.
        response = JSONResponse(body, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)
