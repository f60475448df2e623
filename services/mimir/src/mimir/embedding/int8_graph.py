"""The packaged model's graph, rewritten on load so that its products read the int8 weights.

The model file keeps every weight as int8 with a float scale per output column (per row for
the embedding tables), and its graph turns them back into float32 (`Cast`, then `Mul` by the
scale) in front of each `MatMul` and `Gather`. onnxruntime folds those into float32 constants
when it makes the session: about 60 MB more a process, and every product in float32. So,
before the session is made:

- a `MatMul` over such a weight becomes onnxruntime's `MatMulNBits` with 8 bits: the same
  int8 values (stored plus 128, with 128 as every block's zero point) and the column's scale
  for each block of `BLOCK` rows, computed in int8 on activations quantized per block
  (`accuracy_level` 4): a vector's cosine to the float32 graph's is 0.9997 on average over
  the retrieval evaluation's texts, and 0.998 for a word alone;
- a `Gather` over such a table gathers the int8 rows and scales them afterwards.

Only the fields of ONNX's protobuf messages that the rewrite reads or writes are declared
(`onnx.proto`'s numbers); protobuf keeps every other field as an unknown one and writes it
back as it was. A graph without the pattern comes back unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

BLOCK = 32  # rows per activation scale; the smallest block keeps vectors closest to float32
FLOAT, UINT8, INT8 = 1, 2, 3  # TensorProto.DataType
ATTRIBUTE_INT = 2  # AttributeProto.AttributeType.INT
MICROSOFT = "com.microsoft"  # the domain of onnxruntime's own operators

_Field = descriptor_pb2.FieldDescriptorProto
# message: (field, number, type, repeated, message type)
_SCHEMA: dict[str, list[tuple[str, int, int, bool, str]]] = {
    "Model": [
        ("graph", 7, _Field.TYPE_MESSAGE, False, "Graph"),
        ("opset_import", 8, _Field.TYPE_MESSAGE, True, "OperatorSetId"),
    ],
    "OperatorSetId": [
        ("domain", 1, _Field.TYPE_STRING, False, ""),
        ("version", 2, _Field.TYPE_INT64, False, ""),
    ],
    "Graph": [
        ("node", 1, _Field.TYPE_MESSAGE, True, "Node"),
        ("initializer", 5, _Field.TYPE_MESSAGE, True, "Tensor"),
    ],
    "Node": [
        ("input", 1, _Field.TYPE_STRING, True, ""),
        ("output", 2, _Field.TYPE_STRING, True, ""),
        ("name", 3, _Field.TYPE_STRING, False, ""),
        ("op_type", 4, _Field.TYPE_STRING, False, ""),
        ("attribute", 5, _Field.TYPE_MESSAGE, True, "Attribute"),
        ("domain", 7, _Field.TYPE_STRING, False, ""),
    ],
    "Attribute": [
        ("name", 1, _Field.TYPE_STRING, False, ""),
        ("i", 3, _Field.TYPE_INT64, False, ""),
        ("type", 20, _Field.TYPE_INT32, False, ""),
    ],
    "Tensor": [
        ("dims", 1, _Field.TYPE_INT64, True, ""),
        ("data_type", 2, _Field.TYPE_INT32, False, ""),
        ("name", 8, _Field.TYPE_STRING, False, ""),
        ("raw_data", 9, _Field.TYPE_BYTES, False, ""),
    ],
}


@functools.cache
def onnx_messages() -> dict[str, Any]:
    """The message classes of `_SCHEMA`, made once."""
    file = descriptor_pb2.FileDescriptorProto(name="mimir_onnx.proto", package="mimir_onnx")
    for message, fields in _SCHEMA.items():
        described = file.message_type.add(name=message)
        for name, number, kind, repeated, type_name in fields:
            described.field.add(
                name=name,
                number=number,
                type=kind,
                label=_Field.LABEL_REPEATED if repeated else _Field.LABEL_OPTIONAL,
                type_name=f".mimir_onnx.{type_name}" if type_name else None,
            )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        message: message_factory.GetMessageClass(
            pool.FindMessageTypeByName(f"mimir_onnx.{message}")
        )
        for message in _SCHEMA
    }


@dataclass(frozen=True)
class _Dequantized:
    """`Mul(Cast(weight), scales)`: an int8 weight turned back into float32 by the graph."""

    weight: Any  # Tensor, int8, two dimensions
    scales: Any  # Tensor, float32
    steps: tuple[str, str]  # the outputs of the Cast and of the Mul


def int8_products(model: bytes) -> bytes:
    """The model with each `MatMul` and `Gather` over a dequantized int8 weight reading it as
    int8 (see the module's docstring)."""
    messages = onnx_messages()
    parsed = messages["Model"].FromString(model)
    graph = parsed.graph
    tensors = {tensor.name: tensor for tensor in graph.initializer}
    made_by = {output: node for node in graph.node for output in node.output}

    def dequantized(name: str, scaled_by: str) -> _Dequantized | None:
        """What makes `name`, when it is an int8 weight scaled by "column" or by "row"."""
        mul = made_by.get(name)
        cast = made_by.get(mul.input[0]) if mul is not None and mul.op_type == "Mul" else None
        if mul is None or cast is None or cast.op_type != "Cast":
            return None
        weight, scales = tensors.get(cast.input[0]), tensors.get(mul.input[1])
        if weight is None or scales is None or not (weight.raw_data and scales.raw_data):
            return None
        if (weight.data_type, scales.data_type, len(weight.dims)) != (INT8, FLOAT, 2):
            return None
        rows, columns = weight.dims
        fits = (
            len(scales.raw_data) == 4 * columns and rows % BLOCK == 0
            if scaled_by == "column"
            else list(scales.dims) == [rows, 1]
        )
        return _Dequantized(weight, scales, (cast.output[0], mul.output[0])) if fits else None

    nodes: list[Any] = []
    added: list[Any] = []
    rewritten: list[_Dequantized] = []
    for node in graph.node:
        if node.op_type == "MatMul" and (found := dequantized(node.input[1], "column")):
            product, made = _matmul_nbits(messages, node, found)
            nodes.append(product)
            added.extend(made)
        elif _gathers_rows(node) and (found := dequantized(node.input[0], "row")):
            nodes.extend(_gather_rows(messages, node, found))
        else:
            nodes.append(node)
            continue
        rewritten.append(found)
    if not rewritten:
        return model
    steps = {output for found in rewritten for output in found.steps}
    for _ in range(2):  # the Muls no node reads any more, then the Casts they read
        read = _read(nodes)
        nodes = [node for node in nodes if node.output[0] not in steps or node.output[0] in read]
    read = _read(nodes)
    dropped = {t.name for found in rewritten for t in (found.weight, found.scales)} - read
    initializers = [t for t in [*graph.initializer, *added] if t.name not in dropped]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    if not any(opset.domain == MICROSOFT for opset in parsed.opset_import):
        parsed.opset_import.add(domain=MICROSOFT, version=1)
    written: bytes = parsed.SerializeToString()
    return written


def _read(nodes: list[Any]) -> set[str]:
    return {name for node in nodes for name in node.input}


def _gathers_rows(node: Any) -> bool:
    """A `Gather` along the first axis (a table's rows)."""
    axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
    return bool(node.op_type == "Gather" and len(node.input) == 2 and axis == 0)


def _tensor(messages: dict[str, Any], name: str, values: np.ndarray, data_type: int) -> Any:
    return messages["Tensor"](
        name=name, dims=values.shape, data_type=data_type, raw_data=values.tobytes()
    )


def _matmul_nbits(
    messages: dict[str, Any], node: Any, found: _Dequantized
) -> tuple[Any, list[Any]]:
    """`MatMulNBits` (8 bits) over the int8 weight (K x N) and its column scales."""
    weight, scales = found.weight, found.scales
    k, n = weight.dims
    blocks = k // BLOCK
    values = np.frombuffer(weight.raw_data, dtype=np.int8).reshape(k, n)
    packed = (values.astype(np.int16) + 128).astype(np.uint8).T.reshape(n, blocks, BLOCK)
    column = np.frombuffer(scales.raw_data, dtype=np.float32).reshape(n)
    name = f"{node.name or node.output[0]}_int8"
    made = [
        _tensor(messages, f"{name}_weight", np.ascontiguousarray(packed), UINT8),
        _tensor(messages, f"{name}_scales", np.repeat(column[:, None], blocks, axis=1), FLOAT),
        _tensor(messages, f"{name}_zero_points", np.full((n, blocks), 128, np.uint8), UINT8),
    ]
    attributes = {"K": k, "N": n, "bits": 8, "block_size": BLOCK, "accuracy_level": 4}
    product = messages["Node"](
        input=[node.input[0], *(tensor.name for tensor in made)],
        output=node.output,
        name=name,
        op_type="MatMulNBits",
        domain=MICROSOFT,
        attribute=[
            messages["Attribute"](name=key, i=value, type=ATTRIBUTE_INT)
            for key, value in attributes.items()
        ],
    )
    return product, made


def _gather_rows(messages: dict[str, Any], node: Any, found: _Dequantized) -> list[Any]:
    """The rows of the int8 table and of its row scales, multiplied after the gather."""
    table, scales, out = found.weight, found.scales, node.output[0]
    axis = [messages["Attribute"](name="axis", i=0, type=ATTRIBUTE_INT)]
    to_float = [messages["Attribute"](name="to", i=FLOAT, type=ATTRIBUTE_INT)]

    def step(op_type: str, inputs: list[str], output: str, attribute: list[Any]) -> Any:
        return messages["Node"](
            input=inputs, output=[output], name=output, op_type=op_type, attribute=attribute
        )

    return [
        step("Gather", [table.name, node.input[1]], f"{out}_int8", axis),
        step("Gather", [scales.name, node.input[1]], f"{out}_scales", axis),
        step("Cast", [f"{out}_int8"], f"{out}_float", to_float),
        step("Mul", [f"{out}_float", f"{out}_scales"], out, []),
    ]
