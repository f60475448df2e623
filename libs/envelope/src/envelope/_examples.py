"""Example answers in the OpenAPI documents, as the response models give them.

Each response model shows an example answer through `json_schema_extra={"examples": [...]}`.
FastAPI drops every null from the document it generates, those inside examples included
(fastapi/fastapi#5559), which would leave an example without its nullable required fields;
`keep_example_nulls` puts the models' examples back as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.config import JsonDict


def page_examples(**fields: Any) -> Callable[[JsonDict, type[BaseModel]], None]:
    """`json_schema_extra` for a generic page model: one example page holding its item model's
    first example, with `fields` (`limit`, `offset`, ...) beside `items`."""

    def add(schema: JsonDict, page: type[BaseModel]) -> None:
        args = page.__pydantic_generic_metadata__["args"]
        examples = args[0].model_json_schema().get("examples") if args else None
        if examples:
            schema["examples"] = [{"items": examples[:1], **fields}]

    return add


_ANSWERS: dict[str, Any] = {}
"""The examples `answer_example` made, by their form without nulls."""


def answer_example(
    model: type[BaseModel], code: int = 200, /, **changes: Any
) -> dict[int | str, dict[str, Any]]:
    """A `responses` entry (for HTTP status `code`) showing `model`'s first example with
    `changes`: for a route whose answer differs from the model's general example (another
    search mode, the state after this route's move)."""
    example = {**model.model_json_schema()["examples"][0], **changes}
    _ANSWERS[_key(example)] = example
    return {code: {"content": {"application/json": {"example": example}}}}


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _key(value: Any) -> str:
    return json.dumps(_without_nulls(value), sort_keys=True)


def _declared_examples() -> dict[str, Any]:
    """Every example object a loaded model declares or a route shows (`answer_example`), by
    its form without nulls."""
    declared: dict[str, Any] = dict(_ANSWERS)
    models: list[type[BaseModel]] = [BaseModel]
    while models:
        model = models.pop()
        models.extend(model.__subclasses__())
        extra = model.model_config.get("json_schema_extra")
        if isinstance(extra, dict):
            for example in cast(list[Any], extra.get("examples") or []):
                if isinstance(example, dict):
                    declared[_key(example)] = example
    return declared


def _restore(value: Any, declared: dict[str, Any]) -> Any:
    """`value` with every object that lost its nulls replaced by the example it came from."""
    if isinstance(value, dict):
        original = declared.get(_key(value))
        if original is not None:
            return original
        return {key: _restore(item, declared) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, declared) for item in value]
    return value


def _restore_examples(node: Any, declared: dict[str, Any]) -> None:
    """Restore the `examples` of every schema and the `example` of every answer in `node`, a
    part of an OpenAPI document."""
    if isinstance(node, dict):
        for key, item in node.items():
            if key in ("examples", "example") and isinstance(item, list | dict):
                node[key] = _restore(item, declared)
            else:
                _restore_examples(item, declared)
    elif isinstance(node, list):
        for item in node:
            _restore_examples(item, declared)


def keep_example_nulls(app: FastAPI) -> None:
    """Make `app.openapi()` show the models' examples with their nulls."""
    generate = app.openapi
    restored: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal restored
        document = generate()
        if document is not restored:
            _restore_examples(document, _declared_examples())
            restored = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
