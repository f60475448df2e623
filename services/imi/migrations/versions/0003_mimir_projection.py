"""imi's projection of mimir: decisions, intents and artifacts, and their relations to imi.

`mimir_entities.id` is mimir's own id. `mimir_relations` keeps only relations with one end in
imi (`imi.project`, `imi.work_item`, `imi.pr`, `imi.deploy`, `imi.ticket`) and the other a
mimir decision, intent or artifact; `deleted_at` marks the tombstone of a relation deleted
before its creation arrived.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "mimir_entities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("superseded_by_id", sa.Uuid(), nullable=True),
        sa.Column("artifact_type", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "kind IN ('decision', 'intent', 'artifact')", name=op.f("ck_mimir_entities_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mimir_entities")),
        schema="imi",
    )
    op.create_table(
        "mimir_relations",
        sa.Column("relation_id", sa.Uuid(), nullable=False),
        sa.Column("mimir_id", sa.Uuid(), nullable=False),
        sa.Column("imi_type", sa.Text(), nullable=False),
        sa.Column("imi_id", sa.Uuid(), nullable=False),
        sa.Column("relation_type", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "imi_type IN ('project', 'work_item', 'pr', 'deploy', 'ticket')",
            name=op.f("ck_mimir_relations_imi_type"),
        ),
        sa.CheckConstraint(
            "direction IN ('from_mimir', 'to_mimir')", name=op.f("ck_mimir_relations_direction")
        ),
        sa.ForeignKeyConstraint(
            ["mimir_id"],
            ["imi.mimir_entities.id"],
            name=op.f("fk_mimir_relations_mimir_id_mimir_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("relation_id", name=op.f("pk_mimir_relations")),
        schema="imi",
    )
    op.create_index(
        "ix_mimir_relations_imi", "mimir_relations", ["imi_type", "imi_id"], schema="imi"
    )
    op.create_index("ix_mimir_relations_mimir", "mimir_relations", ["mimir_id"], schema="imi")


def downgrade() -> None:
    op.drop_table("mimir_relations", schema="imi")
    op.drop_table("mimir_entities", schema="imi")
