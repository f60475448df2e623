"""Alembic environment for imi (schema `imi`)."""

from alembic import context

from envelope import run_schema_migrations
from imi.database import SCHEMA, Base
from imi.settings import ImiSettings

run_schema_migrations(context, Base.metadata, SCHEMA, ImiSettings.load().sqlalchemy_url)
