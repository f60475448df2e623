"""The OpenAPI document: every endpoint documented, tags in order, errors in one shape."""

from __future__ import annotations

from typing import Any

import httpx
from api_helpers import threaded_calls
from fastapi import FastAPI

TAG_ORDER = [
    "artifacts",
    "intents",
    "decisions",
    "spans",
    "relations",
    "search",
    "external",
    "provenance",
]


async def test_every_operation_has_summary_description_and_error_responses(
    mimir_client: httpx.AsyncClient,
) -> None:
    spec = (await mimir_client.get("/openapi.json")).json()
    tags = [tag["name"] for tag in spec["tags"]]
    assert tags[: len(TAG_ORDER)] == TAG_ORDER
    assert all(tag.get("description") for tag in spec["tags"])
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in item.items()
    ]
    assert len(operations) >= 30
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("description"), where
        assert op.get("tags"), where
        assert {"401", "413", "503"} <= set(op["responses"]), where
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) and status != "422":
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorResponse"), where


async def test_request_bodies_have_examples_and_field_descriptions(
    mimir_client: httpx.AsyncClient,
) -> None:
    spec = (await mimir_client.get("/openapi.json")).json()
    schemas: dict[str, Any] = spec["components"]["schemas"]
    for name in (
        "ArtifactCreate",
        "IntentCreate",
        "DecisionCreate",
        "SpanCreate",
        "RelationCreate",
        "ProvenanceCreate",
        "TextSearch",
        "SpaceCreate",
    ):
        schema = schemas[name]
        assert schema.get("examples"), name
        described = [f for f, prop in schema["properties"].items() if prop.get("description")]
        assert len(described) >= len(schema["properties"]) - 1, name


async def test_docs_pages_are_served(mimir_client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        response = await mimir_client.get(path)
        assert response.status_code == 200
        assert "text/html" in response.headers["content-type"]


def test_no_endpoint_or_dependency_runs_in_a_worker_thread(mimir_app: FastAPI) -> None:
    assert threaded_calls(mimir_app) == []
