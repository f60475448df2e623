"""Decisions and intents as search hits, ranked the way chunks are.

A decision's words are its statement and rationale, an intent's its statement; their
vectors live in `record_embeddings` (filled by the embedding worker). Text search ranks
them by BM25 with each term weighed by the records in scope holding it, semantic search by
an exact scan of their vectors (they are few), hybrid fuses both rankings as chunks are
fused, so each score is of the same kind as a chunk's in the same mode.

Filters about records apply (`metadata`, `created_after`, `created_before`, `project_id`);
those about artifacts (`artifact_type`, `source`, `artifact_id`, `latest_only`) select
chunks only.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from mimir.external.queries import in_project_fragment
from mimir.filters import chosen_clauses
from mimir.search import passages, queries
from mimir.search.queries import SpaceParts
from mimir.search.query import LexicalQuery
from mimir.search.schemas import SearchBase, SearchFilters
from mimir.sql import Conn, Row

FILTER_CLAUSES: dict[str, sql.Composable] = {
    "metadata": sql.SQL("rec.metadata @> %(metadata)s"),
    "created_after": sql.SQL("rec.created_at >= %(created_after)s"),
    "created_before": sql.SQL("rec.created_at < %(created_before)s"),
    "project_id": in_project_fragment(
        sql.Identifier("rec", "target_id"),
        sql.Identifier("rec", "target_type"),
        sql.Placeholder("project_id"),
    ),
}
# Enough matches to rank any realistic set of decisions and intents completely.
MAX_MATCHES = 10_000


def record_types(body: SearchBase) -> list[str]:
    return [kind for kind in body.target_types if kind != "chunk"]


def _filters(filters: SearchFilters, types: list[str]) -> tuple[sql.Composable, dict[str, Any]]:
    """The records' filter condition, and its parameters with the record types."""
    condition, given = chosen_clauses(filters, FILTER_CLAUSES)
    return condition, {**given, "target_types": types}


async def lexical(
    conn: Conn, words: LexicalQuery, body: SearchBase, types: list[str], depth: int
) -> list[Row]:
    """Records holding any of the query's words or phrases, best first."""
    condition, given = _filters(body.filters, types)
    params = {
        **given,
        "match": words.tsquery(),
        "lexemes": words.lexemes,
        "cap": MAX_MATCHES,
        "depth": depth,
        "k1": passages.K1,
        "b": passages.B,
        "headline": passages.HEADLINE,
    }
    return await queries.search_records_text(conn, params, filters=condition)


async def dense(
    conn: Conn,
    space: SpaceParts,
    score: sql.Composable,
    vector: str,
    body: SearchBase,
    types: list[str],
    depth: int,
    excluded: str | None = None,
) -> list[Row]:
    """Records nearest to the query vector in the space and matching no `excluded`, nearest
    first."""
    condition, given = _filters(body.filters, types)
    params = {**given, "vector": vector, "depth": depth, "excluded": excluded}
    return await queries.search_records_semantic(
        conn, params, filters=condition, space=space, score=score
    )


def _key(hit: Row) -> tuple[str, Any]:
    return hit["target_type"], hit["target_id"]


def fuse(lexical_hits: list[Row], dense_hits: list[Row], weights: passages.Weights) -> list[Row]:
    """Both rankings fused as chunks are in a hybrid search: BM25 as a share of the query's
    term weights, distance scaled within the ranking."""
    fused: dict[tuple[str, Any], Row] = {}
    for hit in lexical_hits:
        fused[_key(hit)] = {**hit, "semantic_rank": None, "distance": None}
    for hit in dense_hits:
        fused[_key(hit)] = {**fused.get(_key(hit), {"lexical_rank": None, "snippet": None}), **hit}
    words = {_key(hit): hit["score"] / hit["ceiling"] for hit in lexical_hits}
    meaning = passages.relative({_key(hit): hit["score"] for hit in dense_hits})
    for key, hit in fused.items():
        lexical, semantic = words.get(key, 0.0), meaning.get(key, 0.0)
        hit["score"] = weights.lexical * lexical + weights.semantic * semantic
    return sorted(fused.values(), key=lambda hit: (-hit["score"], str(hit["target_id"])))
