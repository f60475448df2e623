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


def test_the_indexes_storage_parameters_match_the_table_definitions(database: Any) -> None:
    """compare_metadata leaves storage parameters out (e.g. `fastupdate` of the GIN indexes)."""
    declared = {
        index.name: sorted(
            f"{k}={v}" for k, v in index.dialect_options["postgresql"]["with"].items()
        )
        for table in metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["postgresql"]["with"]
    }
    assert declared  # the full-text indexes at least
    with psycopg.connect(database.service_conninfo("mimir")) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (SCHEMA, list(declared)),
        ).fetchall()
    assert {name: sorted(options or []) for name, options in rows} == declared


def test_every_named_query_has_a_header_comment_and_verb_noun_name() -> None:
    assert len(QUERIES) > 40
    for name in QUERIES:
        assert re.fullmatch(r"[a-z]+_[a-z0-9_]+", name), name


QUOTED_NAME = re.compile(r"\"([a-z][a-z0-9_]*)\"")
NAME_ARGUMENT = re.compile(
    r"\b(?:fetch_\w+|execute(?:_many)?|insert(?:_as)?|query|page_query)\(\s*(?:[\w.]+,\s*){0,2}\"(\w+)\""
)


def _named_queries(path: Path) -> set[str]:
    """The statement names a module quotes (mypy checks how the typed functions are called)."""
    return set(QUOTED_NAME.findall(path.read_text())) & set(QUERIES)


def test_every_named_query_exists_is_used_and_only_in_its_domains_queries_module() -> None:
    source = Path(mimir.__file__).parent
    named: dict[str, set[str]] = {}
    for path in sorted(source.rglob("*.py")):
        assert set(NAME_ARGUMENT.findall(path.read_text())) - set(QUERIES) == set(), path
        names = _named_queries(path)
        if names:
            named[path.relative_to(source).as_posix()] = names
    outside = {
        module: names for module, names in named.items() if not module.endswith("/queries.py")
    }
    assert outside == {}
    used = set().union(*named.values())
    assert set(QUERIES) - used == set()
