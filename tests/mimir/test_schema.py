"""The migrations and the Core table definitions describe the same schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import mimir
from envelope import reflect_schemas_by_name, schema_migration_options
from mimir.sql import QUERIES
from mimir.tables import HNSW_INDEX_PREFIX, SCHEMA, metadata


def _included(obj: Any, name: str | None, type_: str, reflected: bool, _: Any) -> bool:
    """Everything the migrations own, except the per-space HNSW indexes made at run time."""
    return not (type_ == "index" and name and name.startswith(HNSW_INDEX_PREFIX))


def test_migrations_match_the_table_definitions(database: Any, mimir_env: Any) -> None:
    conninfo = database.service_conninfo("mimir")
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conninfo))
    try:
        with engine.connect() as connection:
            reflect_schemas_by_name(connection)
            context = MigrationContext.configure(
                connection,
                opts={
                    **schema_migration_options(metadata, SCHEMA),
                    "include_object": _included,
                    "compare_type": True,
                    "compare_server_default": True,
                },
            )
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_every_named_query_has_a_header_comment_and_verb_noun_name() -> None:
    assert len(QUERIES) > 40
    for name in QUERIES:
        assert re.fullmatch(r"[a-z]+_[a-z0-9_]+", name), name


def test_every_named_query_is_used_and_every_used_name_exists() -> None:
    source = Path(mimir.__file__).parent
    used: set[str] = set()
    for path in source.rglob("*.py"):
        text = path.read_text()
        calls = r"(?:fetch_\w+|execute(?:_many)?|insert|_ranked|\.get)\(\s*[\w.]+,\s*\"(\w+)\""
        used.update(re.findall(calls, text))
        used.update(re.findall(r"\bquery\(\s*\"(\w+)\"", text))
        used.update(re.findall(r"list_query=\"(\w+)\"", text))
    assert used - set(QUERIES) == set()
    assert set(QUERIES) - used == set()
