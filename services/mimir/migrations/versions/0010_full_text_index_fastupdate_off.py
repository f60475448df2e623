"""The full-text GIN indexes write every new entry into the index itself (`fastupdate` off).

With `fastupdate` on, new entries wait in a pending list (up to `gin_pending_list_limit`,
4 MB) that every search reads from start to end until VACUUM merges it: with 285 pending
pages at 100k chunks, finding a rare word took 3.3 ms instead of 0.03 ms. Off, an insert
costs about 30 µs more per chunk (5,000 chunks: 0.29 s → 0.43 s), nothing beside the
embedding of the same chunk. The pending lists are merged now.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = ("ix_spans_chunk_tsv", "ix_decisions_tsv", "ix_intents_tsv")


def upgrade() -> None:
    for index in INDEXES:
        op.execute(f"ALTER INDEX mimir.{index} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('mimir.{index}'::regclass)")


def downgrade() -> None:
    for index in INDEXES:
        op.execute(f"ALTER INDEX mimir.{index} RESET (fastupdate)")
