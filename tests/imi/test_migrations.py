"""The migrations and the ORM models describe the same schema."""

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from harness import Database

import imi.models  # noqa: F401
from envelope import reflect_schemas_by_name, schema_migration_options
from imi.database import SCHEMA, Base


@pytest.fixture
def connection(database: Database, imi_env: dict[str, str]) -> Iterator[sa.Connection]:
    conninfo = database.service_conninfo("imi")
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conninfo))
    with engine.connect() as conn:
        reflect_schemas_by_name(conn)
        yield conn
    engine.dispose()


def test_autogenerate_finds_no_difference(connection: sa.Connection) -> None:
    context = MigrationContext.configure(
        connection, opts=schema_migration_options(Base.metadata, SCHEMA)
    )
    assert compare_metadata(context, Base.metadata) == []
