"""One project per remote, whatever its spelling: the unique index moves to `remote_key`.

`remote_key` is `remote_origin` without a trailing `/` and then without a trailing `.git`,
computed by the database. Before the index is built, active projects that already share a
key keep only the oldest active; the others are deactivated (their rows stay).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REMOTE_KEY_SQL = r"regexp_replace(rtrim(remote_origin, '/'), '\.git$', '')"


def upgrade() -> None:
    op.add_column(
        "projects",
        sa.Column("remote_key", sa.Text(), sa.Computed(REMOTE_KEY_SQL, persisted=True)),
        schema="imi",
    )
    op.execute(
        """
        UPDATE imi.projects p SET active = false, updated_at = now()
        WHERE p.active AND EXISTS (
            SELECT FROM imi.projects older
            WHERE older.active AND older.remote_key = p.remote_key
              AND (older.created_at, older.id) < (p.created_at, p.id))
        """
    )
    op.drop_index("uq_projects_active_remote", table_name="projects", schema="imi")
    op.create_index(
        "uq_projects_active_remote_key",
        "projects",
        ["remote_key"],
        unique=True,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_index("ix_projects_remote_key", "projects", ["remote_key"], schema="imi")


def downgrade() -> None:
    op.drop_index("ix_projects_remote_key", table_name="projects", schema="imi")
    op.drop_index("uq_projects_active_remote_key", table_name="projects", schema="imi")
    op.create_index(
        "uq_projects_active_remote",
        "projects",
        ["remote_origin"],
        unique=True,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.drop_column("projects", "remote_key", schema="imi")
