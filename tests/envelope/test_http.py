"""The HTTP edge both services share: error shape, request ids, API keys."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from psycopg import errors as pg_errors
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, SecretStr

from envelope import (
    Conflict,
    NotFound,
    RequestContextMiddleware,
    api_key_guard,
    create_envelope,
    install_error_handlers,
    request_id_to_uuid,
    service_source,
)


class Body(BaseModel):
    count: int


def build_app(api_key: str = "") -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    guard = api_key_guard(SecretStr(api_key))

    @app.get("/missing/{thing_id}", dependencies=[guard])
    async def missing(thing_id: str) -> None:
        raise NotFound("thing not found", thing_id=thing_id)

    @app.post("/things", dependencies=[guard])
    async def things(body: Body) -> dict[str, object]:
        if body.count > 1:
            raise Conflict("already there", existing_id="t-1")
        emitted = create_envelope("test.thing.happened", {"name": "x"}, source=service_source("t"))
        return {"correlation_ids": [str(c) for c in emitted.correlation_ids]}

    @app.get("/pool")
    async def pool() -> None:
        raise PoolTimeout("no connection in 3 s")

    @app.get("/duplicate")
    async def duplicate() -> None:
        raise pg_errors.UniqueViolation("duplicate key")

    @app.get("/boom")
    async def boom() -> None:
        raise ValueError("secret internals")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


def shape(response: httpx.Response) -> tuple[int, str]:
    detail = response.json()["detail"]
    assert set(detail) == {"code", "message", "params"}
    return response.status_code, detail["code"]


async def test_domain_errors_use_the_shared_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/missing/42")
    assert shape(response) == (404, "NOT_FOUND")
    assert response.json()["detail"]["params"] == {"thing_id": "42"}
    conflict = await client.post("/things", json={"count": 2})
    assert shape(conflict) == (409, "CONFLICT")
    assert conflict.json()["detail"]["params"] == {"existing_id": "t-1"}


async def test_validation_and_routing_errors_use_the_shared_shape(
    client: httpx.AsyncClient,
) -> None:
    invalid = await client.post("/things", json={"count": "many"})
    assert shape(invalid) == (422, "VALIDATION_ERROR")
    assert invalid.json()["detail"]["params"]["errors"][0]["loc"] == ["body", "count"]
    assert shape(await client.get("/nowhere")) == (404, "NOT_FOUND")
    assert shape(await client.delete("/things")) == (405, "METHOD_NOT_ALLOWED")


async def test_database_trouble_maps_to_503_or_409(client: httpx.AsyncClient) -> None:
    unavailable = await client.get("/pool")
    assert shape(unavailable) == (503, "SERVICE_UNAVAILABLE")
    assert unavailable.headers["retry-after"] == "2"
    assert shape(await client.get("/duplicate")) == (409, "CONFLICT")


async def test_unexpected_errors_reveal_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")
    assert shape(response) == (500, "INTERNAL_ERROR")
    assert "secret internals" not in response.text


async def test_request_id_is_echoed_and_carried_by_events(client: httpx.AsyncClient) -> None:
    given = str(uuid.uuid4())
    response = await client.post("/things", json={"count": 1}, headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given
    assert response.json()["correlation_ids"] == [given]

    named = await client.post("/things", json={"count": 1}, headers={"X-Request-ID": "job-7"})
    assert named.json()["correlation_ids"] == [str(request_id_to_uuid("job-7"))]

    fresh = await client.post("/things", json={"count": 1})
    assert fresh.json()["correlation_ids"] == [fresh.headers["x-request-id"]]


async def test_api_key_is_required_when_configured() -> None:
    key = "a-very-long-api-key-value"
    transport = httpx.ASGITransport(app=build_app(api_key=key))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert shape(await http.post("/things", json={"count": 1})) == (401, "UNAUTHORIZED")
        wrong = await http.post("/things", json={"count": 1}, headers={"X-API-Key": "nope"})
        assert shape(wrong) == (401, "UNAUTHORIZED")
        right = await http.post("/things", json={"count": 1}, headers={"X-API-Key": key})
        assert right.status_code == 200
