"""Bulk vector loads: NDJSON streamed with COPY, all or nothing, and a deferred HNSW index."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from mimir_helpers import build_indexes, execute, hnsw_indexes

API = "/api/v1"
NDJSON = {"content-type": "application/x-ndjson"}


def ndjson(items: list[tuple[str, list[float]]]) -> bytes:
    return b"".join(
        json.dumps({"span_id": span, "vector": vector}).encode() + b"\n" for span, vector in items
    )


async def client_space(api: Any, unique: str, dimensions: int = 3) -> dict[str, Any]:
    body = {"name": f"bulk-{unique}", "provider": "client", "dimensions": dimensions}
    return await api.created("/embedding-spaces", body)  # type: ignore[no-any-return]


async def chunks_of(api: Any, unique: str, *words: str) -> dict[str, tuple[str, str]]:
    """word -> (artifact id, chunk span id), one small artifact per word."""
    found = {}
    for word in words:
        artifact = await api.artifact(f"{word} {unique}", source=unique)
        [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
        found[word] = (artifact["id"], chunk["id"])
    return found


async def load(api: Any, space: dict[str, Any], body: Any, **params: Any) -> Any:
    return await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors/bulk",
        content=body,
        headers=NDJSON,
        params=params,
    )


async def semantic(api: Any, space: dict[str, Any], vector: list[float]) -> list[str]:
    response = await api.client.post(
        f"{API}/search/semantic", json={"vector": vector, "space": space["name"]}
    )
    assert response.status_code == 200, response.text
    return [hit["artifact_id"] for hit in response.json()["hits"]]


DEFER = (
    "UPDATE mimir.embedding_spaces SET index_deferred_until = now() + %s::interval WHERE id = %s"
)


def deferred_until(database: Any, space_id: str) -> Any:
    with psycopg.connect(database.admin_conninfo()) as conn:
        row = conn.execute(
            "SELECT index_deferred_until FROM mimir.embedding_spaces WHERE id = %s", (space_id,)
        ).fetchone()
    assert row is not None
    return row[0]


async def test_an_ndjson_load_is_searchable_by_meaning(
    api: Any, database: Any, unique: str
) -> None:
    space = await client_space(api, unique)
    await build_indexes(database)
    chunk = await chunks_of(api, unique, "east", "west", "up")

    async def streamed() -> AsyncIterator[bytes]:
        body = ndjson(
            [
                (chunk["east"][1], [1, 0, 0]),
                (chunk["west"][1], [-1, 0, 0]),
                (chunk["up"][1], [0, 0, 1]),
                (chunk["up"][1], [0, 1, 0]),  # the last line of a span wins
            ]
        )
        for start in range(0, len(body), 7):  # lines split across chunks of the body
            yield body[start : start + 7]
        yield b"\n\n"  # blank lines are skipped

    response = await load(api, space, streamed())
    assert response.status_code == 200, response.text
    assert response.json() == {"lines": 4, "stored": 3, "index": "maintained"}
    assert (await api.ok(f"/embedding-spaces/{space['id']}"))["embedding_count"] == 3
    assert (await semantic(api, space, [0.9, 0.1, 0]))[0] == chunk["east"][0]
    assert (await semantic(api, space, [0, 1, 0]))[0] == chunk["up"][0]

    again = await load(api, space, ndjson([(chunk["east"][1], [0, 1, 0.1])]))
    assert again.json() == {"lines": 1, "stored": 1, "index": "maintained"}
    assert (await semantic(api, space, [0, 1, 0.1]))[0] == chunk["east"][0]


async def test_a_bad_line_stores_nothing_and_is_named(api: Any, unique: str) -> None:
    space = await client_space(api, unique)
    chunk = await chunks_of(api, unique, "one", "two")
    good = ndjson([(chunk["one"][1], [1, 0, 0]), (chunk["two"][1], [0, 1, 0])])
    cases = {
        b"not json\n": ("BAD_REQUEST", 3),
        b"[1, 2, 3]\n": ("BAD_REQUEST", 3),
        b'{"span_id": "nope", "vector": [1, 2, 3]}\n': ("BAD_REQUEST", 3),
        json.dumps({"span_id": chunk["one"][1], "vector": [1, 2]}).encode(): ("BAD_REQUEST", 3),
        json.dumps({"span_id": chunk["one"][1], "vector": [1, "2", 3]}).encode(): (
            "BAD_REQUEST",
            3,
        ),
        json.dumps({"span_id": chunk["one"][1], "vector": [1, 2, 1e300]}).encode(): (
            "BAD_REQUEST",
            3,
        ),
        json.dumps({"span_id": str(uuid.uuid4()), "vector": [1, 2, 3]}).encode(): (
            "BAD_REFERENCE",
            [3],
        ),
        # no cosine distance to a zero vector; a length whose square overflows 32 bits
        json.dumps({"span_id": chunk["one"][1], "vector": [0, 0, 0]}).encode(): ("BAD_REQUEST", 3),
        json.dumps({"span_id": chunk["one"][1], "vector": [1e20, 0, 0]}).encode(): (
            "BAD_REQUEST",
            3,
        ),
    }
    for bad, (code, line) in cases.items():
        response = await load(api, space, good + bad)
        assert response.status_code == 400, (bad, response.text)
        assert api.code(response) == code, bad
        params = response.json()["detail"]["params"]
        assert params.get("line", params.get("lines")) == line, bad
    wrong_size = await load(api, space, ndjson([(chunk["one"][1], [1, 0, 0, 0])]))
    assert wrong_size.status_code == 400
    assert "the space takes 3" in wrong_size.json()["detail"]["message"]
    assert wrong_size.json()["detail"]["params"] == {"line": 1}
    assert (await api.ok(f"/embedding-spaces/{space['id']}"))["embedding_count"] == 0

    empty = await load(api, space, b"\n\n")
    assert empty.status_code == 400
    assert api.code(empty) == "BAD_REQUEST"
    as_json = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors/bulk", content=good
    )
    assert as_json.status_code == 415
    assert api.code(as_json) == "UNSUPPORTED_MEDIA_TYPE"
    local = next(s for s in await api.ok("/embedding-spaces") if s["provider"] != "client")
    assert (await load(api, local, good)).status_code == 409
    missing = await api.client.post(
        f"{API}/embedding-spaces/{uuid.uuid4()}/vectors/bulk", content=good, headers=NDJSON
    )
    assert missing.status_code == 404


async def test_a_bulk_body_may_pass_the_general_body_limit(api: Any, unique: str) -> None:
    space = await client_space(api, unique)
    chunk = await chunks_of(api, unique, "big")
    body = b"\n" * (17 * 1024 * 1024) + ndjson([(chunk["big"][1], [1, 0, 0])])
    response = await load(api, space, body)
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1


async def test_defer_index_drops_the_index_for_the_load_and_it_is_rebuilt(
    api: Any, database: Any, unique: str
) -> None:
    space = await client_space(api, unique)
    await build_indexes(database)
    [before] = hnsw_indexes(database, space["id"])
    chunk = await chunks_of(api, unique, "north", "south")
    body = ndjson([(chunk["north"][1], [0, 1, 0]), (chunk["south"][1], [0, -1, 0])])

    response = await load(api, space, body, defer_index="true")
    assert response.status_code == 200, response.text
    assert response.json() == {"lines": 2, "stored": 2, "index": "deferred"}
    assert hnsw_indexes(database, space["id"]) == []
    assert deferred_until(database, space["id"]) is None  # the load is over
    # Meanwhile searches scan the space exactly.
    assert await semantic(api, space, [0, 1, 0]) == [chunk["north"][0], chunk["south"][0]]

    name = "embeddings_hnsw_" + uuid.UUID(space["id"]).hex
    assert name in await build_indexes(database)
    assert hnsw_indexes(database, space["id"]) == [before]
    with psycopg.connect(database.admin_conninfo()) as conn:
        row = conn.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            (name,),
        ).fetchone()
    assert row == (True,)
    assert await semantic(api, space, [0, -1, 0]) == [chunk["south"][0], chunk["north"][0]]


async def test_a_failed_deferred_load_still_gets_its_index_back(
    api: Any, database: Any, unique: str
) -> None:
    space = await client_space(api, unique)
    await build_indexes(database)
    response = await load(api, space, b"not json\n", defer_index="true")
    assert response.status_code == 400
    assert hnsw_indexes(database, space["id"]) == []
    assert deferred_until(database, space["id"]) is None
    assert "embeddings_hnsw_" + uuid.UUID(space["id"]).hex in await build_indexes(database)


async def test_the_index_builder_leaves_a_space_under_a_deferred_load_alone(
    api: Any, database: Any, unique: str
) -> None:
    space = await client_space(api, unique)
    await execute(database.admin_conninfo(), DEFER, "1 hour", space["id"])
    await build_indexes(database)
    assert hnsw_indexes(database, space["id"]) == []
    await execute(database.admin_conninfo(), DEFER, "-1 second", space["id"])
    await build_indexes(database)  # a load that died: its mark lapses
    assert len(hnsw_indexes(database, space["id"])) == 1


async def test_only_a_deferred_space_index_can_be_dropped_by_the_service(
    database: Any, unique: str, api: Any
) -> None:
    space = await client_space(api, unique)
    await build_indexes(database)
    with (
        psycopg.connect(database.service_conninfo("mimir")) as conn,
        pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState),
    ):
        conn.execute("SELECT mimir.drop_deferred_space_index(%s)", (space["id"],))
    assert len(hnsw_indexes(database, space["id"])) == 1
