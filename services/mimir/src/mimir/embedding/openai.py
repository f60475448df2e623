"""The `openai` provider: any OpenAI-compatible `POST {base_url}/embeddings` endpoint.

A failure the endpoint may get over by itself (no connection, a timeout, 429, a 5xx) is a
`ProviderUnavailable`; any other 4xx (`httpx.HTTPStatusError`) or an answer of the wrong shape
or size (`ValueError`) would fail the same way again.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from envelope import BadRequest
from mimir.settings import MimirSettings

TOO_MANY_REQUESTS = 429


class ProviderUnavailable(Exception):
    """The endpoint cannot answer now; the same request may succeed later."""


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
                vectors.extend(await self._post(client, batch))
        for vector in vectors:
            if len(vector) != self.dimensions:
                raise ValueError(
                    f"the endpoint returned {len(vector)} dimensions, not {self.dimensions}"
                )
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        [vector] = await self.embed([text])
        return vector

    async def _post(self, client: httpx.AsyncClient, batch: list[str]) -> list[list[float]]:
        try:
            response = await client.post("embeddings", json={"model": self.model, "input": batch})
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
            raise ProviderUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code == TOO_MANY_REQUESTS or response.is_server_error:
            raise ProviderUnavailable(f"the endpoint answered {response.status_code}")
        response.raise_for_status()
        try:
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [[float(x) for x in item["embedding"]] for item in data]
        except (ValueError, LookupError, TypeError) as error:
            raise ValueError(f"the endpoint did not answer with embeddings: {error!r}") from error
        if len(vectors) != len(batch):
            raise ValueError(f"the endpoint returned {len(vectors)} vectors for {len(batch)} texts")
        return vectors
