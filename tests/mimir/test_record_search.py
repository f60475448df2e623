"""Decisions and intents searchable by words and by meaning (`target_types`)."""

from __future__ import annotations

from typing import Any

from harness import eventually
from mimir_helpers import wait_indexed

API = "/api/v1"
RETRIES = (
    "Declined card charges are attempted again three times with exponential backoff",
    "The processor refuses transiently during traffic peaks",
)
GARDEN = ("The office plants are watered every Friday afternoon", "")


async def search(api: Any, mode: str, **body: Any) -> dict[str, Any]:
    response = await api.client.post(f"{API}/search/{mode}", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def record(api: Any, unique: str) -> dict[str, dict[str, Any]]:
    """Two decisions and an intent tagged `unique`, once each has a vector."""
    tag = {"test": unique}
    made = {
        "retries": await api.created(
            "/decisions", {"statement": RETRIES[0], "rationale": RETRIES[1], "metadata": tag}
        ),
        "garden": await api.created(
            "/decisions", {"statement": GARDEN[0], "rationale": GARDEN[1], "metadata": tag}
        ),
        "intent": await api.created(
            "/intents",
            {
                "statement": "Keep checkout working when the card processor has an outage",
                "proposed_by": "human",
                "metadata": tag,
            },
        ),
    }

    async def embedded() -> bool:
        found = await search(
            api,
            "semantic",
            query="anything",
            target_types=["decision", "intent"],
            filters={"metadata": tag},
        )
        return len(found["hits"]) == len(made)

    await eventually(embedded, timeout=60)
    return made


async def test_a_decision_is_found_by_meaning_when_its_words_differ(api: Any, unique: str) -> None:
    made = await record(api, unique)
    found = await search(
        api,
        "semantic",
        query="what did we decide about retrying payments that fail?",
        target_types=["decision"],
        filters={"metadata": {"test": unique}},
    )
    hits = found["hits"]
    assert [hit["target_id"] for hit in hits] == [made["retries"]["id"], made["garden"]["id"]]
    top = hits[0]
    assert top["target_type"] == "decision"
    assert top["text"] == f"{RETRIES[0]}\n\n{RETRIES[1]}"
    assert top["status"] == "tentative"
    assert top["span_id"] is None
    assert top["passages"] == []
    assert top["semantic_rank"] == 1
    assert top["score"] > hits[1]["score"]
    # the garden decision has no rationale: its text is the statement alone
    assert hits[1]["text"] == GARDEN[0]


async def test_text_search_of_records_matches_any_word_and_honours_exclusions(
    api: Any, unique: str
) -> None:
    made = await record(api, unique)
    scope = {"target_types": ["decision", "intent"], "filters": {"metadata": {"test": unique}}}

    found = await search(api, "text", query="plants processor", **scope)
    kinds = {hit["target_id"]: hit["target_type"] for hit in found["hits"]}
    assert kinds == {
        made["retries"]["id"]: "decision",  # "processor" is in its rationale
        made["garden"]["id"]: "decision",
        made["intent"]["id"]: "intent",
    }
    assert all("<<" in hit["snippet"] for hit in found["hits"])
    assert [hit["lexical_rank"] for hit in found["hits"]] == [1, 2, 3]

    excluded = await search(api, "text", query="plants processor -outage", **scope)
    assert {hit["target_id"] for hit in excluded["hits"]} == {
        made["retries"]["id"],
        made["garden"]["id"],
    }
    phrase = await search(api, "text", query='"card processor"', **scope)
    assert [hit["target_id"] for hit in phrase["hits"]] == [made["intent"]["id"]]


async def test_hybrid_ranks_chunks_and_records_into_one_list(api: Any, unique: str) -> None:
    made = await record(api, unique)
    artifact = await api.artifact(
        "Dana: the card processor timed out again.\nSam: then we retry the charge later.",
        artifact_type="conversation",
        metadata={"test": unique},
    )
    await wait_indexed(api, artifact["id"])

    found = await search(
        api,
        "hybrid",
        query="retry declined card charges",
        target_types=["chunk", "decision", "intent"],
        filters={"metadata": {"test": unique}},
        limit=4,
    )
    hits = found["hits"]
    assert {hit["target_type"] for hit in hits} == {"chunk", "decision", "intent"}
    decisions = [hit["target_id"] for hit in hits if hit["target_type"] == "decision"]
    assert decisions[0] == made["retries"]["id"]
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)
    chunk = next(hit for hit in hits if hit["target_type"] == "chunk")
    assert chunk["target_id"] == chunk["span_id"]
    assert chunk["artifact_id"] == artifact["id"]
    assert chunk["passages"]

    only_chunks = await search(
        api, "hybrid", query="retry declined card charges", filters={"metadata": {"test": unique}}
    )
    assert {hit["target_type"] for hit in only_chunks["hits"]} == {"chunk"}


async def test_a_superseded_decision_names_its_successor_in_every_mode(
    api: Any, unique: str
) -> None:
    made = await record(api, unique)
    newer = await api.created(
        "/decisions", {"statement": f"Card charges retried five times {unique}", "rationale": ""}
    )
    for decision, status in ((made["retries"], "active"), (newer, "active")):
        await api.client.patch(f"{API}/decisions/{decision['id']}", json={"status": status})
    body = {"status": "superseded", "superseded_by_id": newer["id"]}
    assert (
        await api.client.patch(f"{API}/decisions/{made['retries']['id']}", json=body)
    ).is_success
    scope = {"target_types": ["decision"], "filters": {"metadata": {"test": unique}}}
    for mode in ("text", "semantic", "hybrid"):
        found = await search(api, mode, query="retrying declined card charges", **scope)
        hit = next(h for h in found["hits"] if h["target_id"] == made["retries"]["id"])
        assert (hit["status"], hit["superseded_by_id"]) == ("superseded", newer["id"]), mode
        others = [h["superseded_by_id"] for h in found["hits"] if h is not hit]
        assert others == [None] * len(others), mode


async def test_budgeted_context_keeps_passages_of_the_hits_left(api: Any, unique: str) -> None:
    await record(api, unique)
    artifact = await api.artifact(
        "Dana: lunch is at noon on Fridays.", metadata={"test": unique}, artifact_type="note"
    )
    await wait_indexed(api, artifact["id"])
    found = await search(
        api,
        "text",
        query="card processor outage Fridays",
        target_types=["chunk", "decision", "intent"],
        filters={"metadata": {"test": unique}},
        budget_chars=500,
        limit=1,
    )
    assert len(found["hits"]) == 1
    top = found["hits"][0]
    chunk_ids = {top["span_id"]} if top["target_type"] == "chunk" else set()
    assert {item["span_id"] for item in found["context"]} == chunk_ids


async def test_target_types_must_name_known_kinds(api: Any) -> None:
    for target_types in ([], ["decisions"]):
        response = await api.client.post(
            f"{API}/search/text", json={"query": "x", "target_types": target_types}
        )
        assert response.status_code == 422, response.text
        assert api.code(response) == "VALIDATION_ERROR"


async def test_a_new_space_embeds_the_decisions_already_recorded(api: Any, unique: str) -> None:
    made = await api.created("/decisions", {"statement": RETRIES[0], "metadata": {"test": unique}})
    await api.created("/embedding-spaces", {"name": f"records-{unique}"})

    async def found() -> list[Any]:
        result = await search(
            api,
            "semantic",
            query="payment retries",
            space=f"records-{unique}",
            target_types=["decision"],
            filters={"metadata": {"test": unique}},
        )
        return [hit["target_id"] for hit in result["hits"]]

    assert await eventually(found, timeout=60) == [made["id"]]
