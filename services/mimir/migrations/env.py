"""Alembic environment for mimir (schema `mimir`)."""

from alembic import context

from envelope import run_schema_migrations
from mimir.settings import MimirSettings
from mimir.tables import SCHEMA, metadata

run_schema_migrations(context, metadata, SCHEMA, MimirSettings.load("migrate").migrator_url)
