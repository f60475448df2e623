"""Migration 0002 and the ORM models describe the same schema."""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from harness import Database

import imi.models  # noqa: F401
from imi.database import SCHEMA, Base

MESSAGING = {"outbox", "inbox"}  # created by envelope's migration helper, checked there


@pytest.fixture
def connection(database: Database, imi_env: dict[str, str]) -> Iterator[sa.Connection]:
    conninfo = database.service_conninfo("imi")
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conninfo))
    with engine.connect() as conn:
        # Reflect `imi` as a named schema, as the models name it, not as the default one.
        conn.exec_driver_sql("SET search_path TO public")
        conn.dialect.default_schema_name = "public"
        yield conn
    engine.dispose()


def _ours(item: Any, name: str | None, kind: str, *_: Any) -> bool:
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", None)
    return table not in MESSAGING


def test_autogenerate_finds_no_difference(connection: sa.Connection) -> None:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": lambda name, kind, _: name == SCHEMA if kind == "schema" else True,
            "include_object": _ours,
            "version_table_schema": SCHEMA,
            "target_metadata": Base.metadata,
        },
    )
    assert compare_metadata(context, Base.metadata) == []
