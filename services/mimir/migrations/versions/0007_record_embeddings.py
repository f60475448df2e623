"""Decisions and intents searchable by words and by meaning.

`record_embeddings` holds their vectors, keyed like the source design's embeddings table by
`target_type`/`target_id`, one row per space; the chunks' vectors stay where they are
(`embeddings`, with their per-space HNSW indexes), so no existing vector moves. A decision's
words (statement and rationale) and an intent's statement get a stored `tsv` with a GIN
index for text search.

Revision ID: 0007
Revises: 0006
"""

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WORDS = {
    "decisions": "to_tsvector('english'::regconfig, statement || ' ' || rationale)",
    "intents": "to_tsvector('english'::regconfig, statement)",
}


def upgrade() -> None:
    op.create_table(
        "record_embeddings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.UUID(), nullable=False),
        sa.Column("target_type", sa.Text(), nullable=False),
        sa.Column("target_id", sa.UUID(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("vector", pgvector.sqlalchemy.vector.VECTOR(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "target_type IN ('decision', 'intent')",
            name=op.f("ck_record_embeddings_target_type_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["mimir.embedding_spaces.id"],
            name=op.f("fk_record_embeddings_space_id_embedding_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_embeddings")),
        sa.UniqueConstraint(
            "space_id",
            "target_type",
            "target_id",
            name=op.f("uq_record_embeddings_space_id_target_type_target_id"),
        ),
        schema="mimir",
    )
    for table, words in WORDS.items():
        op.add_column(
            table,
            sa.Column("tsv", pg.TSVECTOR, sa.Computed(words, persisted=True)),
            schema="mimir",
        )
        op.create_index(f"ix_{table}_tsv", table, ["tsv"], postgresql_using="gin", schema="mimir")


def downgrade() -> None:
    for table in WORDS:
        op.drop_index(f"ix_{table}_tsv", table, schema="mimir")
        op.drop_column(table, "tsv", schema="mimir")
    op.drop_table("record_embeddings", schema="mimir")
