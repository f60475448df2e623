"""Plain baselines over the same text, in process: BM25, dense cosine, and their RRF.

BM25 is `bm25s` (Lucene variant, k1=1.5, b=0.75) with English stopwords and the Snowball
English stemmer (PyStemmer), over single turns or over mimir's own chunks. Dense is
mimir's local model (`embed_texts`) over the same units, cosine on unit vectors. RRF fuses
the full BM25 and dense rankings of a conversation with k=60. Every index is per
conversation, as the searches are scoped to one. Latency covers the query's tokenizing or
embedding and the ranking.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
import Stemmer
from numpy.typing import NDArray

from bench.retrieval.metrics import Answer, Span
from mimir.embedding.local import embed_texts

STEMMER = Stemmer.Stemmer("english")
RRF_K = 60
LIMIT = 10
EMBED_BATCH = 32


def _tokens(texts: list[str]) -> list[list[str]]:
    tokens: list[list[str]] = bm25s.tokenize(
        texts, stopwords="en", stemmer=STEMMER.stemWords, return_ids=False, show_progress=False
    )
    return tokens


@dataclass
class Units:
    """One conversation's retrieval units: their spans and texts."""

    spans: list[Span]
    texts: list[str]


class BM25:
    def __init__(self, units: Units) -> None:
        self.units = units
        self.index = bm25s.BM25()
        self.index.index(_tokens(units.texts), show_progress=False)

    def ranking(self, query: str, k: int) -> list[int]:
        tokens = _tokens([query])
        if not tokens[0]:
            return []
        k = min(k, len(self.units.spans))
        ids, scores = self.index.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [int(i) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


class Dense:
    def __init__(self, units: Units) -> None:
        self.units = units
        batches = [
            embed_texts(units.texts[i : i + EMBED_BATCH])
            for i in range(0, len(units.texts), EMBED_BATCH)
        ]
        self.vectors: NDArray[np.float32] = np.vstack(batches)

    def ranking(self, query: str, k: int) -> list[int]:
        similarity = self.vectors @ embed_texts([query])[0]
        return [int(i) for i in np.argsort(-similarity)[:k]]


def rrf(rankings: Sequence[list[int]], k: int = RRF_K) -> list[int]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, unit in enumerate(ranking, 1):
            scores[unit] = scores.get(unit, 0.0) + 1 / (k + rank)
    return sorted(scores, key=lambda unit: -scores[unit])


def _timed(rank: Callable[[], list[int]]) -> tuple[list[int], float]:
    started = time.perf_counter()
    order = rank()
    return order, (time.perf_counter() - started) * 1000


class Baselines:
    """Every baseline for one conversation. The chunk rankings are computed once per query
    and shared: RRF's latency is both rankings' plus the fusion."""

    METHODS = (
        "BM25 over single turns",
        "dense over single turns",
        "RRF(BM25, dense) over single turns",
        "BM25 over mimir's chunks",
        "dense over mimir's chunks",
        "RRF(BM25, dense) over mimir's chunks",
    )

    def __init__(self, turns: Units, chunks: Units) -> None:
        self.turns, self.chunks = turns, chunks
        self.bm25_turns, self.dense_turns = BM25(turns), Dense(turns)
        self.bm25_chunks, self.dense_chunks = BM25(chunks), Dense(chunks)

    @staticmethod
    def _three(bm25: BM25, dense: Dense, units: Units, query: str) -> list[Any]:
        """BM25, dense and their RRF over one kind of unit, each with its latency."""
        everything = len(units.spans)
        lexical, lexical_ms = _timed(lambda: bm25.ranking(query, everything))
        vector, vector_ms = _timed(lambda: dense.ranking(query, everything))
        fused, fuse_ms = _timed(lambda: rrf([lexical, vector]))
        return [
            (units, lexical, lexical_ms),
            (units, vector, vector_ms),
            (units, fused, lexical_ms + vector_ms + fuse_ms),
        ]

    def answers(self, query: str) -> dict[str, Answer]:
        rankings = self._three(self.bm25_turns, self.dense_turns, self.turns, query)
        rankings += self._three(self.bm25_chunks, self.dense_chunks, self.chunks, query)
        answers = {}
        for method, (units, order, ms) in zip(self.METHODS, rankings, strict=True):
            hits = [units.spans[i] for i in order[:LIMIT]]
            answers[method] = Answer(hits, hits, ms)
        return answers
