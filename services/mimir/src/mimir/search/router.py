"""/api/v1/search: text, semantic and hybrid."""

from __future__ import annotations

from fastapi import APIRouter, Request

from envelope import answer_example, error_responses
from mimir.deps import ReadDep
from mimir.search import service
from mimir.search.schemas import (
    HYBRID_HIT_EXAMPLE,
    SEMANTIC_HIT_EXAMPLE,
    HybridSearch,
    SearchResult,
    SemanticSearch,
    TextSearch,
)
from mimir.settings import MimirSettings

router = APIRouter(prefix="/search", tags=["search"])


async def _query_vector(
    request: Request, body: SemanticSearch | HybridSearch
) -> service.QueryVector:
    """The space from a short transaction, then the query embedded with no connection held."""
    settings: MimirSettings = request.app.state.settings
    async with request.app.state.uow() as conn:
        space = await service.find_space(conn, body.space, settings)
    return await service.query_vector(space, body.query, body.vector, settings)


@router.post(
    "/text",
    response_model=SearchResult,
    summary="Full-text search (BM25)",
    responses=error_responses(400, 422, 503),
)
async def search_text(body: TextSearch, work: ReadDep) -> SearchResult:
    """Chunks holding any of the query's words or phrases (and none of its `-exclusions`),
    ranked by BM25, each with its best passages and a highlighted snippet.

    Term weights (inverse document frequency) are exact within a narrow scope such as one
    `source`; wider searches take them from the database's statistics and score the chunks
    holding the rarest terms (see the decision log). Every hit carries its artifact,
    version and character offsets, and the exact text.
    """
    found = await service.text(work.conn, body, work.settings)
    return SearchResult.model_validate({"mode": "text", **found})


@router.post(
    "/semantic",
    response_model=SearchResult,
    summary="Vector similarity search",
    responses={
        **answer_example(
            SearchResult, mode="semantic", space="default", hits=[SEMANTIC_HIT_EXAMPLE]
        ),
        **error_responses(400, 404, 422, 503),
    },
)
async def search_semantic(body: SemanticSearch, request: Request) -> SearchResult:
    """Chunks ranked by their passage nearest to the query text (embedded with the space's
    model) or to a given vector, from the space's HNSW index, each with its best passages.
    Filters use iterative index scans so a selective filter still returns `limit` hits.
    404 for an unknown space."""
    target = await _query_vector(request, body)
    async with request.app.state.uow() as conn:
        found = await service.semantic(conn, body, target, request.app.state.settings)
    return SearchResult.model_validate({"mode": "semantic", "space": target.space.name, **found})


@router.post(
    "/hybrid",
    response_model=SearchResult,
    summary="Hybrid search (BM25 + vector, fused by score)",
    responses={
        **answer_example(SearchResult, mode="hybrid", space="default", hits=[HYBRID_HIT_EXAMPLE]),
        **error_responses(400, 404, 422, 503),
    },
)
async def search_hybrid(body: HybridSearch, request: Request) -> SearchResult:
    """The full-text and vector rankings fused by score. A hit's words count as its BM25
    score over the sum of the query's term weights (1 when it holds each term once at the
    mean length, near 0 when it holds only a common one); its meaning as its distance scaled
    within the query (the nearest 1, the farthest 0). Both are weighted by `lexical_weight`
    and `semantic_weight` and summed, so a hit strong in both beats one that tops a single
    list, and a weak match by words does not outweigh meaning. Each hit shows its rank in
    either list (null where it was absent) and its best passages, chosen by words and
    meaning."""
    target = await _query_vector(request, body)
    async with request.app.state.uow() as conn:
        found = await service.hybrid(conn, body, target, request.app.state.settings)
    return SearchResult.model_validate({"mode": "hybrid", "space": target.space.name, **found})
