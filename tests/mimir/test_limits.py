"""Bounded work per request: body size, offsets, and a big artifact served off the loop."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from mimir.artifacts.service import OFF_LOOP_CHARS, content_hash

API = "/api/v1"

MIB = 1024 * 1024


def artifact_body(content: str, source: str = "tests") -> dict[str, Any]:
    return {"artifact_type": "document", "source": source, "content": content}


async def test_a_body_over_the_limit_is_413_and_nothing_is_stored(api: Any, unique: str) -> None:
    content = f"{unique} " + "x" * (17 * MIB)
    response = await api.client.post(f"{API}/artifacts", json=artifact_body(content, unique))
    assert response.status_code == 413
    assert api.code(response) == "PAYLOAD_TOO_LARGE"
    assert response.json()["detail"]["params"] == {"max_bytes": 16 * MIB}
    assert (await api.ok("/artifacts", source=unique))["items"] == []
    # The service keeps serving.
    assert (await api.artifact(f"small {unique}", source=unique))["latest_version"] == 1


async def test_a_streamed_body_over_the_limit_is_413(api: Any) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"artifact_type": "document", "source": "tests", "content": "'
        for _ in range(17):
            yield b"y" * MIB
        yield b'"}'

    response = await api.client.post(
        f"{API}/artifacts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert api.code(response) == "PAYLOAD_TOO_LARGE"


async def test_content_big_enough_for_a_worker_thread_is_chunked_whole(
    api: Any, unique: str
) -> None:
    paragraph = " ".join(["A paragraph about retries and idempotency keys."] * 20)
    content = f"{unique}\n\n" + "\n\n".join([paragraph] * 70)
    assert len(content) > OFF_LOOP_CHARS
    created = await api.artifact(content)
    [version] = created["versions"]
    assert version["content"] == content
    assert version["content_hash"] == content_hash(content)
    chunks = await api.ok("/spans", artifact_id=created["id"], span_type="chunk", limit=200)
    covered = sorted((c["start_offset"], c["end_offset"]) for c in chunks["items"])
    assert covered[0][0] == 0
    assert covered[-1][1] == len(content)


async def test_offset_is_capped_and_the_cursor_goes_further(api: Any) -> None:
    too_deep = await api.client.get(f"{API}/artifacts", params={"offset": 10_001})
    assert too_deep.status_code == 422
    assert api.code(too_deep) == "VALIDATION_ERROR"
    assert "10000" in json.dumps(too_deep.json()["detail"]["params"])
    deepest = await api.client.get(f"{API}/artifacts", params={"offset": 10_000})
    assert deepest.status_code == 200


async def test_oversized_json_never_reaches_the_handler(mimir_client: httpx.AsyncClient) -> None:
    response = await mimir_client.post(
        f"{API}/intents",
        content=b"[" + b"1," * (9 * MIB) + b"1]",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
