"""The e5 model of the local provider: asymmetric query and passage vectors, a paraphrase
found by meaning, and spaces that name it get it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from envelope import BadRequest
from mimir.embedding.e5 import DIMENSIONS, MODEL, E5Embedder
from mimir.embedding.local import LocalEmbedder
from mimir.embedding.queries import EmbeddingSpace
from mimir.embedding.spaces import embedder_for, resolve_model
from mimir.settings import MimirSettings

PASSAGES = [
    "carol: the nightly backup of the billing database moves to 02:00 UTC",
    "bob: we retry a failed payment three times, doubling the wait each time",
    "alice: the new office opens in Lisbon next spring",
]


async def test_a_paraphrased_question_finds_its_passage_first() -> None:
    embedder = E5Embedder(threads=1)
    passages = np.array(await embedder.embed(PASSAGES), dtype=np.float32)
    assert passages.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    question = np.array(await embedder.embed_query("how often do we try a charge again?"))
    assert int(np.argmax(passages @ question)) == 1
    # e5 is asymmetric: the same words as a query and as a passage are different vectors
    [as_passage] = await embedder.embed([PASSAGES[0]])
    assert float(np.dot(as_passage, await embedder.embed_query(PASSAGES[0]))) < 0.999
    assert await embedder.embed([]) == []


def test_a_local_space_may_name_the_e5_model() -> None:
    settings = MimirSettings()
    assert resolve_model("local", MODEL, None, settings) == (MODEL, DIMENSIONS)
    assert resolve_model("local", None, None, settings)[0] == settings.embedding_local_model
    with pytest.raises(BadRequest, match=MODEL):
        resolve_model("local", "bge-large-en", None, settings)
    space = EmbeddingSpace(
        id=uuid.uuid4(),
        name="e5",
        provider="local",
        model=MODEL,
        dimensions=DIMENSIONS,
        distance="cosine",
        status="ready",
        created_at=datetime.now(UTC),
    )
    assert isinstance(embedder_for(space, settings), E5Embedder)
    other = replace(space, model=settings.embedding_local_model)
    assert isinstance(embedder_for(other, settings), LocalEmbedder)
