"""Each service's table metadata, and the outbox and inbox tables it keeps in its own schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> sa.MetaData:
    """A service's table metadata: its own schema, constraints named alike in every service."""
    return sa.MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def messaging_tables(metadata: sa.MetaData, schema: str) -> tuple[sa.Table, sa.Table]:
    """Add `<schema>.outbox` and `<schema>.inbox` to `metadata` (for models and autogenerate)."""
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity()),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("body", pg.JSONB, nullable=False),
        sa.Column(
            "correlation_ids", pg.ARRAY(pg.UUID(as_uuid=True)), nullable=False, server_default="{}"
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        # Set with last_error when the relay sets aside a row it cannot publish.
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="outbox_pkey"),
        sa.UniqueConstraint("event_id", name="outbox_event_id_key"),
        sa.Index("outbox_pending_idx", "id", postgresql_where=sa.text("published_at IS NULL")),
        sa.Index(
            "outbox_published_idx",
            "published_at",
            postgresql_where=sa.text("published_at IS NOT NULL"),
        ),
        sa.Index("outbox_correlation_idx", "correlation_ids", postgresql_using="gin"),
        schema=schema,
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("event_id", pg.UUID(as_uuid=True)),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("queue", sa.Text, nullable=False),
        sa.Column(
            "correlation_ids", pg.ARRAY(pg.UUID(as_uuid=True)), nullable=False, server_default="{}"
        ),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("event_id", name="inbox_pkey"),
        sa.Index("inbox_correlation_idx", "correlation_ids", postgresql_using="gin"),
        sa.Index("inbox_received_idx", "received_at"),
        schema=schema,
    )
    return outbox, inbox


def create_messaging_tables(op: object, schema: str) -> None:
    """For a service's first Alembic migration: outbox, inbox and the outbox NOTIFY trigger
    (which a later migration drops, `drop_outbox_notify`). `op` is `alembic.op`."""
    bind = op.get_bind()  # type: ignore[attr-defined]
    outbox, inbox = messaging_tables(sa.MetaData(), schema)
    outbox.create(bind)
    inbox.create(bind)
    create_outbox_notify(op, schema)


def create_outbox_notify(op: object, schema: str) -> None:
    """The trigger that notified channel `<schema>_outbox` after each insert (relays once
    listened to it; see `drop_outbox_notify`)."""
    bind = op.get_bind()  # type: ignore[attr-defined]
    for statement in (
        "CREATE FUNCTION {schema}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', ''); RETURN NULL; END $$",
        "CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify()",
    ):
        bind.exec_driver_sql(statement.format(schema=_quoted(bind, schema)))


def drop_outbox_notify(op: object, schema: str) -> None:
    """For a service's migration to in-process relay wake-ups: PostgreSQL serialises the
    commits of notifying transactions, so the trigger cost every writer throughput."""
    bind = op.get_bind()  # type: ignore[attr-defined]
    quoted = _quoted(bind, schema)
    bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS outbox_notify ON {quoted}.outbox")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {quoted}.outbox_notify()")


def drop_messaging_tables(op: object, schema: str) -> None:
    bind = op.get_bind()  # type: ignore[attr-defined]
    outbox, inbox = messaging_tables(sa.MetaData(), schema)
    inbox.drop(bind)
    outbox.drop(bind)
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_quoted(bind, schema)}.outbox_notify()")


# The indexes the relay's pruning reads, which tables made before it lack.
RETENTION_INDEXES = ("outbox_published_idx", "inbox_received_idx")


def add_messaging_retention(op: object, schema: str) -> None:
    """For a service's migration onto pruned tables: `outbox.failed_at` and the indexes the
    relay's pruning reads (published outbox rows by age, inbox rows by age).

    Idempotent, because in a fresh database `create_messaging_tables` already made them.
    """
    bind = op.get_bind()  # type: ignore[attr-defined]
    bind.exec_driver_sql(
        f"ALTER TABLE {_quoted(bind, schema)}.outbox "
        "ADD COLUMN IF NOT EXISTS failed_at timestamp with time zone"
    )
    for index in _retention_indexes(schema):
        bind.execute(sa.schema.CreateIndex(index, if_not_exists=True))


def drop_messaging_retention(op: object, schema: str) -> None:
    bind = op.get_bind()  # type: ignore[attr-defined]
    for index in _retention_indexes(schema):
        bind.execute(sa.schema.DropIndex(index, if_exists=True))
    bind.exec_driver_sql(f"ALTER TABLE {_quoted(bind, schema)}.outbox DROP COLUMN failed_at")


def _retention_indexes(schema: str) -> list[sa.Index]:
    tables = messaging_tables(sa.MetaData(), schema)
    return [index for t in tables for index in t.indexes if index.name in RETENTION_INDEXES]


def _quoted(bind: sa.Connection, schema: str) -> str:
    return str(bind.dialect.identifier_preparer.quote_schema(schema))


def schema_migration_options(metadata: sa.MetaData, schema: str) -> dict[str, Any]:
    """Alembic options that confine migrations and autogenerate to `schema`."""
    return {
        "target_metadata": metadata,
        "version_table_schema": schema,
        "include_schemas": True,
        "include_name": lambda name, type_, _: name == schema if type_ == "schema" else True,
    }


def reflect_schemas_by_name(connection: sa.Connection) -> None:
    """Make `connection` see the service schema as a named one, as the table metadata names it.

    The service role's search_path starts with its own schema, which reflection would then
    report as the unnamed default schema, and autogenerate would see every table as new.
    """
    connection.exec_driver_sql("SET search_path TO public")
    connection.commit()  # the SET outlives this transaction; Alembic then opens its own
    connection.dialect.default_schema_name = "public"


def run_schema_migrations(context: Any, metadata: sa.MetaData, schema: str, url: sa.URL) -> None:
    """The body of a service's Alembic `env.py`: online migrations confined to `schema`.

    The version table lives in that schema too, so two services share one database cleanly.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        reflect_schemas_by_name(connection)
        context.configure(connection=connection, **schema_migration_options(metadata, schema))
        with context.begin_transaction():
            context.run_migrations()
