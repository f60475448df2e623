"""mimir domain: artifacts, versions, spans, intents, decisions, relations, provenance, embeddings.

Per-space HNSW indexes on `embeddings` are not here: they are created with each space.

Revision ID: 0002
Revises: 0001
"""

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("artifact_type", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "artifact_type IN ('conversation', 'document', 'note')",
            name=op.f("ck_artifacts_artifact_type_allowed"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
        schema="mimir",
    )
    op.create_index(
        "ix_artifacts_created_at_id",
        "artifacts",
        ["created_at", "id"],
        unique=False,
        schema="mimir",
    )
    op.create_index(
        "ix_artifacts_source_external_id",
        "artifacts",
        ["source", "external_id"],
        unique=False,
        schema="mimir",
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="tentative", nullable=False),
        sa.Column("superseded_by_id", sa.UUID(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('tentative', 'active', 'superseded')",
            name=op.f("ck_decisions_status_allowed"),
        ),
        sa.CheckConstraint("superseded_by_id <> id", name=op.f("ck_decisions_not_self_superseded")),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["mimir.decisions.id"],
            name=op.f("fk_decisions_superseded_by_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        schema="mimir",
    )
    op.create_index(
        "ix_decisions_created_at_id",
        "decisions",
        ["created_at", "id"],
        unique=False,
        schema="mimir",
    )
    op.create_index(
        "ix_decisions_statement_trgm",
        "decisions",
        ["statement"],
        unique=False,
        schema="mimir",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    )
    op.create_index(
        "ix_decisions_superseded_by_id",
        "decisions",
        ["superseded_by_id"],
        unique=False,
        schema="mimir",
    )
    op.create_table(
        "embedding_spaces",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("distance", sa.Text(), server_default="cosine", nullable=False),
        sa.Column("status", sa.Text(), server_default="ready", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "distance IN ('cosine', 'l2', 'inner_product')",
            name=op.f("ck_embedding_spaces_distance_allowed"),
        ),
        sa.CheckConstraint(
            "provider IN ('local', 'openai', 'client')",
            name=op.f("ck_embedding_spaces_provider_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('ready', 'reembedding')", name=op.f("ck_embedding_spaces_status_allowed")
        ),
        sa.CheckConstraint(
            "dimensions BETWEEN 1 AND 2000", name=op.f("ck_embedding_spaces_dimensions_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embedding_spaces")),
        sa.UniqueConstraint("name", name=op.f("uq_embedding_spaces_name")),
        schema="mimir",
    )
    op.create_table(
        "intent_groups",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("merged_into_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active', 'deprecated', 'merged')",
            name=op.f("ck_intent_groups_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["mimir.intent_groups.id"],
            name=op.f("fk_intent_groups_merged_into_id_intent_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intent_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_intent_groups_name")),
        schema="mimir",
    )
    op.create_index(
        "ix_intent_groups_created_at_id",
        "intent_groups",
        ["created_at", "id"],
        unique=False,
        schema="mimir",
    )
    op.create_table(
        "provenance",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("target_type", sa.Text(), nullable=False),
        sa.Column("target_id", sa.UUID(), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=True),
        sa.Column("prompt_version", sa.Text(), nullable=True),
        sa.Column("pipeline_version", sa.Text(), nullable=True),
        sa.Column(
            "evidence_span_ids",
            postgresql.ARRAY(sa.UUID()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance")),
        schema="mimir",
    )
    op.create_index(
        "ix_provenance_target_type_target_id",
        "provenance",
        ["target_type", "target_id"],
        unique=False,
        schema="mimir",
    )
    op.create_table(
        "relations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("relation_type", sa.Text(), nullable=False),
        sa.Column("target_type", sa.Text(), nullable=False),
        sa.Column("target_id", sa.UUID(), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint(
            "source_type",
            "source_id",
            "relation_type",
            "target_type",
            "target_id",
            name=op.f("uq_relations_source_type_source_id_relation_type_target_type_target_id"),
        ),
        schema="mimir",
    )
    op.create_index(
        "ix_relations_created_at_id",
        "relations",
        ["created_at", "id"],
        unique=False,
        schema="mimir",
    )
    op.create_index(
        "ix_relations_target_type_target_id",
        "relations",
        ["target_type", "target_id"],
        unique=False,
        schema="mimir",
    )
    op.create_table(
        "artifact_versions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("artifact_id", sa.UUID(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("indexing_status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("indexing_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "indexing_status IN ('pending', 'indexed', 'failed')",
            name=op.f("ck_artifact_versions_indexing_status_allowed"),
        ),
        sa.CheckConstraint(
            "version_number >= 1", name=op.f("ck_artifact_versions_version_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["mimir.artifacts.id"],
            name=op.f("fk_artifact_versions_artifact_id_artifacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifact_versions")),
        sa.UniqueConstraint(
            "artifact_id",
            "content_hash",
            name=op.f("uq_artifact_versions_artifact_id_content_hash"),
        ),
        sa.UniqueConstraint(
            "artifact_id",
            "version_number",
            name=op.f("uq_artifact_versions_artifact_id_version_number"),
        ),
        schema="mimir",
    )
    op.create_index(
        "ix_artifact_versions_pending",
        "artifact_versions",
        ["created_at"],
        unique=False,
        schema="mimir",
        postgresql_where=sa.text("indexing_status = 'pending'"),
    )
    op.create_table(
        "intents",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("intent_group_id", sa.UUID(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="proposed", nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'rejected')", name=op.f("ck_intents_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["intent_group_id"],
            ["mimir.intent_groups.id"],
            name=op.f("fk_intents_intent_group_id_intent_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
        schema="mimir",
    )
    op.create_index(
        "ix_intents_created_at_id", "intents", ["created_at", "id"], unique=False, schema="mimir"
    )
    op.create_index(
        "ix_intents_intent_group_id", "intents", ["intent_group_id"], unique=False, schema="mimir"
    )
    op.create_index(
        "ix_intents_statement_trgm",
        "intents",
        ["statement"],
        unique=False,
        schema="mimir",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    )
    op.create_table(
        "spans",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("artifact_version_id", sa.UUID(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("span_type", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, content)", persisted=True),
            nullable=True,
        ),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "0 <= start_offset AND start_offset < end_offset", name=op.f("ck_spans_offsets")
        ),
        sa.ForeignKeyConstraint(
            ["artifact_version_id"],
            ["mimir.artifact_versions.id"],
            name=op.f("fk_spans_artifact_version_id_artifact_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spans")),
        schema="mimir",
    )
    op.create_index(
        "ix_spans_artifact_version_id_start_offset",
        "spans",
        ["artifact_version_id", "start_offset"],
        unique=False,
        schema="mimir",
    )
    op.create_index(
        "ix_spans_chunk_tsv",
        "spans",
        ["tsv"],
        unique=False,
        schema="mimir",
        postgresql_using="gin",
        postgresql_where=sa.text("span_type = 'chunk'"),
    )
    op.create_index(
        "ix_spans_created_at_id", "spans", ["created_at", "id"], unique=False, schema="mimir"
    )
    op.create_table(
        "embeddings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.UUID(), nullable=False),
        sa.Column("span_id", sa.UUID(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("vector", pgvector.sqlalchemy.vector.VECTOR(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["mimir.embedding_spaces.id"],
            name=op.f("fk_embeddings_space_id_embedding_spaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["span_id"], ["mimir.spans.id"], name=op.f("fk_embeddings_span_id_spans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint("space_id", "span_id", name=op.f("uq_embeddings_space_id_span_id")),
        schema="mimir",
    )
    op.create_index(
        "ix_embeddings_span_id", "embeddings", ["span_id"], unique=False, schema="mimir"
    )


def downgrade() -> None:
    op.drop_index("ix_embeddings_span_id", table_name="embeddings", schema="mimir")
    op.drop_table("embeddings", schema="mimir")
    op.drop_index("ix_spans_created_at_id", table_name="spans", schema="mimir")
    op.drop_index(
        "ix_spans_chunk_tsv",
        table_name="spans",
        schema="mimir",
        postgresql_using="gin",
        postgresql_where=sa.text("span_type = 'chunk'"),
    )
    op.drop_index("ix_spans_artifact_version_id_start_offset", table_name="spans", schema="mimir")
    op.drop_table("spans", schema="mimir")
    op.drop_index(
        "ix_intents_statement_trgm",
        table_name="intents",
        schema="mimir",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    )
    op.drop_index("ix_intents_intent_group_id", table_name="intents", schema="mimir")
    op.drop_index("ix_intents_created_at_id", table_name="intents", schema="mimir")
    op.drop_table("intents", schema="mimir")
    op.drop_index(
        "ix_artifact_versions_pending",
        table_name="artifact_versions",
        schema="mimir",
        postgresql_where=sa.text("indexing_status = 'pending'"),
    )
    op.drop_table("artifact_versions", schema="mimir")
    op.drop_index("ix_relations_target_type_target_id", table_name="relations", schema="mimir")
    op.drop_index("ix_relations_created_at_id", table_name="relations", schema="mimir")
    op.drop_table("relations", schema="mimir")
    op.drop_index("ix_provenance_target_type_target_id", table_name="provenance", schema="mimir")
    op.drop_table("provenance", schema="mimir")
    op.drop_index("ix_intent_groups_created_at_id", table_name="intent_groups", schema="mimir")
    op.drop_table("intent_groups", schema="mimir")
    op.drop_table("embedding_spaces", schema="mimir")
    op.drop_index("ix_decisions_superseded_by_id", table_name="decisions", schema="mimir")
    op.drop_index(
        "ix_decisions_statement_trgm",
        table_name="decisions",
        schema="mimir",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    )
    op.drop_index("ix_decisions_created_at_id", table_name="decisions", schema="mimir")
    op.drop_table("decisions", schema="mimir")
    op.drop_index("ix_artifacts_source_external_id", table_name="artifacts", schema="mimir")
    op.drop_index("ix_artifacts_created_at_id", table_name="artifacts", schema="mimir")
    op.drop_table("artifacts", schema="mimir")
