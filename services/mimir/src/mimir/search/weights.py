"""How much each query term weighs (BM25's inverse document frequency), and which chunks
are worth scoring.

Within a narrow scope (at most `MIMIR_SEARCH_EXACT_CHUNKS` chunks, e.g. one conversation)
the statistics are exact: the chunks in scope are counted, and so is each term. A wider
search takes them from PostgreSQL's own column statistics (`pg_stats` of `spans.tsv`, kept
by ANALYZE), cached per process, and scores only the chunks that hold one of the rarest
terms — as many terms as fit in the candidate budget, rarest first. A chunk holding nothing
but very common terms cannot outrank one holding a rare term, so the best chunks stay.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from psycopg import sql

from mimir.search.query import LexicalQuery, Unit, lexeme_query
from mimir.sql import Conn, Row, fetch_one

STATISTICS_TTL_SECONDS = 300.0
NARROWING = frozenset(
    ("artifact_type", "source", "artifact_id", "metadata", "created_after", "created_before",
     "project_id")
)  # fmt: skip


@dataclass(frozen=True)
class TermWeights:
    idf: dict[str, float]
    mean_length: float | None  # of the chunks in scope; None: of the candidates scored
    candidates: str  # tsquery text: only chunks matching it are scored


@dataclass(frozen=True)
class CorpusStatistics:
    chunks: float
    shares: dict[str, float]
    rare_share: float  # a lexeme not listed is held by fewer rows than this


_cache: dict[str, tuple[float, CorpusStatistics]] = {}


def idf(chunks: float, holding: float) -> float:
    holding = min(max(holding, 0.0), chunks)
    return math.log(1 + (chunks - holding + 0.5) / (holding + 0.5))


async def weigh(
    conn: Conn,
    query: LexicalQuery,
    where: sql.Composable,
    params: dict[str, object],
    exact_chunks: int,
) -> TermWeights:
    lexemes = query.lexemes
    if NARROWING & params.keys():
        scope = await fetch_one(
            conn,
            "get_scope_statistics",
            {**params, "cap": exact_chunks, "lexeme_queries": [lexeme_query(x) for x in lexemes]},
            filters=where,
        )
        assert scope is not None
        if scope["chunks"] <= exact_chunks:
            weights = {
                lexeme: idf(scope["chunks"], holding)
                for lexeme, holding in zip(lexemes, scope["frequencies"], strict=True)
            }
            mean = float(scope["mean_length"] or 1.0)
            return TermWeights(weights, max(mean, 1.0), query.tsquery())
    corpus = await corpus_statistics(conn)
    shares = {x: corpus.shares.get(x, corpus.rare_share / 2) for x in lexemes}
    weights = {x: idf(corpus.chunks, share * corpus.chunks) for x, share in shares.items()}
    candidates = query.tsquery(rarest(query, shares, corpus.chunks, exact_chunks))
    return TermWeights(weights, None, candidates)


def rarest(
    query: LexicalQuery, shares: dict[str, float], chunks: float, budget: int
) -> tuple[Unit, ...]:
    """The rarest units whose estimated matches together fit the budget (at least one)."""

    def share(unit: Unit) -> float:  # a phrase is no more common than its rarest word
        return min((shares[x] for x in unit.lexemes), default=0.0)

    chosen: list[Unit] = []
    total = 0.0
    for unit in sorted(query.units, key=share):
        total += share(unit) * chunks
        if chosen and total > budget:
            break
        chosen.append(unit)
    return tuple(chosen)


async def corpus_statistics(conn: Conn) -> CorpusStatistics:
    key = f"{conn.info.dbname}:{conn.info.host}:{conn.info.port}"
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < STATISTICS_TTL_SECONDS:
        return cached[1]
    row = await fetch_one(conn, "get_lexeme_statistics")
    statistics = _corpus(row or {})
    _cache[key] = (time.monotonic(), statistics)
    return statistics


def _corpus(row: Row) -> CorpusStatistics:
    """Before the first ANALYZE nothing is known: every term then weighs the same."""
    chunks = max(float(row.get("spans") or 0) * float(row.get("chunk_share") or 1), 1.0)
    lexemes: list[str] = row.get("lexemes") or []
    values: list[float] = row.get("shares") or []
    shares = dict(zip(lexemes, values[: len(lexemes)], strict=True))
    rare = values[len(lexemes)] if len(values) > len(lexemes) else 1 / chunks
    return CorpusStatistics(chunks, shares, rare)
