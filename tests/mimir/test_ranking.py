"""Text search that answers questions: any term matches, BM25 ranks, passages and budgets."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import psycopg
import pytest
from harness import Database, eventually
from mimir_helpers import wait_indexed
from psycopg.rows import dict_row

from mimir.main import create_app
from mimir.search import weights
from mimir.search.query import LexicalQuery, Unit, split
from mimir.settings import MimirSettings

API = "/api/v1"


async def text(api: Any, query: str, source: str, **extra: Any) -> dict[str, Any]:
    response = await api.client.post(
        f"{API}/search/text", json={"query": query, "filters": {"source": [source]}, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_query_syntax_keeps_phrases_exclusions_and_or() -> None:
    assert split('retry "dead letter" OR queue -refund -"credit note"') == [
        ("retry", False),
        ("dead letter", False),
        ("queue", False),
        ("refund", True),
        ("credit note", True),
    ]
    query = LexicalQuery((Unit("'a'", ("a",)), Unit("'b' <-> 'c'", ("b", "c"))), ("'d'",))
    assert query.tsquery() == "(('a') | ('b' <-> 'c')) & !('d')"
    assert query.lexemes == ["a", "b", "c"]


async def test_a_chunk_with_any_query_word_matches(api: Any, unique: str) -> None:
    await api.artifact("The invoice service retries declined payments.", source=unique)
    await api.artifact("Nothing here but garden notes about tomatoes.", source=unique)
    found = await text(api, "why would the invoices get retried at night?", unique)
    assert [hit["text"] for hit in found["hits"]] == [
        "The invoice service retries declined payments."
    ]


async def test_a_rare_term_outranks_a_chunk_full_of_common_words(api: Any, unique: str) -> None:
    for n in range(30):
        await api.artifact(f"Deploy notes {n}: the deploy went fine, deploy again.", source=unique)
    crowded = await api.artifact(
        "Deploy deploy deploy deploy: deploy the deploy after the deploy.", source=unique
    )
    rare = await api.artifact("The kestrel migration needs one deploy window.", source=unique)
    found = await text(api, "kestrel deploy", unique, limit=5)
    ids = [hit["artifact_id"] for hit in found["hits"]]
    assert ids[0] == rare["id"], found["hits"][0]["text"]
    assert crowded["id"] in ids[1:]
    assert found["hits"][0]["score"] > found["hits"][1]["score"]


async def test_a_wide_search_scores_common_terms_when_its_rarest_terms_find_too_little(
    mimir_settings: MimirSettings,
    database: Database,
    unique: str,
) -> None:
    # Every search is "wide" here (no scope is small enough to be counted), and the
    # candidates are only the chunks of the rarest term once the statistics know the
    # common one: the rare term alone gives one hit, so the other matches are scored too.
    settings = mimir_settings.model_copy(
        update={"search_candidates": 10, "search_exact_chunks": 0, "embedding_worker": False}
    )
    app = create_app(settings)
    common, rare = f"standup{unique}", f"kestrel{unique}"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def artifact(content: str) -> dict[str, Any]:
                body = {"artifact_type": "note", "source": unique, "content": content}
                response = await client.post(f"{API}/artifacts", json=body)
                assert response.status_code == 201, response.text
                return response.json()  # type: ignore[no-any-return]

            for n in range(40):
                await artifact(f"Notes {n} of the {common} today.")
            target = await artifact(f"The {rare} plan, said at the {common}.")
            api = SimpleNamespace(client=client)
            with psycopg.connect(database.admin_conninfo(), autocommit=True) as conn:
                conn.execute("ANALYZE mimir.spans")  # the next search weighs by it

            found = await text(api, f"{rare} {common}", unique, limit=5)
            assert [hit["artifact_id"] for hit in found["hits"]][:1] == [target["id"]]
            assert len(found["hits"]) == 5
            assert all(common in hit["text"] for hit in found["hits"][1:])
            alone = await text(api, f"{rare} {common}", unique, limit=1)
            assert [hit["artifact_id"] for hit in alone["hits"]] == [target["id"]]


async def test_term_statistics_are_read_again_after_each_analyze(
    mimir_settings: MimirSettings, database: Database
) -> None:
    # Kept until the next ANALYZE, not for a while: two processes weigh a query alike.
    conninfo = mimir_settings.conninfo
    async with await psycopg.AsyncConnection.connect(conninfo, row_factory=dict_row) as conn:

        async def statistics() -> weights.CorpusStatistics:
            async with conn.transaction():  # one per search, as the service runs them
                return await weights.corpus_statistics(conn)

        first = await statistics()
        assert await statistics() is first
        with psycopg.connect(database.admin_conninfo(), autocommit=True) as admin:
            admin.execute("ANALYZE mimir.spans")
        again = await statistics()
        assert again is not first
        assert await statistics() is again


async def test_phrases_and_exclusions_keep_their_meaning(api: Any, unique: str) -> None:
    phrase = await api.artifact(
        "Messages go to the dead letter queue after three tries.", source=unique
    )
    apart = await api.artifact("The letter arrived; the plant in the hall is dead.", source=unique)
    refund = await api.artifact("Payments are retried, except refunds.", source=unique)
    retry = await api.artifact("Payments are retried twice.", source=unique)

    found = await text(api, '"dead letter"', unique)
    assert [hit["artifact_id"] for hit in found["hits"]] == [phrase["id"]]
    found = await text(api, "dead letter", unique)
    assert {hit["artifact_id"] for hit in found["hits"]} == {phrase["id"], apart["id"]}
    found = await text(api, "payments retried -refunds", unique)
    assert [hit["artifact_id"] for hit in found["hits"]] == [retry["id"]]
    assert refund["id"] not in {hit["artifact_id"] for hit in found["hits"]}


async def test_only_stop_words_find_nothing(api: Any, unique: str) -> None:
    await api.artifact("Some text about anything at all.", source=unique)
    assert (await text(api, "the of and", unique))["hits"] == []


async def test_a_query_of_exclusions_only_ranks_nothing_by_words(api: Any, unique: str) -> None:
    """No term to weigh: text search finds nothing; hybrid ranks by meaning alone."""
    artifact = await api.artifact("Payments are retried twice.", source=unique)
    await wait_indexed(api, artifact["id"])
    assert (await text(api, "-refunds", unique))["hits"] == []
    response = await api.client.post(
        f"{API}/search/hybrid", json={"query": "-refunds", "filters": {"source": [unique]}}
    )
    assert response.status_code == 200, response.text
    [hit] = response.json()["hits"]
    assert hit["lexical_rank"] is None
    assert hit["semantic_rank"] == 1


CONVERSATION = "\n".join(
    [
        "[2025-03-01 09:00] Dana: Morning! Did the nightly backups finish?",
        "[2025-03-01 09:01] Sam: Yes, all green, though the archive job took four hours.",
        "[2025-03-01 09:03] Dana: We should plan the PostgreSQL upgrade soon.",
        "[2025-03-01 09:04] Sam: Let's do the upgrade on Saturday at 6am.",
        "[2025-03-01 09:06] Dana: Fine. I will tell the support team.",
    ]
)


async def test_words_said_together_in_one_turn_outrank_words_scattered_over_a_chunk(
    api: Any, unique: str
) -> None:
    """Both chunks hold "pottery" and "monday" once; the scattered one is shorter, so its
    own BM25 is higher. Re-scored with their best turn, the chunk where one turn holds both
    words comes first."""
    scattered = await api.artifact(
        "Ana: My pottery teacher moved away.\nBen: Monday was long.\nCai: Same here.",
        artifact_type="conversation",
        source=unique,
    )
    together = await api.artifact(
        "Ana: I go to pottery every Monday evening now.\nBen: Nice, how is the studio?\n"
        "Cai: I keep meaning to take up a hobby, maybe knitting or climbing.",
        artifact_type="conversation",
        source=unique,
    )
    found = await text(api, "pottery monday", unique)
    assert [hit["artifact_id"] for hit in found["hits"]] == [together["id"], scattered["id"]]
    best = found["hits"][0]["passages"][0]["text"]
    assert best == "Ana: I go to pottery every Monday evening now."


async def test_a_scoped_search_weighs_passages_as_it_weighs_chunks(api: Any, unique: str) -> None:
    """In this source "report" is in every chunk and "budget" in one. Each of the hit's two
    turns holds one of the words once, at the same length: the rarer word's turn is best."""
    for day in range(3):
        await api.artifact(
            f"Ana: the report for day {day} is done.", artifact_type="conversation", source=unique
        )
    both = await api.artifact(
        "Ana: the report is late again.\nBen: the budget is late again.",
        artifact_type="conversation",
        source=unique,
    )
    found = await text(api, "report budget", unique)
    hit = found["hits"][0]
    assert hit["artifact_id"] == both["id"]
    assert [p["text"] for p in hit["passages"]] == [
        "Ben: the budget is late again.",
        "Ana: the report is late again.",
    ]


async def test_hits_name_the_turns_that_match(api: Any, unique: str) -> None:
    artifact = await api.artifact(CONVERSATION, artifact_type="conversation", source=unique)
    found = await text(api, "when is the upgrade happening? saturday", unique)
    [hit] = found["hits"]
    best = hit["passages"][0]
    content = artifact["versions"][0]["content"]
    assert best["text"] == content[best["start_offset"] : best["end_offset"]]
    assert best["text"] == "[2025-03-01 09:04] Sam: Let's do the upgrade on Saturday at 6am."
    assert best["metadata"] == {"speaker": "Sam", "timestamp": "2025-03-01 09:04"}
    assert hit["start_offset"] <= best["start_offset"] < best["end_offset"] <= hit["end_offset"]
    assert len(hit["passages"]) <= 3
    assert [p["score"] for p in hit["passages"]] == sorted(
        (p["score"] for p in hit["passages"]), reverse=True
    )


async def test_a_budget_packs_the_best_passages_across_hits(api: Any, unique: str) -> None:
    first = await api.artifact(CONVERSATION, artifact_type="conversation", source=unique)
    second = await api.artifact(
        "[2025-03-08 10:00] Dana: The upgrade moved to Sunday because of the backups.\n"
        "[2025-03-08 10:01] Sam: Noted, Sunday it is.",
        artifact_type="conversation",
        source=unique,
    )
    found = await text(api, "upgrade backups", unique, budget_chars=150)
    context = found["context"]
    assert context, found
    assert sum(len(p["text"]) for p in context) <= 150
    contents = {a["id"]: a["versions"][0]["content"] for a in (first, second)}
    for item in context:
        assert (
            item["text"] == contents[item["artifact_id"]][item["start_offset"] : item["end_offset"]]
        )
    assert context[0]["text"].startswith("[2025-03-08 10:00] Dana: The upgrade moved")
    ranges = [(p["version_id"], p["start_offset"], p["end_offset"]) for p in context]
    for i, (version, start, end) in enumerate(ranges):
        for other, s, e in ranges[i + 1 :]:
            assert version != other or e <= start or end <= s, "passages never overlap"

    tiny = await text(api, "upgrade backups", unique, budget_chars=100)
    assert len(tiny["context"]) >= 1
    assert sum(len(p["text"]) for p in tiny["context"]) <= 100
    assert "context" not in (await text(api, "upgrade", unique)) or (
        (await text(api, "upgrade", unique))["context"] is None
    )


@pytest.mark.parametrize("budget", [50, 100_001])
async def test_budget_bounds(api: Any, unique: str, budget: int) -> None:
    response = await api.client.post(
        f"{API}/search/text", json={"query": "x", "budget_chars": budget}
    )
    assert response.status_code == 422
    assert api.code(response) == "VALIDATION_ERROR"


async def test_hybrid_passages_follow_meaning_and_weights_shift_the_fusion(
    api: Any, unique: str
) -> None:
    artifact = await api.artifact(
        "[2025-04-02 18:00] Alex: My puppy keeps chewing the sofa cushions.\n"
        "[2025-04-02 18:02] Trainer: Give her a frozen stuffed toy before you go out.\n"
        "[2025-04-02 18:03] Alex: Also the weather was grey all week.",
        artifact_type="conversation",
        source=unique,
    )

    async def indexed() -> bool:
        return (await api.ok(f"/artifacts/{artifact['id']}"))["indexing_status"] == "indexed"

    await eventually(indexed, timeout=30)
    response = await api.client.post(
        f"{API}/search/hybrid",
        json={
            "query": "how do I stop my dog from destroying furniture?",
            "filters": {"source": [unique]},
            "budget_chars": 200,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    [hit] = body["hits"]
    assert "puppy" in hit["passages"][0]["text"] or "frozen" in hit["passages"][0]["text"]
    assert all(p["passage_id"] for p in body["context"])

    lexical_only = await api.client.post(
        f"{API}/search/hybrid",
        json={
            "query": "weather",
            "filters": {"source": [unique]},
            "semantic_weight": 0,
        },
    )
    [hit] = lexical_only.json()["hits"]
    assert hit["lexical_rank"] == 1
    assert abs(hit["score"] - 1.0) < 1e-9  # the words' whole share, the meaning's weighs 0


async def chunks_in_a_client_space(
    api: Any,
    space_name: str,
    source: str,
    texts: dict[str, str],
    vectors: dict[str, list[float]],
) -> dict[str, str]:
    """One artifact per text in `source`, each chunk given its vector in a new 3-d client
    space; the chunk ids mapped to the texts' names."""
    space = await api.created(
        "/embedding-spaces", {"name": space_name, "provider": "client", "dimensions": 3}
    )
    chunk_of: dict[str, str] = {}
    for name, content in texts.items():
        artifact = await api.artifact(content, source=source)
        [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
        chunk_of[chunk["id"]] = name
    upload = await api.client.post(
        f"{API}/embedding-spaces/{space['id']}/vectors",
        json={"items": [{"span_id": s, "vector": vectors[n]} for s, n in chunk_of.items()]},
    )
    assert upload.json() == {"stored": len(texts)}
    return chunk_of


async def hybrid_hits(
    api: Any, query: str, space: str, source: str, **weights: float
) -> list[dict[str, Any]]:
    """The hits of a hybrid search in `source` with the query vector [1, 0, 0] in `space`."""
    response = await api.client.post(
        f"{API}/search/hybrid",
        json={
            "query": query,
            "vector": [1, 0, 0],
            "space": space,
            "filters": {"source": [source]},
            **weights,
        },
    )
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["hits"]
    return hits


async def test_hybrid_ranks_a_chunk_strong_in_both_lists_above_one_that_tops_only_one(
    api: Any, unique: str
) -> None:
    """By words A > B > C, by meaning C > B > A. Reciprocal rank puts B last (it is second
    twice); fused scores put it first, since it is close to the best of both lists. D lacks
    the word: a weight of 0 for meaning leaves it out."""
    texts = {
        "A": "kestrel kestrel kestrel kestrel kestrel",
        "B": "kestrel kestrel kestrel kestrel nest",
        "C": "a kestrel was seen above the long grey harbour wall this morning",
        "D": "a falcon circled over the harbour",
    }
    vectors = {"A": [0, 1, 0], "B": [0.9, 0.3, 0], "C": [1, 0, 0], "D": [1, 0.1, 0]}
    chunk_of = await chunks_in_a_client_space(api, f"fusion-{unique}", unique, texts, vectors)

    async def order(**weights: float) -> list[str]:
        hits = await hybrid_hits(api, "kestrel", f"fusion-{unique}", unique, **weights)
        return [chunk_of[hit["span_id"]] for hit in hits]

    fused = await order()
    assert fused[0] == "B"
    assert "D" in fused
    assert await order(semantic_weight=0) == ["A", "B", "C"]
    assert await order(lexical_weight=0) == ["C", "D", "B", "A"]
    exclusions_only = await hybrid_hits(  # no word to rank by: nothing when meaning is off
        api, "-falcon", f"fusion-{unique}", unique, semantic_weight=0
    )
    assert exclusions_only == []


async def test_a_chunk_sharing_only_a_cheap_word_does_not_outrank_the_nearest_by_meaning(
    api: Any, unique: str
) -> None:
    """Every chunk holds the name, none the query's other word. A repeats the name and is
    fairly near by meaning; B holds it once and is nearest. Scaling BM25 within the list
    would give A the words' whole share for a difference that says little (A first); as a
    share of the query's term weights it is small, and meaning decides (B first)."""
    texts = {
        "A": "wrenfold wrenfold wrenfold wrenfold wrenfold",
        "B": "wrenfold moved to a flat near the quay last spring",
        "D": "wrenfold bought new boots for the winter hiking season",
    }
    vectors = {"A": [0.5, 0.866, 0], "B": [1, 0, 0], "D": [-1, 0, 0]}
    chunk_of = await chunks_in_a_client_space(api, f"share-{unique}", unique, texts, vectors)
    hits = await hybrid_hits(api, "wrenfold harbourtown", f"share-{unique}", unique)
    assert [chunk_of[hit["span_id"]] for hit in hits] == ["B", "A", "D"]
    assert hits[1]["lexical_rank"] == 1  # A still tops the words' list


async def test_words_in_angle_brackets_are_searchable(api: Any, unique: str) -> None:
    """PostgreSQL's parser takes `<word>` for a markup tag; mimir reads the brackets as spaces,
    in the stored words and in the query alike."""
    log = await api.artifact(
        "[10:01] <kestrel> the migration is done\n[10:02] <osprey> thanks!",
        artifact_type="conversation",
        source=unique,
    )
    config = await api.artifact("Set <retry_budget> and use Optional<Invoice> here.", source=unique)
    for query, expected in [
        ("kestrel", log),
        ("<kestrel>", log),
        ("retry_budget", config),
        ("invoice", config),
    ]:
        found = await text(api, query, unique)
        assert [hit["artifact_id"] for hit in found["hits"]] == [expected["id"]], query
    listed = await api.client.get(f"{API}/artifacts", params={"q": "osprey", "source": unique})
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [log["id"]]
    decision = await api.created(
        "/decisions",
        {"statement": "Cap <retry_budget> at three", "rationale": "", "metadata": {"t": unique}},
    )
    found = await api.client.post(
        f"{API}/search/text",
        json={
            "query": "retry_budget",
            "target_types": ["decision"],
            "filters": {"metadata": {"t": unique}},
        },
    )
    assert [hit["target_id"] for hit in found.json()["hits"]] == [decision["id"]]
