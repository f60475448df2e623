"""SQLAlchemy Core table definitions: for Alembic autogenerate only, never for queries."""

from sqlalchemy import MetaData

from envelope import messaging_tables

SCHEMA = "mimir"

metadata = MetaData(
    schema=SCHEMA,
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    },
)

outbox, inbox = messaging_tables(metadata, SCHEMA)
