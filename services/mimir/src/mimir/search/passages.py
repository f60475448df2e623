"""Which passages of the hits answer the query, and the best of them packed into a budget.

A passage (a conversation turn, a document block) scores three weighted shares, as hits
are fused: its hit's (the hit's score over the best hit's; 0 where scores are negated
distances), its words' (its own BM25 over the sum of the query's term weights) and its
meaning's (its vector distance scaled within the passages: the nearest 1, the farthest 0).
So a turn that matches the words or the meaning ranks above its neighbours, and a strong
turn of the third hit can rank above a weak turn of the first.
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


def bm25(counts: dict[str, int], length: int, mean: float, terms: TermWeights) -> float:
    norm = K1 * (1 - B + B * length / mean)
    return sum(terms.idf.get(x, 0.0) * tf * (K1 + 1) / (tf + norm) for x, tf in counts.items())


def relative(scores: dict[Any, float]) -> dict[Any, float]:
    """Scores scaled to [0, 1] within their ranking: the best 1, the worst 0, a lone one 1."""
    if not scores:
        return {}
    low, span = min(scores.values()), max(scores.values()) - min(scores.values())
    return {key: (score - low) / span if span > 0 else 1.0 for key, score in scores.items()}


def rank(
    rows: list[dict[str, Any]],
    hits: list[dict[str, Any]],
    terms: TermWeights | None,
    weights: Weights,
) -> None:
    """Set `score` on every passage row (rows are the hits' `passage_rows`, `hit` numbering
    `hits` from 1)."""
    scores = [float(hit["score"]) for hit in hits]
    best = max(scores, default=0.0)
    by_hit = {n: max(s, 0.0) / best if best > 0 else 0.0 for n, s in enumerate(scores, start=1)}
    by_meaning = relative(
        {i: -row["distance"] for i, row in enumerate(rows) if row["distance"] is not None}
    )
    ceiling = sum(terms.idf.values()) if terms is not None else 0.0
    mean = max(sum(r["length"] for r in rows) / len(rows), 1.0) if rows else 1.0
    for index, row in enumerate(rows):
        score = weights.hit * by_hit.get(row["hit"], 0.0)
        if terms is not None and ceiling > 0:
            words = bm25(row["counts"], row["length"], mean, terms) / ceiling
            score += weights.lexical * words
        row["score"] = score + weights.semantic * by_meaning.get(index, 0.0)


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
