"""Commit hashes are stored in lower case, as requests and events now give them.

A hash sent in upper case was stored so, and lookups by prefix (`LIKE`, with its index) and
repeat checks compared it with lower-case input as another commit. The rows written before
are lowered once; nothing to undo on the way down (lower case was always a valid spelling).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = {
    "work_items": ("last_commit_hash", "merge_commit_hash"),
    "deploy_links": ("commit_hash",),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE imi.{table} SET {column} = lower({column})"
                f" WHERE {column} <> lower({column})"
            )


def downgrade() -> None:
    pass
