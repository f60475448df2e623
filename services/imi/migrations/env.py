"""Alembic environment for imi (schema `imi`)."""

from alembic import context

import imi.models  # noqa: F401  (registers every table on Base.metadata)
from envelope import run_schema_migrations
from imi.database import SCHEMA, Base
from imi.settings import ImiSettings

run_schema_migrations(context, Base.metadata, SCHEMA, ImiSettings.load("migrate").migrator_url)
