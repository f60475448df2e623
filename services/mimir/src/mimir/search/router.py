"""/api/v1/search: text, semantic and hybrid."""

from __future__ import annotations

from fastapi import APIRouter

from envelope import error_responses
from mimir.deps import ReadDep
from mimir.search import service
from mimir.search.schemas import HybridSearch, SearchResult, SemanticSearch, TextSearch

router = APIRouter(prefix="/search", tags=["search"])


@router.post(
    "/text",
    response_model=SearchResult,
    summary="Full-text search",
    responses=error_responses(400, 422, 503),
)
async def search_text(body: TextSearch, work: ReadDep) -> SearchResult:
    """Chunks matching a web-style query (`websearch_to_tsquery`, English), ranked by
    `ts_rank_cd`, with a highlighted snippet.

    The first stage takes at most `MIMIR_SEARCH_CANDIDATES` matches from the GIN index and
    ranks only those, which keeps the latency tail flat for very common terms. Every hit
    carries its artifact, version and character offsets, and the exact text.
    """
    rows = await service.text(work.conn, body, work.settings)
    return SearchResult.model_validate({"mode": "text", "hits": rows})


@router.post(
    "/semantic",
    response_model=SearchResult,
    summary="Vector similarity search",
    responses=error_responses(400, 404, 422, 503),
)
async def search_semantic(body: SemanticSearch, work: ReadDep) -> SearchResult:
    """Chunks nearest to the query text (embedded with the space's model) or to a given
    vector, from the space's HNSW index. Filters use iterative index scans so a selective
    filter still returns `limit` hits. 404 for an unknown space."""
    space, rows = await service.semantic(work.conn, body, work.settings)
    return SearchResult.model_validate({"mode": "semantic", "space": space["name"], "hits": rows})


@router.post(
    "/hybrid",
    response_model=SearchResult,
    summary="Hybrid search (full-text + vector, RRF)",
    responses=error_responses(400, 404, 422, 503),
)
async def search_hybrid(body: HybridSearch, work: ReadDep) -> SearchResult:
    """Full-text and vector rankings fused by reciprocal rank (k = 60) in one SQL
    statement; each hit shows its rank in either list (null where it was absent)."""
    space, rows = await service.hybrid(work.conn, body, work.settings)
    return SearchResult.model_validate({"mode": "hybrid", "space": space["name"], "hits": rows})
