"""The longest value accepted for each kind of text field that reaches a B-tree index.

PostgreSQL refuses an index entry larger than about 2.7 kB (SQLSTATE 54000). Every text field
of an event payload or HTTP schema that ends in an indexed column is bounded by one of these,
so an over-long value is a validation error (HTTP 422, a dead-lettered event, a failed
command) before any SQL runs. One constant per kind of field keeps both services and the
bus agreeing on the same limits.
"""

from __future__ import annotations

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

INT32_MAX = 2**31 - 1
"""The largest value an `integer` column holds; larger input is a 422, not a database error."""
