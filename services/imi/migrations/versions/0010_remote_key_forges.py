"""A forge's HTTPS and SSH spellings of one remote are one project.

`remote_key` was `remote_origin` without a trailing `/` and `.git`, so a push from a clone
whose remote is `git@github.com:acme/api.git` found no project registered as
`https://github.com/acme/api`. It is now computed by `imi.remote_key(text)`, the twin of
`imi.projects.repository.remote_key`: without surrounding blanks, a URL
(`scheme://[user@]host[:port]/path`, not `file:`) or an scp-like remote (`[user@]host:path`)
becomes `host/path` in lower case, any other spelling (a local path) stays as it was.
Active projects that now share a key keep only the oldest active, as when the key was
introduced (0004); the others are deactivated (their rows stay).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REMOTE_KEY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION imi.remote_key(origin text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
  SELECT CASE
    WHEN k ~* '^file:' THEN k
    WHEN k ~* '^[a-z][a-z0-9+.-]*://([^@/]*@)?[^/:@]+(:[0-9]*)?/.'
      THEN lower(regexp_replace(
        k, '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:@]+)(?::[0-9]*)?/(.+)$', '\1/\2', 'i'))
    WHEN k ~ '^([^@/]+@)?[^/:@]{2,}:[^/]'
      THEN lower(regexp_replace(k, '^(?:[^@/]+@)?([^/:@]{2,}):([^/].*)$', '\1/\2'))
    ELSE k
  END
  FROM (
    SELECT regexp_replace(rtrim(btrim(origin, E' \t\r\n\f\v'), '/'), '\.git$', '', 'i') AS k
  ) AS spelled
)
"""
OLD_REMOTE_KEY_SQL = r"regexp_replace(rtrim(remote_origin, '/'), '\.git$', '')"


def _remote_key_column(expression: str) -> None:
    """Replace `projects.remote_key` by one computed with `expression`, and its indexes."""
    op.drop_index("ix_projects_remote_key", table_name="projects", schema="imi")
    op.drop_index("uq_projects_active_remote_key", table_name="projects", schema="imi")
    op.drop_column("projects", "remote_key", schema="imi")
    op.add_column(
        "projects",
        sa.Column("remote_key", sa.Text(), sa.Computed(expression, persisted=True)),
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
    op.create_index(
        "uq_projects_active_remote_key",
        "projects",
        ["remote_key"],
        unique=True,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_index("ix_projects_remote_key", "projects", ["remote_key"], schema="imi")


def upgrade() -> None:
    op.execute(REMOTE_KEY_FUNCTION)
    _remote_key_column("imi.remote_key(remote_origin)")


def downgrade() -> None:
    _remote_key_column(OLD_REMOTE_KEY_SQL)
    op.execute("DROP FUNCTION imi.remote_key(text)")
