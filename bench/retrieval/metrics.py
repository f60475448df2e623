"""Coverage of evidence turns by ranked spans, and the figures built on it.

A span covers an evidence turn when both index the same session's content and the span's
[start, end) overlaps the turn's range. Per question: R@k is the share of its evidence
turns covered by the top k spans, hit@k whether any is, MRR@10 the reciprocal rank of the
first covering span (0 past 10), and R@2000ch the share covered by the budget spans cut
at 2,000 characters in order. Every figure is the mean over questions.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.core import percentile
from bench.retrieval.corpus import Question, Turn

BUDGET_CHARS = 2000


@dataclass(frozen=True)
class Span:
    session: str
    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    hits: list[Span]  # ranked
    budget: list[Span]  # what a caller would read, in order, before the 2,000-char cut
    ms: float


def covers(span: Span, session: str, turn: Turn) -> bool:
    return span.session == session and span.start < turn.end and turn.start < span.end


def cut(spans: Iterable[Span], chars: int = BUDGET_CHARS) -> list[Span]:
    """The spans in order until `chars` characters are spent; the last one truncated."""
    kept, left = [], chars
    for span in spans:
        if left <= 0:
            break
        end = min(span.end, span.start + left)
        kept.append(Span(span.session, span.start, end))
        left -= end - span.start
    return kept


def _covered(spans: Sequence[Span], evidence: list[tuple[str, Turn]]) -> int:
    return sum(any(covers(s, session, turn) for s in spans) for session, turn in evidence)


def score(answer: Answer, evidence: list[tuple[str, Turn]]) -> dict[str, float]:
    """One question's figures; `evidence` is (session id, turn) per evidence turn."""
    n = len(evidence)
    first = next(
        (rank for rank, hit in enumerate(answer.hits[:10], 1) if _covered([hit], evidence)), None
    )
    return {
        "R@5": _covered(answer.hits[:5], evidence) / n,
        "R@10": _covered(answer.hits[:10], evidence) / n,
        "hit@1": float(_covered(answer.hits[:1], evidence) > 0),
        "hit@10": float(_covered(answer.hits[:10], evidence) > 0),
        "MRR@10": 1 / first if first else 0.0,
        "R@2000ch": _covered(cut(answer.budget), evidence) / n,
    }


FIGURES = ("R@5", "R@10", "hit@1", "hit@10", "MRR@10", "R@2000ch")


def summarise(
    questions: Sequence[Question], scores: Sequence[dict[str, float]], ms: Sequence[float]
) -> dict[str, float]:
    """Mean of each figure over the questions, latency percentiles, and the question count."""
    summary = {f: statistics.fmean(s[f] for s in scores) for f in FIGURES}
    summary.update(p50_ms=percentile(list(ms), 50), p95_ms=percentile(list(ms), 95))
    summary["questions"] = float(len(questions))
    return summary
