"""mimir's projection of imi's entities (projects, work items, PRs, deploys, tickets).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_entities",
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.UUID(), nullable=False),
        sa.Column("last_event_type", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "entity_type IN ('imi.project', 'imi.work_item', 'imi.pr', 'imi.deploy', "
            "'imi.ticket', 'imi.component')",
            name=op.f("ck_external_entities_entity_type_allowed"),
        ),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", name=op.f("pk_external_entities")),
        schema="mimir",
    )
    op.create_index(
        "ix_external_entities_project_id",
        "external_entities",
        ["project_id"],
        unique=False,
        schema="mimir",
    )


def downgrade() -> None:
    op.drop_index("ix_external_entities_project_id", table_name="external_entities", schema="mimir")
    op.drop_table("external_entities", schema="mimir")
