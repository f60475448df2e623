"""Full-text statistics deep enough to weigh query terms by rarity.

Text search reads how many chunks hold a lexeme from PostgreSQL's own column statistics
(`pg_stats.most_common_elems` of `spans.tsv`) when a search covers too many chunks to count
exactly. The default target keeps the 1,000 most common lexemes; 1,000 keeps 10,000.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE mimir.spans ALTER COLUMN tsv SET STATISTICS 1000")


def downgrade() -> None:
    op.execute("ALTER TABLE mimir.spans ALTER COLUMN tsv SET STATISTICS -1")
