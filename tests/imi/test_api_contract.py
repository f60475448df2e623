"""The published contract: documented operations, auth on /api/v1, the shared error shape."""

import httpx
import pytest
from api_helpers import threaded_calls
from fastapi import FastAPI
from pydantic import SecretStr

from imi.main import create_app
from imi.settings import ImiSettings


async def test_every_operation_is_documented(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/openapi.json")).json()
    tags = {t["name"] for t in schema["tags"]}
    assert {"projects", "work", "links", "components", "trace", "stats"} <= tags
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1")
        for method, op in item.items()
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        where = f"{method} {path}"
        assert op.get("summary"), where
        assert op.get("description"), where
        assert op["tags"][0] in tags, where
        assert {"401", "413", "422", "503"} <= set(op["responses"]), where
        if "requestBody" in op:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert model.get("examples"), where


@pytest.fixture(scope="module")
def guarded_app(imi_settings: ImiSettings) -> FastAPI:
    settings = imi_settings.model_copy(update={"api_key": SecretStr("k" * 24)})
    return create_app(settings)


async def test_head_answers_where_get_does_and_405_names_every_method(
    api: httpx.AsyncClient,
) -> None:
    listed = await api.get("/api/v1/projects")
    for path in ("/api/v1/projects", "/docs", "/health"):
        head = await api.head(path)
        assert head.status_code == 200, path
        assert head.content == b"", path
    assert (await api.head("/api/v1/projects")).headers["content-length"] == str(
        len(listed.content)
    )
    for method in ("DELETE", "PUT"):
        refused = await api.request(method, "/api/v1/projects")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD, POST"
        assert refused.json()["detail"]["code"] == "METHOD_NOT_ALLOWED"


async def test_api_key_guards_api_but_not_health(guarded_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=guarded_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        denied = await client.get("/api/v1/projects")
        assert denied.status_code == 401
        assert denied.json()["detail"]["code"] == "UNAUTHORIZED"
        wrong = await client.get("/api/v1/projects", headers={"X-API-Key": "x" * 24})
        assert wrong.status_code == 401
        allowed = await client.get("/api/v1/projects", headers={"X-API-Key": "k" * 24})
        assert allowed.status_code == 200
        assert (await client.get("/health")).status_code in (200, 503)
        await guarded_app.state.bus.stop()


def test_no_endpoint_or_dependency_runs_in_a_worker_thread(imi_app: FastAPI) -> None:
    assert threaded_calls(imi_app) == []
