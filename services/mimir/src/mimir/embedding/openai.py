"""The `openai` provider: any OpenAI-compatible `POST {base_url}/embeddings` endpoint."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from envelope import BadRequest
from mimir.settings import MimirSettings


class OpenAIEmbedder:
    """Vectors from an OpenAI-compatible HTTP endpoint (`MIMIR_OPENAI_*` settings)."""

    def __init__(
        self,
        settings: MimirSettings,
        model: str,
        dimensions: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not settings.openai_base_url:
            raise BadRequest("the openai provider needs MIMIR_OPENAI_BASE_URL to be set")
        self.model = model
        self.dimensions = dimensions
        self.batch_size = settings.embedding_batch_size
        key = settings.openai_api_key.get_secret_value()
        self._client_args = {
            "base_url": settings.openai_base_url.rstrip("/") + "/",
            "headers": {"Authorization": f"Bearer {key}"} if key else {},
            "timeout": settings.openai_timeout_seconds,
            "transport": transport,
        }

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        async with httpx.AsyncClient(**self._client_args) as client:  # type: ignore[arg-type]
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                response = await client.post(
                    "embeddings", json={"model": self.model, "input": batch}
                )
                response.raise_for_status()
                data = sorted(response.json()["data"], key=lambda item: item["index"])
                vectors.extend([float(x) for x in item["embedding"]] for item in data)
        for vector in vectors:
            if len(vector) != self.dimensions:
                raise ValueError(
                    f"the endpoint returned {len(vector)} dimensions, not {self.dimensions}"
                )
        return vectors
