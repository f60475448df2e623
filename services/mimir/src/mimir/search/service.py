"""Search: bounded first stages (GIN candidates, HNSW neighbours), exact ranking of the few.

The filter clauses are static SQL chosen from `FILTER_CLAUSES` by which filters the request
sets; values travel as parameters.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from envelope import BadRequest, NotFound
from mimir.embedding.spaces import OPERATORS, dimensions_literal, embedder_for, vector_text
from mimir.filters import in_project
from mimir.search.schemas import HybridSearch, SearchFilters, SemanticSearch, TextSearch
from mimir.settings import MimirSettings
from mimir.sql import Conn, Row, fetch_all, fetch_one, query

RRF_K = 60
HEADLINE = "StartSel=<<, StopSel=>>, MaxWords=35, MinWords=12, MaxFragments=2"
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


def compose_filters(filters: SearchFilters) -> tuple[sql.Composable, dict[str, Any]]:
    params = filters.model_dump(exclude_none=True)
    latest_only = params.pop("latest_only")
    clauses = [FILTER_CLAUSES[name] for name in params]
    if latest_only:
        clauses.append(FILTER_CLAUSES["latest_only"])
    if "metadata" in params:
        params["metadata"] = Jsonb(params["metadata"])
    where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
    return where, params


def depth(limit: int) -> int:
    """How deep each ranked list goes before fusion or the final cut."""
    return max(limit * 4, 40)


async def configure(conn: Conn, settings: MimirSettings) -> None:
    """Plan each search with its own values: a generic plan cannot see how selective a
    tsquery is, nor match the per-space partial index."""
    await fetch_one(conn, "configure_search", {"ef_search": str(settings.hnsw_ef_search)})


async def text(conn: Conn, body: TextSearch, settings: MimirSettings) -> list[Row]:
    await configure(conn, settings)
    where, params = compose_filters(body.filters)
    return await fetch_all(
        conn,
        "search_text",
        {
            **params,
            "query": body.query,
            "candidates": settings.search_candidates,
            "depth": body.limit,
            "limit": body.limit,
            "headline": HEADLINE,
        },
        lexical=query("fragment_lexical_ranked", filters=where),
    )


async def _space(conn: Conn, name: str | None, settings: MimirSettings) -> Row:
    space_name = name or settings.embedding_default_space
    space = await fetch_one(conn, "get_space_by_name", {"name": space_name})
    if space is None:
        raise NotFound("embedding space not found", name=space_name)
    return space


async def _query_vector(
    space: Row, text_query: str | None, vector: list[float] | None, settings: MimirSettings
) -> str:
    if vector is None:
        embedder = embedder_for(space, settings)
        if embedder is None:
            raise BadRequest("this space takes client vectors: pass `vector`", space=space["name"])
        assert text_query is not None
        [vector] = await embedder.embed([text_query])
    if len(vector) != space["dimensions"]:
        raise BadRequest(
            f"the vector must have {space['dimensions']} dimensions",
            space=space["name"],
            given=len(vector),
        )
    return vector_text(vector)


def _dense(space: Row, where: sql.Composable) -> sql.Composable:
    return query(
        "fragment_nearest_chunks",
        dimensions=dimensions_literal(space["dimensions"]),
        operator=sql.SQL(OPERATORS[space["distance"]]),
        space_id=sql.Literal(space["id"]),
        filters=where,
    )


async def _vector_search(
    conn: Conn, body: SemanticSearch | HybridSearch, settings: MimirSettings
) -> tuple[Row, dict[str, Any], sql.Composable]:
    """The space, the statement parameters (filters, vector, limit) and the filter SQL."""
    space = await _space(conn, body.space, settings)
    vector = await _query_vector(space, body.query, body.vector, settings)
    where, params = compose_filters(body.filters)
    await configure(conn, settings)
    return space, {**params, "vector": vector, "limit": body.limit}, where


async def semantic(
    conn: Conn, body: SemanticSearch, settings: MimirSettings
) -> tuple[Row, list[Row]]:
    space, params, where = await _vector_search(conn, body, settings)
    rows = await fetch_all(
        conn,
        "search_semantic",
        {**params, "depth": body.limit},
        dense=_dense(space, where),
        score=SCORES[space["distance"]],
    )
    return space, rows


async def hybrid(conn: Conn, body: HybridSearch, settings: MimirSettings) -> tuple[Row, list[Row]]:
    space, params, where = await _vector_search(conn, body, settings)
    rows = await fetch_all(
        conn,
        "search_hybrid",
        {
            **params,
            "query": body.query,
            "candidates": settings.search_candidates,
            "depth": depth(body.limit),
            "rrf_k": RRF_K,
            "headline": HEADLINE,
        },
        lexical=query("fragment_lexical_ranked", filters=where),
        dense=_dense(space, where),
    )
    return space, rows
