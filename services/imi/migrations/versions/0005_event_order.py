"""Events apply in order per entity: each row keeps the time of the newest event it applied.

`work_items.git_event_at` (the newest `git.push`), `pr_links.event_at` (the newest
`git.pr.*`) and `ticket_links.event_at` (the newest Plane event) hold envelope timestamps;
null until an event changes the row, so existing rows take the next event whatever its time.
Tool mutations are ordered by the existing `work_items.last_activity_at`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (("work_items", "git_event_at"), ("pr_links", "event_at"), ("ticket_links", "event_at"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(
            table, sa.Column(column, sa.DateTime(timezone=True), nullable=True), schema="imi"
        )


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column, schema="imi")
