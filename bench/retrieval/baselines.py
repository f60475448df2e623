"""Plain baselines over the same text, in process: BM25, dense cosine, and their RRF.

BM25 is `bm25s` (Lucene variant, k1=1.5, b=0.75) with English stopwords and the Snowball
English stemmer (PyStemmer), over single turns or over mimir's own chunks. Dense is
mimir's local model (`embed_texts`) over the same chunks, cosine on unit vectors. RRF fuses
the full BM25 and dense rankings of a conversation with k=60. Every index is per
conversation, as the searches are scoped to one. Latency covers the query's tokenizing or
embedding and the ranking.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
        "BM25 over mimir's chunks",
        "dense over mimir's chunks",
        "RRF(BM25, dense) over mimir's chunks",
    )

    def __init__(self, turns: Units, chunks: Units) -> None:
        self.turns, self.chunks = turns, chunks
        self.bm25_turns, self.bm25_chunks, self.dense = BM25(turns), BM25(chunks), Dense(chunks)

    def answers(self, query: str) -> dict[str, Answer]:
        everything = len(self.chunks.spans)
        turns, turns_ms = _timed(lambda: self.bm25_turns.ranking(query, LIMIT))
        lexical, lexical_ms = _timed(lambda: self.bm25_chunks.ranking(query, everything))
        dense, dense_ms = _timed(lambda: self.dense.ranking(query, everything))
        fused, fuse_ms = _timed(lambda: rrf([lexical, dense]))
        rankings = [
            (self.turns, turns, turns_ms),
            (self.chunks, lexical, lexical_ms),
            (self.chunks, dense, dense_ms),
            (self.chunks, fused, lexical_ms + dense_ms + fuse_ms),
        ]
        answers = {}
        for method, (units, order, ms) in zip(self.METHODS, rankings, strict=True):
            hits = [units.spans[i] for i in order[:LIMIT]]
            answers[method] = Answer(hits, hits, ms)
        return answers
