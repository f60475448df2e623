"""The run's scores per method, its tables, and `bench/results/<date>-retrieval.{md,json}`
(`<date>-retrieval-<format>.*` when the turns are written in another format)."""

from __future__ import annotations

import json
import platform
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.core import RESULTS
from bench.retrieval.corpus import Corpus, Question
from bench.retrieval.metrics import FIGURES, Answer, score, summarise

GROUPS = ("single", "updated", "history", "multi-hop", "lexical", "paraphrase")


@dataclass
class Run:
    corpus: Corpus
    scores: dict[str, list[tuple[Question, dict[str, float], float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.turns = self.corpus.turns()

    def add(self, method: str, question: Question, answer: Answer) -> None:
        evidence = [(self.turns[t][0].id, self.turns[t][1]) for t in question.evidence]
        self.scores[method].append((question, score(answer, evidence), answer.ms))

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            method: summarise(
                [q for q, _, _ in rows], [s for _, s, _ in rows], [ms for _, _, ms in rows]
            )
            for method, rows in self.scores.items()
        }

    def by_group(self, figure: str = "R@10") -> dict[str, dict[str, float]]:
        """`figure` per method for each question kind and wording."""
        table: dict[str, dict[str, float]] = {}
        for method, rows in self.scores.items():
            table[method] = {}
            for group in GROUPS:
                values = [s[figure] for q, s, _ in rows if group in (q.kind, q.wording)]
                table[method][group] = sum(values) / len(values) if values else float("nan")
        return table


def _latency(method: str, summary: dict[str, float]) -> str:
    where = "HTTP" if method.startswith("mimir") else "in-process"
    return f"{summary['p50_ms']:.1f} / {summary['p95_ms']:.1f} ms {where}"


def tables(run: Run) -> str:
    summary = run.summary()
    lines = [
        "| method | " + " | ".join(FIGURES) + " | p50 / p95 |",
        "|---" * (len(FIGURES) + 2) + "|",
    ]
    for method, s in summary.items():
        figures = " | ".join(f"{s[f]:.3f}" for f in FIGURES)
        lines.append(f"| {method} | {figures} | {_latency(method, s)} |")
    counts = {g: sum(g in (q.kind, q.wording) for q in run.corpus.questions) for g in GROUPS}
    lines += [
        "",
        "R@10 by question kind and wording (questions in each):",
        "",
        "| method | " + " | ".join(f"{g} ({counts[g]})" for g in GROUPS) + " |",
        "|---" * (len(GROUPS) + 1) + "|",
    ]
    for method, groups in run.by_group().items():
        lines.append(f"| {method} | " + " | ".join(f"{groups[g]:.3f}" for g in GROUPS) + " |")
    return "\n".join(lines)


def write(run: Run) -> tuple[str, tuple[Path, Path]]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    corpus = run.corpus
    about = {
        "seed": corpus.seed,
        "conversations": len({s.conversation for s in corpus.sessions}),
        "sessions": len(corpus.sessions),
        "turns": sum(len(s.turns) for s in corpus.sessions),
        "questions": len(corpus.questions),
        "characters": sum(len(s.content) for s in corpus.sessions),
        "turn format": corpus.turn_format,
    }
    name = "retrieval" if corpus.turn_format == "labelled" else f"retrieval-{corpus.turn_format}"
    machine = {"python": platform.python_version(), "when": datetime.now(UTC).isoformat()}
    table = tables(run)
    json_path = RESULTS / f"{stamp}-{name}.json"
    data = {
        "corpus": about,
        "machine": machine,
        "notes": run.notes,
        "methods": run.summary(),
        "r10_by_group": run.by_group(),
    }
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    md_path = RESULTS / f"{stamp}-{name}.md"
    notes = "\n".join(f"- {k}: {v}" for k, v in run.notes.items())
    md_path.write_text(
        f"# Retrieval results {stamp}\n\n"
        f"Corpus: {about['conversations']} conversations, {about['sessions']} sessions, "
        f"{about['turns']} turns ({about['characters']:,} characters), "
        f"{about['questions']} questions, seed {about['seed']}, turns written as "
        f"{about['turn format']}.\n\n"
        f"{table}\n\n{notes}\n"
    )
    return table, (json_path, md_path)
