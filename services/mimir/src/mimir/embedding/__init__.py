"""Embedding providers, spaces and the background worker.

A provider turns texts into unit vectors: `local` (the bundled int8 all-MiniLM-L6-v2 on
onnxruntime), `openai` (any OpenAI-compatible `/embeddings` endpoint), or `client`
(vectors supplied by the caller; the server never computes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    model: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...
