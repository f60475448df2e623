"""How the passages inside the hits are scored: the hit's share, the words', the meaning's."""

from __future__ import annotations

from typing import Any

from mimir.search import passages
from mimir.search.weights import TermWeights

TERMS = TermWeights(idf={"kestrel": 3.0, "nest": 1.0}, candidates="", cap=0, scope_chunks=0)
BOTH = passages.Weights(hit=1.0, lexical=1.0, semantic=1.0)


def row(hit: int, counts: dict[str, int], distance: float | None = None) -> dict[str, Any]:
    return {"hit": hit, "counts": counts, "length": 10, "distance": distance}


def test_a_strong_turn_of_a_lower_hit_outranks_a_weak_turn_of_the_first() -> None:
    hits = [{"score": 1.0}, {"score": 0.9}, {"score": 0.8}]
    rows = [row(1, {"nest": 1}), row(1, {}), row(3, {"kestrel": 1, "nest": 1})]
    passages.rank(rows, hits, TERMS, BOTH)
    weak, silent, strong = (r["score"] for r in rows)
    assert strong > weak > silent
    # The words' share is BM25 over the query's term weights; at the mean length a term
    # held once scores its weight, so the strong turn has all of it, the weak a quarter.
    assert abs(strong - (0.8 + 1.0)) < 1e-9
    assert abs(weak - (1.0 + 0.25)) < 1e-9
    assert abs(silent - 1.0) < 1e-9


def test_meaning_is_scaled_within_the_passages_and_its_weight_applies() -> None:
    hits = [{"score": 2.0}, {"score": 1.0}]
    rows = [row(1, {}, distance=0.6), row(2, {}, distance=0.2), row(2, {}, distance=0.4)]
    passages.rank(rows, hits, None, passages.Weights(hit=1.0, lexical=0.0, semantic=2.0))
    assert [r["score"] for r in rows] == [1.0 + 0.0, 0.5 + 2.0, 0.5 + 1.0]


def test_negated_distances_give_the_hits_no_share() -> None:
    """A semantic hit in an l2 or inner-product space scores its negated distance: below 0,
    so the passages are ordered by their own distance alone."""
    hits = [{"score": -0.1}, {"score": -0.5}]
    rows = [row(1, {}, distance=0.3), row(2, {}, distance=0.1)]
    passages.rank(rows, hits, None, passages.Weights(hit=1.0, lexical=0.0, semantic=1.0))
    assert [r["score"] for r in rows] == [0.0, 1.0]
