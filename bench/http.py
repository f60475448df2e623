"""A lean HTTP/1.1 client for load generation: keep-alive connections over asyncio streams.

The benchmarks drive the services from the same host, so what the client costs per request is
taken from the cores the services run on: httpx spent about 3 ms of CPU on each `GET
/trace/...` at 32 clients, more than imi spent serving it, and used most of a core by itself.
This client writes a request in one call and reads the response by its `Content-Length` (or
its chunks), with about a tenth of that cost. It speaks only what the benchmarks send: JSON
or raw bodies (text, bytes, or an async iterable sent chunked), no redirects, no TLS, no cookies.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

KEEPALIVE_SECONDS = 2.0  # below uvicorn's 5 s, so the server never closes a connection in use


class HTTPStatusError(Exception):
    pass


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if not self.is_success:
            raise HTTPStatusError(f"{self.status_code}: {self.text[:500]}")


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    used: float = field(default_factory=time.monotonic)


class Client:
    """`async with Client(base_url, connections) as api: await api.get("/path")`."""

    def __init__(self, base_url: str, connections: int, max_seconds: float = 30.0) -> None:
        url = urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.prefix = url.path.rstrip("/")
        self.max_seconds = max_seconds  # per request
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_: object) -> None:
        for connection in self._idle:
            connection.writer.close()
        self._idle.clear()

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, **options: Any) -> Response:
        return await self.request("POST", path, **options)

    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: str | bytes | AsyncIterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        max_seconds: float | None = None,
    ) -> Response:
        target = self.prefix + path + (f"?{urlencode(params)}" if params else "")
        fields = {"host": f"{self.host}:{self.port}", **(headers or {})}
        if json is not None:
            content = jsonlib.dumps(json).encode()
            fields["content-type"] = "application/json"
        if isinstance(content, str):
            content = content.encode()
        if isinstance(content, bytes):
            fields["content-length"] = str(len(content))
        elif content is not None:
            fields["transfer-encoding"] = "chunked"
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in fields.items()
        )
        async with self._slots:
            connection = await self._connection()
            try:
                async with asyncio.timeout(max_seconds or self.max_seconds):
                    response = await self._exchange(connection, head.encode() + b"\r\n", content)
            except BaseException:
                connection.writer.close()
                raise
            if response.headers.get("connection") == "close":
                connection.writer.close()
            else:
                connection.used = time.monotonic()
                self._idle.append(connection)
            return response

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if time.monotonic() - connection.used < KEEPALIVE_SECONDS:
                return connection
            connection.writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return _Connection(reader, writer)

    @staticmethod
    async def _exchange(
        connection: _Connection, head: bytes, content: bytes | AsyncIterable[bytes] | None
    ) -> Response:
        writer, reader = connection.writer, connection.reader
        if isinstance(content, bytes) or content is None:
            writer.write(head + (content or b""))
        else:
            writer.write(head)
            async for chunk in content:
                if chunk:
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = await _chunks(reader)
        else:
            body = b""
        return Response(int(status_line.split(" ", 2)[1]), headers, body)


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")  # no trailers are sent
    return b"".join(parts)
