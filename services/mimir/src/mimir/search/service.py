"""Search: chunks ranked by BM25, by vector, or both fused; then the passages inside them;
then, when `target_types` asks, decisions and intents (`mimir.search.records`) merged in.

The filter clauses are static SQL chosen from `FILTER_CLAUSES` by which filters the request
sets; values travel as parameters. A query vector is computed before a connection is taken
(see the router), so no pooled connection waits on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from envelope import BadRequest, NotFound
from mimir.embedding.pgvector import OPERATORS, dimensions_literal
from mimir.embedding.queries import EmbeddingSpace, get_space_by_name
from mimir.embedding.spaces import embedder_for, vector_problem, vector_text
from mimir.filters import chosen_clauses, in_project
from mimir.search import passages, queries, records
from mimir.search.queries import SpaceParts
from mimir.search.query import LexicalQuery, parse
from mimir.search.schemas import HybridSearch, SearchBase, SearchFilters, TextSearch
from mimir.search.weights import TermWeights, exact, weigh
from mimir.settings import MimirSettings
from mimir.sql import Conn, Row

FILTER_CLAUSES: dict[str, sql.Composable] = {
    "artifact_type": sql.SQL("a.artifact_type = ANY(%(artifact_type)s)"),
    "source": sql.SQL("a.source = ANY(%(source)s)"),
    "artifact_id": sql.SQL("a.id = ANY(%(artifact_id)s)"),
    "metadata": sql.SQL("a.metadata @> %(metadata)s"),
    "created_after": sql.SQL("a.created_at >= %(created_after)s"),
    "created_before": sql.SQL("a.created_at < %(created_before)s"),
    "project_id": in_project(sql.Identifier("a", "id"), "artifact", sql.Placeholder("project_id")),
    "latest_only": sql.SQL(
        "NOT EXISTS (SELECT 1 FROM artifact_versions nv"
        " WHERE nv.artifact_id = v.artifact_id AND nv.version_number > v.version_number)"
    ),
}
SCORES = {
    "cosine": sql.SQL("1 - d.distance"),
    "l2": sql.SQL("-d.distance"),
    "inner_product": sql.SQL("-d.distance"),
}
NO_DISTANCE = sql.SQL("NULL::float8")


@dataclass(frozen=True)
class QueryVector:
    """A semantic query resolved before any search connection is taken."""

    space: EmbeddingSpace
    vector: str


def compose_filters(filters: SearchFilters) -> tuple[sql.Composable, dict[str, Any]]:
    return chosen_clauses(filters, FILTER_CLAUSES)


def depth(limit: int) -> int:
    """How deep each ranked list goes before fusion or the final cut."""
    return max(limit * 4, 40)


async def find_space(conn: Conn, name: str | None, settings: MimirSettings) -> EmbeddingSpace:
    space_name = name or settings.embedding_default_space
    space = await get_space_by_name(conn, space_name)
    if space is None:
        raise NotFound("embedding space not found", name=space_name)
    return space


async def query_vector(
    space: EmbeddingSpace, text: str | None, vector: list[float] | None, settings: MimirSettings
) -> QueryVector:
    if vector is None:
        embedder = embedder_for(space, settings)
        if embedder is None:
            raise BadRequest("this space takes client vectors: pass `vector`", space=space.name)
        assert text is not None
        vector = await embedder.embed_query(text)
    if len(vector) != space.dimensions:
        raise BadRequest(
            f"the vector must have {space.dimensions} dimensions",
            space=space.name,
            given=len(vector),
        )
    if problem := vector_problem(vector, space.distance):
        raise BadRequest(problem, space=space.name, distance=space.distance)
    return QueryVector(space, vector_text(vector))


def _space_parts(space: EmbeddingSpace) -> SpaceParts:
    return SpaceParts(
        dimensions=dimensions_literal(space.dimensions),
        operator=sql.SQL(OPERATORS[space.distance]),
        space_id=sql.Literal(space.id),
    )


def _dense(space: EmbeddingSpace, where: sql.Composable) -> sql.Composable:
    return queries.nearest_chunks(where, _space_parts(space))


def _dense_params(target: QueryVector, limit: int, excluded: str | None) -> dict[str, Any]:
    # Each chunk holds a few embedded passages: look at enough neighbours for `depth` chunks.
    deep = depth(limit)
    return {"vector": target.vector, "depth": deep, "neighbours": deep * 4, "excluded": excluded}


def _lexical_params(
    lexical: LexicalQuery, terms: TermWeights, enough: int, limit: int
) -> dict[str, Any]:
    """The full-text side's values; when the candidates (the rarest terms of a wide search)
    give fewer than `enough` matches, the statement scores the other matches too. The
    `depth(limit)` best chunks by their own BM25 are re-scored with their best passage."""
    everything = lexical.tsquery()
    return {
        "match": everything,
        "candidates": terms.candidates,
        "widen": terms.candidates != everything,
        "enough": enough,
        "lexemes": list(terms.idf),
        "idf": list(terms.idf.values()),
        "scope_chunks": terms.scope_chunks,
        "cap": terms.cap,
        "k1": passages.K1,
        "b": passages.B,
        "headline": passages.HEADLINE,
        "rescored": depth(limit),
    }


def _passages(target: QueryVector | None) -> sql.Composable:
    """Fragment: each hit's passages, with their distance to the query vector if any."""
    if target is None:
        return queries.hit_passages(NO_DISTANCE)
    return queries.hit_passages(queries.passage_distance(_space_parts(target.space)))


def _with_passages(
    hits: list[Row],
    body: SearchBase,
    terms: TermWeights | None,
    weights: passages.Weights,
) -> dict[str, Any]:
    rows = [
        {**row, "hit": number}
        for number, hit in enumerate(hits, start=1)
        for row in hit.pop("passage_rows") or ()
    ]
    passages.rank(rows, hits, terms, weights)
    passages.attach(hits, rows)
    for hit in hits:
        hit["target_type"], hit["target_id"] = "chunk", hit["span_id"]
    result: dict[str, Any] = {"hits": hits}
    if body.budget_chars is not None:
        result["context"] = passages.pack(hits, rows, body.budget_chars)
    return result


async def text(conn: Conn, body: TextSearch, settings: MimirSettings) -> dict[str, Any]:
    words = await parse(conn, body.query)
    result = _nothing(body)
    if not words.units:
        return result
    if "chunk" in body.target_types:
        where, params = compose_filters(body.filters)
        terms = await weigh(conn, words, where, params, settings)
        lexical = queries.lexical_ranked(where)
        hits = await queries.search_text(
            conn,
            {
                **params,
                **_lexical_params(words, terms, body.limit, body.limit),
                "depth": body.limit,
                "limit": body.limit,
            },
            lexical=lexical,
            passages=_passages(None),
        )
        terms = exact(terms, hits)
        result = _with_passages(hits, body, terms, _weights(1, 0))
    if kinds := records.record_types(body):
        return _merged(result, await records.lexical(conn, words, body, kinds, body.limit), body)
    return result


async def semantic(
    conn: Conn,
    body: SearchBase,
    target: QueryVector,
    settings: MimirSettings,
    excluded: str | None = None,
) -> dict[str, Any]:
    """Chunks (and records) by meaning; those matching `excluded` (a hybrid query's
    exclusions) are left out."""
    result = _nothing(body)
    if "chunk" in body.target_types:
        where, params = compose_filters(body.filters)
        dense = _dense_params(target, body.limit, excluded)
        hits = await queries.search_semantic(
            conn,
            {**params, **dense, "limit": body.limit, "lexemes": []},
            dense=_dense(target.space, where),
            score=_score(target),
            passages=_passages(target),
        )
        result = _with_passages(hits, body, None, _weights(0, 1))
    if kinds := records.record_types(body):
        found = await _records_by_meaning(conn, target, body, kinds, body.limit, excluded)
        return _merged(result, found, body)
    return result


async def hybrid(
    conn: Conn, body: HybridSearch, target: QueryVector, settings: MimirSettings
) -> dict[str, Any]:
    words = await parse(conn, body.query)
    if not words.units:  # only stop words or exclusions: the dense ranking alone, if it counts
        if not body.semantic_weight:
            return _nothing(body)
        return await semantic(conn, body, target, settings, words.excluded)
    weights = _weights(body.lexical_weight, body.semantic_weight)
    result = _nothing(body)
    if "chunk" in body.target_types:
        where, params = compose_filters(body.filters)
        terms = await weigh(conn, words, where, params, settings)
        lexical, dense = queries.lexical_ranked(where), _dense(target.space, where)
        hits = await queries.search_hybrid(
            conn,
            {
                **params,
                **_lexical_params(words, terms, 1, body.limit),
                **_dense_params(target, body.limit, words.excluded),
                "limit": body.limit,
                "lexical_weight": body.lexical_weight,
                "semantic_weight": body.semantic_weight,
            },
            lexical=lexical,
            dense=dense,
            passages=_passages(target),
        )
        terms = exact(terms, hits)
        # A weight of 0 switches its side off: what only that side found is no hit.
        hits = [
            hit
            for hit in hits
            if (body.lexical_weight and hit["lexical_rank"] is not None)
            or (body.semantic_weight and hit["semantic_rank"] is not None)
        ]
        result = _with_passages(hits, body, terms, weights)
    if kinds := records.record_types(body):
        deep = depth(body.limit)
        by_words, by_meaning = [], []
        if body.lexical_weight:
            by_words = await records.lexical(conn, words, body, kinds, deep)
        if body.semantic_weight:
            by_meaning = await _records_by_meaning(conn, target, body, kinds, deep, words.excluded)
        return _merged(result, records.fuse(by_words, by_meaning, weights), body)
    return result


async def _records_by_meaning(
    conn: Conn,
    target: QueryVector,
    body: SearchBase,
    kinds: list[str],
    deep: int,
    excluded: str | None,
) -> list[Row]:
    space, score = _space_parts(target.space), _score(target)
    return await records.dense(conn, space, score, target.vector, body, kinds, deep, excluded)


def _weights(lexical: float, semantic: float) -> passages.Weights:
    return passages.Weights(hit=1.0, lexical=lexical, semantic=semantic)


def _score(target: QueryVector) -> sql.Composable:
    return SCORES[target.space.distance]


def _nothing(body: SearchBase) -> dict[str, Any]:
    return {"hits": [], "context": [] if body.budget_chars is not None else None}


def _merged(result: dict[str, Any], found: list[Row], body: SearchBase) -> dict[str, Any]:
    """Chunk hits and record hits in one list by score (each mode's scores are of one kind),
    cut at the limit; the context keeps the passages of the chunks still among the hits."""
    hits = sorted(result["hits"] + found, key=lambda hit: -hit["score"])[: body.limit]
    kept = {hit["span_id"] for hit in hits if hit["target_type"] == "chunk"}
    context = result.get("context")
    if context is not None:
        context = [item for item in context if item["span_id"] in kept]
    return {"hits": hits, "context": context}
