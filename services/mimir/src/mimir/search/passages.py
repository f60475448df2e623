"""Which passages of the hits answer the query, and the best of them packed into a budget.

A passage (a conversation turn, a document block) is ranked by three lists fused with
weighted reciprocal rank: its hit's rank, its own BM25 score against the query, and its
own vector distance to the query. So a turn that matches the words or the meaning ranks
above its neighbours, and a strong turn of the third hit can rank above a weak turn of
the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mimir.search.weights import TermWeights

K1, B = 1.2, 0.75
HEADLINE = "StartSel=<<, StopSel=>>, MaxWords=35, MinWords=12, MaxFragments=2"  # snippets
PASSAGES_PER_HIT = 3


@dataclass(frozen=True)
class Weights:
    hit: float
    lexical: float
    semantic: float
    rrf_k: int


def bm25(counts: dict[str, int], length: int, mean: float, terms: TermWeights) -> float:
    norm = K1 * (1 - B + B * length / mean)
    return sum(terms.idf.get(x, 0.0) * tf * (K1 + 1) / (tf + norm) for x, tf in counts.items())


def _ranks(values: dict[int, float], *, descending: bool) -> dict[int, int]:
    ordered = sorted(values, key=lambda i: (-values[i] if descending else values[i], i))
    return {index: rank for rank, index in enumerate(ordered, start=1)}


def rank(rows: list[dict[str, Any]], terms: TermWeights | None, weights: Weights) -> None:
    """Set `score` on every passage row (rows come from `list_hit_passages`)."""
    lexical: dict[int, float] = {}
    if terms is not None and rows:
        mean = max(sum(r["length"] for r in rows) / len(rows), 1.0)
        for index, row in enumerate(rows):
            score = bm25(row["counts"], row["length"], mean, terms)
            if score > 0:
                lexical[index] = score
    distances = {i: r["distance"] for i, r in enumerate(rows) if r["distance"] is not None}
    lexical_ranks = _ranks(lexical, descending=True)
    semantic_ranks = _ranks(distances, descending=False)
    k = weights.rrf_k
    for index, row in enumerate(rows):
        score = weights.hit / (k + row["hit"])
        if index in lexical_ranks:
            score += weights.lexical / (k + lexical_ranks[index])
        if index in semantic_ranks:
            score += weights.semantic / (k + semantic_ranks[index])
        row["score"] = score


def passage(row: dict[str, Any], hit: dict[str, Any] | None = None) -> dict[str, Any]:
    item = {
        "passage_id": row["passage_id"],
        "start_offset": row["start_offset"],
        "end_offset": row["end_offset"],
        "text": row["text"],
        "metadata": row["metadata"],
        "score": row["score"],
    }
    if hit is not None:
        item |= {
            "artifact_id": hit["artifact_id"],
            "version_id": hit["version_id"],
            "span_id": hit["span_id"],
        }
    return item


def attach(hits: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Give each hit its best passages, best first."""
    for number, hit in enumerate(hits, start=1):
        own = sorted((r for r in rows if r["hit"] == number), key=lambda r: -r["score"])
        hit["passages"] = [passage(r) for r in own[:PASSAGES_PER_HIT]]


def pack(hits: list[dict[str, Any]], rows: list[dict[str, Any]], budget: int) -> list[Any]:
    """The best passages across hits, best first, up to `budget` characters in all; a
    passage overlapping one already taken is left out. When even the best passage is
    longer than the budget, its first `budget` characters are taken."""
    taken: list[dict[str, Any]] = []
    spans: dict[UUID, list[tuple[int, int]]] = {}
    left = budget
    for row in sorted(rows, key=lambda r: -r["score"]):
        hit = hits[row["hit"] - 1]
        start, end = row["start_offset"], row["end_offset"]
        chosen = spans.setdefault(hit["version_id"], [])
        if any(start < e and s < end for s, e in chosen):
            continue
        if end - start > left:
            if taken:
                continue
            row = {**row, "end_offset": start + left, "text": row["text"][:left]}
            end = start + left
        chosen.append((start, end))
        taken.append(passage(row, hit))
        left -= end - start
        if left <= 0:
            break
    return taken
