"""The outbox's NOTIFY trigger goes: the relay is woken in-process after a commit.

PostgreSQL serialises the commits of transactions that notify, so the trigger cost every
writing transaction throughput; the relay now hears of its own process's events directly and
polls for the rest.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from envelope import create_outbox_notify, drop_outbox_notify

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_outbox_notify(op, "mimir")


def downgrade() -> None:
    create_outbox_notify(op, "mimir")
