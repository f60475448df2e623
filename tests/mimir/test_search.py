"""Search and embeddings: the local model, background indexing, text/semantic/hybrid."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from harness import eventually
from mimir_helpers import wait_indexed

from mimir.embedding.local import embed_texts

API = "/api/v1"
REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


def test_local_embedder_matches_the_reference_model() -> None:
    reference = json.loads(REFERENCE.read_text())["vectors"]
    ours = embed_texts([item["text"] for item in reference])
    expected = np.array([item["vector"] for item in reference], dtype=np.float32)
    assert ours.shape == (len(reference), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert (cosines > 0.99).all(), cosines


async def test_semantic_search_ranks_the_relevant_document_first(api: Any, unique: str) -> None:
    relevant = await api.artifact(
        "The payment service retries a declined credit card charge twice, "
        "waiting a few seconds between attempts.",
        source=unique,
    )
    unrelated = await api.artifact(
        "Our office garden has tomatoes, basil and a small lemon tree by the window.",
        source=unique,
    )
    assert relevant["indexing_status"] == "pending" or relevant["indexing_status"] == "indexed"
    for artifact in (relevant, unrelated):
        assert (await wait_indexed(api, artifact["id"]))["indexing_status"] == "indexed"

    response = await api.client.post(
        f"{API}/search/semantic",
        json={"query": "what happens when a card payment fails?", "filters": {"source": [unique]}},
    )
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    assert [hit["artifact_id"] for hit in hits] == [relevant["id"], unrelated["id"]]
    top = hits[0]
    content = relevant["versions"][0]["content"]
    assert top["text"] == content[top["start_offset"] : top["end_offset"]]
    assert top["version_id"] == relevant["versions"][0]["id"]
    assert hits[0]["score"] > hits[1]["score"]


async def test_text_search_quotes_offsets_and_highlights(api: Any, unique: str) -> None:
    content = (
        f"# Runbook {unique}\n\nRestart the ingestion workers after a broker failover.\n\n"
        "Check the dead letter queue afterwards."
    )
    artifact = await api.artifact(content, source=unique, metadata={"team": unique})
    response = await api.client.post(
        f"{API}/search/text",
        json={"query": f"broker failover {unique}", "filters": {"metadata": {"team": unique}}},
    )
    assert response.status_code == 200, response.text
    [hit] = response.json()["hits"]
    assert hit["artifact_id"] == artifact["id"]
    assert content[hit["start_offset"] : hit["end_offset"]] == hit["text"]
    assert "<<failover>>" in hit["snippet"]

    other_team = await api.client.post(
        f"{API}/search/text",
        json={"query": f"broker failover {unique}", "filters": {"metadata": {"team": "x"}}},
    )
    assert other_team.json()["hits"] == []

    async def created(**bounds: str) -> httpx.Response:
        body = {"query": f"failover {unique}", "filters": {"source": [unique], **bounds}}
        return await api.client.post(f"{API}/search/text", json=body)

    assert len((await created(created_before="2999-01-01T00:00:00+02:00")).json()["hits"]) == 1
    assert (await created(created_after="2999-01-01T00:00:00Z")).json()["hits"] == []
    for naive in ("2020-01-01T00:00:00", "2020-01-01"):  # as list filters: a zone is needed
        assert (await created(created_after=naive)).status_code == 422


async def test_a_word_matches_however_its_characters_are_composed(api: Any, unique: str) -> None:
    decomposed = await api.artifact("Meet at the cafe\u0301 by the station.", source=unique)
    ligature = await api.artifact("The \ufb01nal o\ufb03ce plan.", source=unique)

    async def found(query: str) -> list[str]:
        body = {"query": query, "filters": {"source": [unique]}}
        response = await api.client.post(f"{API}/search/text", json=body)
        assert response.status_code == 200, response.text
        return [hit["artifact_id"] for hit in response.json()["hits"]]

    assert await found("caf\u00e9") == [decomposed["id"]]  # typed precomposed
    assert await found("cafe\u0301") == [decomposed["id"]]
    assert await found("final office") == [ligature["id"]]
    listed = await api.ok("/artifacts", source=unique, q="caf\u00e9")
    assert [item["id"] for item in listed["items"]] == [decomposed["id"]]


async def test_words_inside_paths_and_addresses_are_found(api: Any, unique: str) -> None:
    path = await api.artifact("The fix is in services/mimir/src/ranking.py for now.", source=unique)
    link = await api.artifact("Read https://example.com/docs/api-v2 first.", source=unique)
    names = await api.artifact("README.md and std::vector, mail ops@corp.example.", source=unique)
    numbers = await api.artifact("Pi is 3.14 and we met at 10:30 on 2026/12/03.", source=unique)
    decision = await api.created(
        "/decisions",
        {
            "statement": "Keep the sign-in flow in docs/adr/0007-auth.md",
            "rationale": "one place",
            "metadata": {"test": unique},
        },
    )

    async def found(query: str, path: str = "/search/text") -> list[str]:
        body = {"query": query, "filters": {"source": [unique]}}
        response = await api.client.post(f"{API}{path}", json=body)
        assert response.status_code == 200, response.text
        return [hit["artifact_id"] for hit in response.json()["hits"]]

    for query in ("mimir", "ranking.py", "services/mimir/src/ranking.py", '"src ranking"'):
        assert await found(query) == [path["id"]], query
    for query in ("api-v2", "example.com", "https://example.com/docs/api-v2"):
        assert await found(query) == [link["id"]], query
    for query in ("readme", "README.md", "vector", "corp.example", "ops@corp.example"):
        assert await found(query) == [names["id"]], query
    # a run of digits keeps its form: it matches as written, not by its pieces
    for query in ("3.14", "10:30", "2026/12/03"):
        assert await found(query) == [numbers["id"]], query
    assert await found("14") == []
    assert await found("ranking.py -mimir") == []
    listed = await api.ok("/artifacts", source=unique, q="ranking.py")
    assert [item["id"] for item in listed["items"]] == [path["id"]]
    only_decisions = {"target_types": ["decision"], "filters": {"metadata": {"test": unique}}}
    records = await api.client.post(f"{API}/search/text", json={"query": "adr", **only_decisions})
    assert [hit["target_id"] for hit in records.json()["hits"]] == [decision["id"]]


async def test_hybrid_fuses_lexical_and_semantic_lists(api: Any, unique: str) -> None:
    # Letters only: PostgreSQL's parser reads hex such as "12e45ab" as a number and a word.
    word = unique.translate(str.maketrans("0123456789", "ghijklmnop"))
    lexical_only = await api.artifact(f"Ticket {word} lists zanzibar quokka codes.", source=unique)
    semantic_only = await api.artifact(
        "The cat sat quietly on the warm windowsill, purring in the sun.", source=unique
    )
    for artifact in (lexical_only, semantic_only):
        await wait_indexed(api, artifact["id"])
    response = await api.client.post(
        f"{API}/search/hybrid",
        json={
            "query": f"{word} kitten resting on a window ledge",
            "filters": {"source": [unique]},
        },
    )
    assert response.status_code == 200, response.text
    hits = {hit["artifact_id"]: hit for hit in response.json()["hits"]}
    assert set(hits) == {lexical_only["id"], semantic_only["id"]}
    assert hits[lexical_only["id"]]["lexical_rank"] == 1
    assert hits[semantic_only["id"]]["lexical_rank"] is None
    assert hits[semantic_only["id"]]["semantic_rank"] == 1
    # The nearer by meaning has the meaning's whole share and no words. The other, the
    # farther by meaning, has the words' share: BM25 over the query's term weights, exact
    # in this scope of two chunks (the unique word is in one, the four others in none).
    assert hits[lexical_only["id"]]["semantic_rank"] == 2
    assert abs(hits[semantic_only["id"]]["score"] - 1.0) < 1e-9
    held, absent = math.log(1 + 1.5 / 1.5), math.log(1 + 2.5 / 0.5)
    assert abs(hits[lexical_only["id"]]["score"] - held / (held + 4 * absent)) < 1e-9


async def test_hybrid_exclusions_hold_on_the_meaning_side_too(api: Any, unique: str) -> None:
    word = unique.translate(str.maketrans("0123456789", "ghijklmnop"))
    refund = await api.artifact(
        f"{word}: failed payments are retried, then the customer gets a refund.", source=unique
    )
    retry = await api.artifact(f"{word}: failed payments are retried with backoff.", source=unique)
    intent = await api.created(
        "/intents",
        {"statement": f"{word} refund failed payments at once", "proposed_by": "h"},
    )
    for artifact in (refund, retry):
        await wait_indexed(api, artifact["id"])

    async def found(query: str) -> set[str]:
        response = await api.client.post(
            f"{API}/search/hybrid",
            json={
                "query": query,
                "filters": {"source": [unique]},
                "target_types": ["chunk", "intent"],
            },
        )
        assert response.status_code == 200, response.text
        return {hit["target_id"] for hit in response.json()["hits"]}

    async def intent_embedded() -> bool:  # intents are embedded by the worker too
        return intent["id"] in await found("refund failed payments")

    await eventually(intent_embedded)
    refund_chunk = (await api.ok("/spans", artifact_id=refund["id"], span_type="chunk"))["items"]
    for query in ("failed payments -refund", "-refund"):  # words and exclusions; exclusions only
        hits = await found(query)
        assert refund_chunk[0]["id"] not in hits, query
        assert intent["id"] not in hits, query
    assert refund_chunk[0]["id"] in await found("failed payments")


async def test_search_errors(api: Any, mimir_client: httpx.AsyncClient) -> None:
    response = await mimir_client.post(
        f"{API}/search/semantic", json={"query": "x", "space": "no-such-space"}
    )
    assert response.status_code == 404
    assert api.code(response) == "NOT_FOUND"

    async def default_space() -> bool:  # made by the embedding worker as it starts
        spaces = (await mimir_client.get(f"{API}/embedding-spaces")).json()
        return any(space["name"] == "default" for space in spaces)

    await eventually(default_space)
    response = await mimir_client.post(f"{API}/search/semantic", json={"vector": [0.1, 0.2]})
    assert response.status_code == 400
    response = await mimir_client.post(f"{API}/search/semantic", json={})
    assert response.status_code == 422
    response = await mimir_client.post(f"{API}/search/text", json={"query": "maya\u0000lisbon"})
    assert response.status_code == 400, response.text
    assert api.code(response) == "BAD_REQUEST"
    assert "NUL" in response.json()["detail"]["params"]["reason"]


async def test_the_pools_connections_are_configured_for_search(
    mimir_app: Any, mimir_client: httpx.AsyncClient
) -> None:
    # Sequential scans from a table's first page: on a table past a quarter of shared_buffers
    # a scan otherwise starts where another one is, and a query of common words only (its
    # candidates are the first matches found) answered differently each time it was asked.
    async with mimir_app.state.uow() as conn:
        cursor = await conn.execute(
            "SELECT current_setting('plan_cache_mode') AS plans,"
            " current_setting('synchronize_seqscans') AS synchronized,"
            " current_setting('hnsw.iterative_scan') AS iterative"
        )
        settings = await cursor.fetchone()
    assert settings == {
        "plans": "force_custom_plan",
        "synchronized": "off",
        "iterative": "relaxed_order",
    }
