"""`make eval`: mimir's text, semantic and hybrid search beside plain baselines, on a
generated multi-session chat corpus, in one run, on a throwaway mimir.

`EVAL_SCALE` (default 1.0 = 8 conversations) scales the corpus, `EVAL_SEED` picks another
one, `EVAL_TURN_FORMAT` (`labelled`, `export`, `irc`) writes its turns in another of
`corpus.TURN_FORMATS`. Prints the table and writes `bench/results/<date>-retrieval.{md,json}`;
asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict

import harness

from bench.retrieval import corpus as corpus_module
from bench.retrieval.baselines import Baselines, Units
from bench.retrieval.corpus import Corpus, Question
from bench.retrieval.metrics import Span
from bench.retrieval.mimir_api import MODES, Chunk, Mimir
from bench.retrieval.report import Run, write
from bench.services import Services
from envelope import Topology

SCALE = float(os.environ.get("EVAL_SCALE", "1.0"))
SEED = int(os.environ.get("EVAL_SEED", "20261130"))
TURN_FORMAT = os.environ.get("EVAL_TURN_FORMAT", "labelled")
if TURN_FORMAT not in corpus_module.TURN_FORMATS:
    raise SystemExit(f"EVAL_TURN_FORMAT must be one of {', '.join(corpus_module.TURN_FORMATS)}")
WARMUP = 5


async def ask_mimir(mimir: Mimir, corpus: Corpus, run: Run) -> None:
    for mode in MODES:
        for question in corpus.questions[:WARMUP]:  # loads the model, fills caches
            await mimir.search(mode, question.text, question.conversation)
        for question in corpus.questions:
            run.add(
                f"mimir {mode}",
                question,
                await mimir.search(mode, question.text, question.conversation),
            )
        print(f"  mimir {mode}: done", flush=True)
    run.notes["R@2000ch source"] = {f"mimir {m}": mimir.budget_source.get(m, "") for m in MODES}


def ask_baselines(corpus: Corpus, chunks: list[Chunk], run: Run) -> None:
    by_conversation: dict[str, list[Question]] = defaultdict(list)
    for question in corpus.questions:
        by_conversation[question.conversation].append(question)
    started = time.perf_counter()
    for conversation, questions in by_conversation.items():
        turns = [t for s in corpus.sessions if s.conversation == conversation for t in s.turns]
        sessions = {t.id: s.id for s in corpus.sessions for t in s.turns}
        turn_units = Units(
            [Span(sessions[t.id], t.start, t.end) for t in turns], [t.text for t in turns]
        )
        mine = [c for c in chunks if c.conversation == conversation]
        baselines = Baselines(turn_units, Units([c.span for c in mine], [c.text for c in mine]))
        for question in questions:
            for method, answer in baselines.answers(question.text).items():
                run.add(method, question, answer)
    run.notes["baseline setup and queries (s)"] = round(time.perf_counter() - started, 1)


async def main() -> Run:
    generated = corpus_module.generate(SEED, max(1, round(corpus_module.CONVERSATIONS * SCALE)))
    corpus = corpus_module.rendered(generated, TURN_FORMAT)
    run = Run(corpus)
    print(
        f"corpus: {len(corpus.sessions)} sessions, {sum(len(s.turns) for s in corpus.sessions)}"
        f" turns, {len(corpus.questions)} questions (seed {SEED}, EVAL_SCALE={SCALE},"
        f" turns written as {TURN_FORMAT})",
        flush=True,
    )
    rid = harness.run_id()
    database, broker = harness.Database.create(rid), harness.Broker.create(rid)
    services = Services(database, broker, names=("mimir",))
    try:
        await broker.declare(Topology.installed())  # the services only check their queues
        services.start()
        print(f"mimir started; logs in {services.logs}", flush=True)
        async with services.client("mimir") as api:
            mimir = Mimir(api)
            run.notes["posting and indexing (s)"] = round(await mimir.load(corpus), 1)
            print(f"  indexed in {run.notes['posting and indexing (s)']} s", flush=True)
            await ask_mimir(mimir, corpus, run)
            chunks = mimir.chunks(services.conninfo("mimir"))
        run.notes["mimir chunks"] = len(chunks)
    finally:
        services.stop()
        database.drop()
        broker.drop()
    ask_baselines(corpus, chunks, run)
    return run


if __name__ == "__main__":
    started = time.perf_counter()
    result = asyncio.run(main())
    result.notes["wall time (s)"] = round(time.perf_counter() - started, 1)
    result.notes["load average at the end (1, 5, 15 min)"] = os.getloadavg()  # a shared machine
    table, paths = write(result)
    print(table)
    print(f"results: {paths[0]} and {paths[1]}")
