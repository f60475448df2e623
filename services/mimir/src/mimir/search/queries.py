"""The statements of `sql/search.sql`, and the fragments they are composed from.

Hits stay dict rows: the service adds passages, targets and fused scores to them before they
are validated as `SearchResult`. Fragments (`{placeholders}` filled with allow-listed
`psycopg.sql` parts) are returned composed, for the statement that embeds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from mimir.embedding.queries import records
from mimir.sql import Conn, Row, fetch_all, fetch_all_as, fetch_one, fetch_one_as, query


@dataclass(frozen=True)
class QueryUnit:
    """One word or phrase of a search query after stemming: its tsquery text and lexemes."""

    ord: int
    negated: bool
    query: str
    lexemes: list[str]


@dataclass(frozen=True)
class LexemeStatistics:
    """What the last ANALYZE of spans says (all None before the first)."""

    spans: float | None
    chunk_share: float | None
    lexemes: list[str] | None
    shares: list[float] | None


@dataclass(frozen=True)
class SpaceParts:
    """An embedding space as statement parts: its dimensions, distance operator and id."""

    dimensions: sql.Composable
    operator: sql.Composable
    space_id: sql.Composable

    def parts(self) -> dict[str, sql.Composable]:
        return {"dimensions": self.dimensions, "operator": self.operator, "space_id": self.space_id}


async def configure_session(conn: Conn, ef_search: int) -> None:
    """Plan every statement with its values; sequential scans from a table's first page;
    scan HNSW iteratively with this `ef_search`."""
    await fetch_one(conn, "configure_session", {"ef_search": str(ef_search)})


async def list_query_units(
    conn: Conn, texts: Sequence[str], negated: Sequence[bool]
) -> list[QueryUnit]:
    """The units in order, those made only of stop words left out."""
    params = {"texts": list(texts), "negated": list(negated)}
    return await fetch_all_as(conn, QueryUnit, "list_query_units", params)


async def get_statistics_version(conn: Conn) -> datetime | None:
    row = await fetch_one(conn, "get_statistics_version")
    return row["analyzed_at"] if row else None


async def get_lexeme_statistics(conn: Conn) -> LexemeStatistics | None:
    return await fetch_one_as(conn, LexemeStatistics, "get_lexeme_statistics")


async def count_scope_chunks(
    conn: Conn, params: Mapping[str, Any], limit: int, filters: sql.Composable
) -> int:
    """How many chunks the filters cover, counted up to `limit` + 1."""
    row = await fetch_one(conn, "count_scope_chunks", {**params, "limit": limit}, filters=filters)
    assert row is not None
    return int(row["chunks"])


def lexical_ranked(filters: sql.Composable) -> sql.Composable:
    """Fragment: the filtered chunks matching the query, ranked by BM25."""
    return query("fragment_lexical_ranked", filters=filters)


def nearest_chunks(filters: sql.Composable, space: SpaceParts) -> sql.Composable:
    """Fragment: the filtered chunks nearest to the query vector in the space."""
    return query("fragment_nearest_chunks", filters=filters, **space.parts())


def passage_distance(space: SpaceParts) -> sql.Composable:
    """Fragment: a passage's distance to the query vector in the space."""
    return query("fragment_passage_distance", **space.parts())


def hit_passages(distance: sql.Composable) -> sql.Composable:
    """Fragment: a hit chunk's passages as JSON, each with its lexeme counts and `distance`."""
    return query("fragment_hit_passages", distance=distance)


async def search_text(
    conn: Conn, params: Mapping[str, Any], *, lexical: sql.Composable, passages: sql.Composable
) -> list[Row]:
    """Full-text hits, best first, each with its passages."""
    return await fetch_all(conn, "search_text", params, lexical=lexical, passages=passages)


async def search_semantic(
    conn: Conn,
    params: Mapping[str, Any],
    *,
    dense: sql.Composable,
    score: sql.Composable,
    passages: sql.Composable,
) -> list[Row]:
    """Vector hits, nearest first, each with its passages."""
    return await fetch_all(
        conn, "search_semantic", params, dense=dense, score=score, passages=passages
    )


async def search_hybrid(
    conn: Conn,
    params: Mapping[str, Any],
    *,
    lexical: sql.Composable,
    dense: sql.Composable,
    passages: sql.Composable,
) -> list[Row]:
    """Hits of both rankings fused: BM25 as a share of the query's term weights, distance
    scaled within the query; each with its passages."""
    return await fetch_all(
        conn, "search_hybrid", params, lexical=lexical, dense=dense, passages=passages
    )


async def search_records_text(
    conn: Conn, params: Mapping[str, Any], *, filters: sql.Composable
) -> list[Row]:
    """Decisions and intents matching the query, ranked by BM25."""
    return await fetch_all(conn, "search_records_text", params, filters=filters, records=records())


async def search_records_semantic(
    conn: Conn,
    params: Mapping[str, Any],
    *,
    filters: sql.Composable,
    space: SpaceParts,
    score: sql.Composable,
) -> list[Row]:
    """Decisions and intents nearest to the query vector, nearest first."""
    return await fetch_all(
        conn,
        "search_records_semantic",
        params,
        filters=filters,
        records=records(),
        score=score,
        **space.parts(),
    )
