"""How much each query term weighs (BM25's inverse document frequency), and which chunks
are worth scoring in a wide search.

Within a narrow scope (filters covering at most `MIMIR_SEARCH_EXACT_CHUNKS` chunks, e.g.
one conversation) the scope is counted, every match is scored, and each term is weighed by
how many of the scope's chunks hold it, so the weights are exact; the ranking statement
returns them, and the hits' passages are weighed with them too. A wider search takes them
from PostgreSQL's own column statistics (`pg_stats` of `spans.tsv`, kept by ANALYZE),
cached per process until the next ANALYZE (so every process weighs alike), and scores the
chunks that hold one of the rarest terms — as many terms as fit `MIMIR_SEARCH_CANDIDATES`
estimated matches, rarest first — and all matches only when those give too few hits. A
chunk holding nothing but very common terms cannot outrank one holding a rare term by much,
so the best chunks stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from psycopg import sql

from mimir.search import queries
from mimir.search.queries import LexemeStatistics
from mimir.search.query import LexicalQuery, Unit
from mimir.settings import MimirSettings
from mimir.sql import Conn

NARROWING = frozenset(
    ("artifact_type", "source", "artifact_id", "metadata", "created_after", "created_before",
     "project_id")
)  # fmt: skip


@dataclass(frozen=True)
class TermWeights:
    idf: dict[str, float]  # from the corpus statistics
    candidates: str  # tsquery text: the chunks to score match it
    cap: int  # at most this many of them
    scope_chunks: int  # the chunks in a narrow scope, to weigh terms in it (0: a wide search)


@dataclass(frozen=True)
class CorpusStatistics:
    chunks: float
    shares: dict[str, float]
    rare_share: float  # a lexeme not listed is held by fewer rows than this


_cache: dict[str, tuple[datetime | None, CorpusStatistics]] = {}  # by database, with its version


def idf(chunks: float, holding: float) -> float:
    holding = min(max(holding, 0.0), chunks)
    return math.log(1 + (chunks - holding + 0.5) / (holding + 0.5))


async def weigh(
    conn: Conn,
    query: LexicalQuery,
    where: sql.Composable,
    params: dict[str, Any],
    settings: MimirSettings,
) -> TermWeights:
    limit = settings.search_exact_chunks
    if NARROWING & params.keys():
        count = await queries.count_scope_chunks(conn, params, limit, where)
        if count <= limit:  # weighed in the scope by the ranking statement: see `exact`
            unknown = dict.fromkeys(query.lexemes, 0.0)
            return TermWeights(unknown, query.tsquery(), limit, max(count, 1))
    corpus = await corpus_statistics(conn)
    shares = {x: corpus.shares.get(x, corpus.rare_share / 2) for x in query.lexemes}
    weights = {x: idf(corpus.chunks, share * corpus.chunks) for x, share in shares.items()}
    budget = settings.search_candidates
    rare = query.tsquery(rarest(query, shares, corpus.chunks, budget))
    return TermWeights(weights, rare, budget, 0)


def exact(terms: TermWeights, hits: list[dict[str, Any]]) -> TermWeights:
    """A narrow search's weights as its ranking statement found them in the scope, taken off
    the hits (each carries them as `term_weights`), so that passages are weighed as their
    chunks are. Without a lexical hit no passage holds a term, and the weights stay 0."""
    found = [weights for hit in hits if (weights := hit.pop("term_weights", None))]
    if not terms.scope_chunks or not found:
        return terms
    return replace(terms, idf={x: float(found[0].get(x, 0.0)) for x in terms.idf})


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
    """The statistics of the last ANALYZE: read again once another has run, checked with a
    one-row statement rather than the whole list of lexemes. The version is read first, so
    an ANALYZE in between costs one more reading, never a stale one."""
    key = f"{conn.info.dbname}:{conn.info.host}:{conn.info.port}"
    version = await queries.get_statistics_version(conn)
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    statistics = _corpus(await queries.get_lexeme_statistics(conn))
    _cache[key] = (version, statistics)
    return statistics


def _corpus(row: LexemeStatistics | None) -> CorpusStatistics:
    """Before the first ANALYZE nothing is known: every term then weighs the same."""
    if row is None:
        row = LexemeStatistics(None, None, None, None)
    chunks = max(float(row.spans or 0) * float(row.chunk_share or 1), 1.0)
    lexemes = row.lexemes or []
    values = row.shares or []
    shares = dict(zip(lexemes, values[: len(lexemes)], strict=True))
    rare = values[len(lexemes)] if len(values) > len(lexemes) else 1 / chunks
    return CorpusStatistics(chunks, shares, rare)
