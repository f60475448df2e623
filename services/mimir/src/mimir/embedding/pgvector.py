"""pgvector's names for a space's distance and the SQL parts of its vectors' cast and index.

Kept apart from the providers so that the index builder, which needs only these, runs without
loading a model's libraries.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from envelope import BadRequest
from mimir.tables import HNSW_INDEX_PREFIX

OPCLASSES = {"cosine": "vector_cosine_ops", "l2": "vector_l2_ops", "inner_product": "vector_ip_ops"}
OPERATORS = {"cosine": "<=>", "l2": "<->", "inner_product": "<#>"}
MAX_DIMENSIONS = 2000


def dimensions_literal(dimensions: Any) -> sql.Literal:
    if not isinstance(dimensions, int) or not 1 <= dimensions <= MAX_DIMENSIONS:
        raise BadRequest("dimensions must be an integer from 1 to 2000", dimensions=dimensions)
    return sql.Literal(dimensions)


def index_name(space_id: UUID) -> sql.Identifier:
    return sql.Identifier(HNSW_INDEX_PREFIX + space_id.hex)
