"""Both services' OpenAPI documents describe every field and show an example of every answer.

Checked on each document as the service serves it at /openapi.json (loaded the way
`docs/generate.py` loads it), for every operation, `/health` and `/api/v1/events` included:

- every parameter (path, query, header) has a description;
- every property of every schema an operation uses — its request body and every response,
  errors included — has a description; schemas are followed through `$ref`, `anyOf` /
  `oneOf` / `allOf` branches, array items and map values;
- every 2xx response with a body shows an example answer: its schema carries `examples`
  (set by the response model's `json_schema_extra`), or, for a list, its items' schema does
  and the example answer is a list of one. A 2xx without a body (a 204) has nothing to show
  and is exempt;
- every example of every schema a 2xx response uses, nested ones included, validates against
  that schema (formats `uuid` and `date-time` checked).

Request bodies keep their own examples, which may use the short forms a request model
normalises before validation (`branch`, `source: {type, ref}`), so they are not validated
against the schema here.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from harness import ROOT
from jsonschema import Draft202012Validator, FormatChecker

spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
assert spec is not None
assert spec.loader is not None
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)

Schema = dict[str, Any]
METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
NESTED_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
NESTED_ONES = ("items", "additionalProperties", "not")

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture(scope="module")
async def openapis() -> dict[str, Schema]:
    return {service: (await generate._served(service))[0] for service in generate.SERVICES}


def operations(document: Schema) -> Iterator[tuple[str, Schema]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def reachable(
    document: Schema, schema: Schema, where: str, seen: set[str]
) -> Iterator[tuple[str, Schema]]:
    """(name, schema) for `schema` and every schema inside it; a component once per `seen`."""
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        where, schema = name, document["components"]["schemas"][name]
    yield where, schema
    for field, prop in schema.get("properties", {}).items():
        yield from reachable(document, prop, f"{where}.{field}", seen)
    for key in NESTED_LISTS:
        for branch in schema.get(key, []):
            yield from reachable(document, branch, where, seen)
    for key in NESTED_ONES:
        if isinstance(schema.get(key), dict):
            yield from reachable(document, schema[key], where, seen)


def bodies(operation: Schema, *, answers_only: bool) -> Iterator[tuple[str, Schema]]:
    """(label, schema) of the request body and the responses (only 2xx with `answers_only`)."""
    if not answers_only:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            yield "request", media["schema"]
    for status, response in operation["responses"].items():
        if not answers_only or status.startswith("2"):
            for media in response.get("content", {}).values():
                yield status, media["schema"]


def undescribed(document: Schema) -> list[str]:
    """Every parameter and every schema property without a description."""
    missing: set[str] = set()
    seen: set[str] = set()
    for where, operation in operations(document):
        for param in operation.get("parameters", []):
            if not param.get("description"):
                missing.add(f"{where}: {param['in']} parameter {param['name']}")
        for label, schema in bodies(operation, answers_only=False):
            for name, found in reachable(document, schema, f"{where} {label}", seen):
                for field, prop in found.get("properties", {}).items():
                    if not prop.get("description"):
                        missing.add(f"{name}.{field}")
    return sorted(missing)


def example_answers(document: Schema, schema: Schema) -> list[Any]:
    """The examples a response schema shows: its own, or one-item lists of its items'."""
    ref = schema.get("$ref")
    if ref is not None:
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    if schema.get("examples"):
        return list(schema["examples"])
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return [[example] for example in example_answers(document, schema["items"])]
    return []


def without_example(document: Schema) -> list[str]:
    """Every operation with a 2xx response whose body shows no example."""
    return [
        f"{where} → {status}"
        for where, operation in operations(document)
        for status, schema in bodies(operation, answers_only=True)
        if not example_answers(document, schema)
    ]


def invalid_examples(document: Schema) -> list[str]:
    """Every example of a schema a 2xx response uses that does not validate against it."""
    invalid: list[str] = []
    seen: set[str] = set()
    components = document.get("components", {})
    for where, operation in operations(document):
        for status, schema in bodies(operation, answers_only=True):
            checked = [(f"{where} → {status}", schema, example_answers(document, schema))]
            checked += [
                (name, found, found.get("examples", []))
                for name, found in reachable(document, schema, f"{where} → {status}", seen)
            ]
            for name, target, examples in checked:
                validator = Draft202012Validator(
                    {**target, "components": components}, format_checker=FORMATS
                )
                invalid += [
                    f"{name} example {index}: {error.json_path}: {error.message}"
                    for index, example in enumerate(examples)
                    for error in validator.iter_errors(example)
                ]
    return invalid


@pytest.mark.parametrize("service", list(generate.SERVICES))
async def test_every_field_and_parameter_is_described(
    openapis: dict[str, Schema], service: str
) -> None:
    assert undescribed(openapis[service]) == []


@pytest.mark.parametrize("service", list(generate.SERVICES))
async def test_every_answer_has_an_example(openapis: dict[str, Schema], service: str) -> None:
    document = openapis[service]
    assert len(list(operations(document))) >= 20
    assert without_example(document) == []


@pytest.mark.parametrize("service", list(generate.SERVICES))
async def test_every_example_answer_validates(openapis: dict[str, Schema], service: str) -> None:
    assert invalid_examples(openapis[service]) == []


def test_the_checks_find_what_is_missing_behind_references() -> None:
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Its id"},
            "size": {"type": "integer"},
        },
        "examples": [{"id": "not-a-uuid", "size": 1}],
    }
    document = {
        "paths": {
            "/things": {
                "get": {
                    "parameters": [{"in": "query", "name": "limit"}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Thing"},
                                    }
                                }
                            }
                        }
                    },
                },
                "post": {"responses": {"201": {"content": {"application/json": {"schema": {}}}}}},
            },
            "/things/{id}": {"delete": {"responses": {"204": {"description": "Gone"}}}},
        },
        "components": {"schemas": {"Thing": item}},
    }
    assert undescribed(document) == ["GET /things: query parameter limit", "Thing.size"]
    assert without_example(document) == ["POST /things → 201"]
    assert [line.split(":")[0] for line in invalid_examples(document)] == [
        "GET /things → 200 example 0",
        "Thing example 0",
    ]
