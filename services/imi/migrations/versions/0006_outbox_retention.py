"""Outbox and inbox retention: the indexes the relay prunes by, and set-aside outbox rows.

The relay deletes published outbox rows and inbox rows past their retention by age
(`outbox_published_idx`, `inbox_received_idx`) and sets aside an outbox row it cannot
publish with `failed_at`. Writes to the two tables wait while the indexes are built.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from envelope import add_messaging_retention, drop_messaging_retention

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_messaging_retention(op, "imi")


def downgrade() -> None:
    drop_messaging_retention(op, "imi")
