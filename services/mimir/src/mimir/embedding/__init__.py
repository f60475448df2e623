"""Embedding providers, spaces and the background worker.

A provider turns texts into unit vectors: `local` (a bundled model: int8 all-MiniLM-L6-v2 on
onnxruntime, or multilingual-e5-small in 4 bits on its own engine), `openai` (any
OpenAI-compatible `/embeddings` endpoint), or `client` (vectors supplied by the caller; the
server never computes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    model: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text (a passage to be found), in order."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """The vector of a search query (asymmetric models embed questions differently)."""
        ...
