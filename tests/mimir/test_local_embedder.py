"""The local embedder's batching: cut by count and by padded tokens, results in input order."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from mimir.embedding import local
from mimir.embedding.local import (
    MAX_BATCH_TOKENS,
    MAX_TOKENS,
    TRIM_AFTER_TOKENS,
    LocalEmbedder,
    embed_texts,
    token_batches,
)


def test_batches_are_cut_by_count_and_by_padded_tokens() -> None:
    lengths = [MAX_TOKENS, 3, 100, MAX_TOKENS, 5, 120, 7, MAX_TOKENS]
    batches = token_batches(lengths, batch_size=3, max_tokens=300)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 300
    assert batches[0] == [1, 4, 6]  # the shortest together
    assert [len(batch) for batch in batches[-3:]] == [1, 1, 1]  # a long text alone
    assert token_batches([], 32) == []
    default = token_batches([MAX_TOKENS] * 64, batch_size=32)
    assert {len(batch) for batch in default} == {MAX_BATCH_TOKENS // MAX_TOKENS}


async def test_vectors_come_back_in_input_order_whatever_the_batching() -> None:
    texts = [" ".join(["word"] * n) + f" {n}" for n in (300, 2, 40, 7, 150, 1, 90, 3, 60, 11)]
    alone = np.array([embed_texts([text])[0] for text in texts])
    for embedder in (LocalEmbedder(batch_size=4), LocalEmbedder(batch_size=1)):  # 1: 2 windows
        together = np.array(await embedder.embed(texts), dtype=np.float32)
        assert together.shape == (len(texts), 384)
        cosines = (alone * together).sum(axis=1)
        assert (cosines > 0.999).all(), cosines
    assert await LocalEmbedder().embed([]) == []


def test_only_a_big_run_gives_its_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    embed_texts(["the model loads (and gives back what loading it took) before the runs"])
    trims: list[int] = []
    here = threading.get_ident()  # an app's embedding worker may run meanwhile, in its thread
    monkeypatch.setattr(
        local, "_malloc_trim", lambda: trims.append if threading.get_ident() == here else None
    )
    embed_texts(["what did we decide about the billing database?"])  # a query
    assert trims == []
    embed_texts([" ".join(["word"] * TRIM_AFTER_TOKENS)] * 2)  # a worker's batch
    assert trims == [0]
