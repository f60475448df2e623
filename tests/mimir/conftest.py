"""mimir-only fixtures: unique names per test, and a small helper over the HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

API = "/api/v1"


@pytest.fixture
def unique() -> str:
    """A fresh token for names and sources, since one database serves the whole run."""
    return uuid.uuid4().hex[:12]


class Api:
    """Builders and assertions used across mimir's tests."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def created(self, path: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        response = await self.client.post(f"{API}{path}", json=body, **kwargs)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def ok(self, path: str, **params: Any) -> Any:
        response = await self.client.get(f"{API}{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def artifact(self, content: str, **fields: Any) -> dict[str, Any]:
        body = {"artifact_type": "document", "source": "tests", "content": content, **fields}
        return await self.created("/artifacts", body)

    @staticmethod
    def code(response: httpx.Response) -> str:
        """The error code of a response, checking the shared error shape on the way."""
        detail = response.json()["detail"]
        assert set(detail) == {"code", "message", "params"}
        return detail["code"]  # type: ignore[no-any-return]


@pytest.fixture
def api(mimir_client: httpx.AsyncClient) -> Api:
    return Api(mimir_client)
