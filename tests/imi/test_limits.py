"""Bounded work per request: body size, offsets and the size of a trace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from imi_helpers import create_project, start_work, unique

MIB = 1024 * 1024


async def test_a_body_over_the_limit_is_413_and_the_service_keeps_serving(
    api: httpx.AsyncClient,
) -> None:
    name = unique("big")
    body = {"name": name, "remote_origin": f"git@example.com:t/{name}", "description": "d" * MIB}
    response = await api.post("/api/v1/projects", json=body)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail["code"] == "PAYLOAD_TOO_LARGE"
    assert detail["params"] == {"max_bytes": MIB}
    listed = await api.get("/api/v1/projects", params={"remote_origin": body["remote_origin"]})
    assert listed.json()["total"] == 0
    await create_project(api)


async def test_a_streamed_body_over_the_limit_is_413(api: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "n", "remote_origin": "r", "description": "'
        for _ in range(2):
            yield b"z" * MIB
        yield b'"}'

    response = await api.post(
        "/api/v1/projects", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_offset_is_capped(api: httpx.AsyncClient) -> None:
    too_deep = await api.get("/api/v1/work", params={"offset": 10_001})
    assert too_deep.status_code == 422
    assert too_deep.json()["detail"]["code"] == "VALIDATION_ERROR"
    assert (await api.get("/api/v1/work", params={"offset": 10_000})).status_code == 200


async def test_a_trace_over_its_size_limit_is_refused(
    api: httpx.AsyncClient, imi_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = f"CAP{unique('').strip('-')[:6].upper()}-1"
    project = await create_project(api)
    items = [
        await start_work(api, project["id"], branch_name=f"feat/{key}-part{i}") for i in range(3)
    ]
    whole = await api.get(f"/api/v1/trace/ticket/{key}")
    assert whole.status_code == 200
    assert len(whole.json()["work_items"]) == 3
    # Three work items and their three ticket links: six rows.
    monkeypatch.setattr(imi_app.state.settings, "trace_max_rows", 5)
    refused = await api.get(f"/api/v1/trace/ticket/{key}")
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert detail["code"] == "LIMIT_EXCEEDED"
    assert detail["params"]["work_items"] == 3
    assert detail["params"]["links"] == 3
    assert detail["params"]["limit"] == 5
    narrower = await api.get(f"/api/v1/trace/work/{items[0]['id']}")
    assert narrower.status_code == 400  # the work item's ticket leads to the same chain
    monkeypatch.setattr(imi_app.state.settings, "trace_max_rows", 6)
    assert (await api.get(f"/api/v1/trace/ticket/{key}")).status_code == 200
