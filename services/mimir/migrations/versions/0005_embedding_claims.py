"""The embedding worker's leases on the versions and spaces it is embedding.

The worker claims work in one short transaction (`claim_id`, `claimed_at`), embeds with no
transaction open, renews `claimed_at` meanwhile, and writes the vectors only while the claim
is still its own; a claim not renewed for `MIMIR_EMBEDDING_LEASE_SECONDS` (its worker died)
is taken by another worker.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("artifact_versions", "embedding_spaces")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("claim_id", sa.UUID(), nullable=True), schema="mimir")
        op.add_column(
            table,
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            schema="mimir",
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "claimed_at", schema="mimir")
        op.drop_column(table, "claim_id", schema="mimir")
