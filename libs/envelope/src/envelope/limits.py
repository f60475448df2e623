"""The longest value accepted for each kind of text field that reaches a B-tree index.

PostgreSQL refuses an index entry larger than about 2.7 kB (SQLSTATE 54000). Every text field
of an event payload or HTTP schema that ends in an indexed column is bounded by one of these,
so an over-long value is a validation error (HTTP 422, a dead-lettered event, a failed
command) before any SQL runs. One constant per kind of field keeps both services and the
bus agreeing on the same limits.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

KEY_LENGTH = 100
"""Kinds, types and statuses: artifact and entity types, relation types, environments."""

NAME_LENGTH = 200
"""Names people give: projects, components, intent groups, embedding spaces."""

IDENTIFIER_LENGTH = 255
"""Identifiers from other systems: ticket ids, deploy ids, owner ids, sources, external ids."""

REF_LENGTH = 500
"""Git branch names and refs."""

URL_LENGTH = 1000
"""Remote origins and other URLs."""

HASH_LENGTH = 64
"""Commit hashes (SHA-1 or SHA-256, hex)."""

CommitHash = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=4,
        max_length=HASH_LENGTH,
        pattern=r"^[0-9a-fA-F]+$",  # checked before the case is lowered
    ),
]
"""A commit's hash or a prefix of it: hex digits, in lower case as git writes them (hex is
one number whatever its case, and hashes are compared and matched as prefixes as stored)."""

INT32_MAX = 2**31 - 1
"""The largest value an `integer` column holds; larger input is a 422, not a database error."""

MAX_JSON_DEPTH = 32
"""How deep free-form JSON (metadata, a metadata filter) may nest. Deeper values could be
stored but not read back (serialisers stop at a few hundred levels), so they are refused."""


def json_depth(value: object) -> int:
    """How many levels of objects and arrays `value` nests (a scalar is 0), without recursion."""
    if not isinstance(value, dict | list):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:  # only containers are pushed: a long array of numbers is one pass
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _shallow(value: Any) -> Any:
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"nests deeper than {MAX_JSON_DEPTH} levels")
    return value


JsonObject = Annotated[dict[str, Any], BeforeValidator(_shallow)]
"""A free-form JSON object of request bodies (metadata), at most `MAX_JSON_DEPTH` deep."""
