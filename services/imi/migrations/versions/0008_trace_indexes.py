"""Commit lookups by prefix use an index whatever the database's collation.

`commit_hash LIKE 'abc1234%'` can use a plain b-tree only under the C collation; these
indexes use `text_pattern_ops`, so the trace from a commit, deploy links created by commit and
the deploy consumer find their rows by an index range scan instead of reading every work item.
The deploy links' plain commit index served only those lookups and is replaced. Built
`CONCURRENTLY`, so writes go on meanwhile; an index left invalid by a failed build is dropped
and built again when the migration is re-run.

Revision ID: 0008
Revises: 0006
"""

from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

PREFIX_INDEXES = (
    ("ix_work_items_last_commit_prefix", "work_items", "last_commit_hash"),
    ("ix_work_items_merge_commit_prefix", "work_items", "merge_commit_hash"),
    ("ix_deploy_links_commit_prefix", "deploy_links", "commit_hash"),
)


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for name, table, column in PREFIX_INDEXES:
            op.drop_index(
                name, table_name=table, schema="imi", if_exists=True, postgresql_concurrently=True
            )
            op.create_index(
                name,
                table,
                [column],
                schema="imi",
                postgresql_ops={column: "text_pattern_ops"},
                postgresql_concurrently=True,
            )
        op.drop_index(
            "ix_deploy_links_commit",
            table_name="deploy_links",
            schema="imi",
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_deploy_links_commit",
            "deploy_links",
            ["commit_hash"],
            schema="imi",
            postgresql_concurrently=True,
        )
        for name, table, _ in reversed(PREFIX_INDEXES):
            op.drop_index(name, table_name=table, schema="imi", postgresql_concurrently=True)
