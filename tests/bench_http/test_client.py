"""The benchmarks' load client against a real service process (imi under uvicorn)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from bench import http
from bench.http import Client, HTTPStatusError
from harness import ServiceProcess


def client(process: ServiceProcess, connections: int = 4) -> Client:
    return Client(str(process.url) + "/api/v1", connections)


async def test_json_in_and_out_over_one_kept_connection(imi_process: ServiceProcess) -> None:
    async with client(imi_process) as api:
        name = f"load-{uuid.uuid4().hex[:8]}"
        created = await api.post(
            "/projects", json={"name": name, "remote_origin": f"git@example.com:{name}.git"}
        )
        assert created.status_code == 201, created.text
        fetched = await api.get(f"/projects/{created.json()['id']}")
        origin = created.json()["remote_origin"]
        listed = await api.get("/projects", params={"remote_origin": origin})
        assert fetched.json()["name"] == name
        assert [p["id"] for p in listed.json()["items"]] == [created.json()["id"]]
        assert len(api._idle) == 1  # three requests, one connection


async def test_an_error_status_is_returned_and_raised_on_demand(
    imi_process: ServiceProcess,
) -> None:
    async with client(imi_process) as api:
        missing = await api.get(f"/projects/{uuid.uuid4()}")
        assert missing.status_code == 404
        assert not missing.is_success
        assert missing.json()["detail"]["code"] == "NOT_FOUND"
        with pytest.raises(HTTPStatusError, match="404"):
            missing.raise_for_status()
        assert (await api.get("/projects")).is_success  # the connection still serves


async def test_a_streamed_body_is_sent_chunked(imi_process: ServiceProcess) -> None:
    name = f"chunked-{uuid.uuid4().hex[:8]}"
    pieces = [b'{"name": "', name.encode(), b'", "remote_origin": "git@example.com:', b'x.git"}']

    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    async with client(imi_process) as api:
        created = await api.post(
            "/projects", content=body(), headers={"content-type": "application/json"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["name"] == name


async def test_concurrent_requests_share_at_most_the_given_connections(
    imi_process: ServiceProcess,
) -> None:
    async with client(imi_process, connections=3) as api:
        answers = await asyncio.gather(*(api.get("/projects") for _ in range(12)))
        assert all(answer.is_success for answer in answers)
        assert 1 <= len(api._idle) <= 3


async def test_an_idle_connection_is_replaced_before_the_server_drops_it(
    imi_process: ServiceProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with client(imi_process) as api:
        await api.get("/projects")
        first = api._idle[0]
        monkeypatch.setattr(http, "KEEPALIVE_SECONDS", 0.0)
        await api.get("/projects")
        assert api._idle[0] is not first
        assert first.writer.is_closing()
