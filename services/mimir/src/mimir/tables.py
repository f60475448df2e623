"""SQLAlchemy Core table definitions: for Alembic autogenerate only, never for queries.

Per-space HNSW indexes on `embeddings` are created at run time when a space is created
(see `mimir.embedding.spaces`); they are named `embeddings_hnsw_<space id hex>`.
"""

from typing import get_args

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql as pg

from envelope import messaging_tables, schema_metadata
from mimir.artifacts.schemas import ArtifactType, IndexingStatus
from mimir.decisions.schemas import DecisionStatus
from mimir.embedding.schemas import Distance, Provider, SpaceStatus
from mimir.external.schemas import ExternalType
from mimir.intents.schemas import GroupStatus, IntentStatus
from mimir.search.schemas import RecordType

SCHEMA = "mimir"
HNSW_INDEX_PREFIX = "embeddings_hnsw_"
# Full-text GIN indexes take new entries directly: a pending list would be read by every
# search until VACUUM merged it (migration 0010).
WRITE_THROUGH = {"fastupdate": "off"}

metadata = schema_metadata(SCHEMA)

outbox, inbox = messaging_tables(metadata, SCHEMA)


def _id() -> sa.Column[object]:
    return sa.Column(
        "id", pg.UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")
    )


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def _metadata() -> sa.Column[object]:
    return sa.Column("metadata", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))


def _claim() -> list[sa.Column[object]]:
    """An embedding worker's lease on the row: its claim's id and when it last renewed it."""
    return [
        sa.Column("claim_id", pg.UUID(as_uuid=True)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
    ]


def _words(text: str) -> sa.Column[object]:
    """The row's words for full-text search, kept by PostgreSQL from the text as
    `mimir.searchable_text` reads it (migration 0014): `<` and `>` as spaces, since the
    parser takes `<word>` for a markup tag and would leave the word out; in NFKC, so a word
    matches however its characters are composed; and a path, address or dotted name split
    at its separators, which the parser would keep as one token. A query's words are read
    alike: `list_query_units`, and `list_artifacts`'s `q`."""
    expression = f"to_tsvector('english'::regconfig, mimir.searchable_text({text}))"
    return sa.Column("tsv", pg.TSVECTOR, sa.Computed(expression, persisted=True))


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


artifacts = sa.Table(
    "artifacts",
    metadata,
    _id(),
    sa.Column("artifact_type", sa.Text, nullable=False),
    sa.Column("external_id", sa.Text),
    sa.Column("source", sa.Text, nullable=False),
    _metadata(),
    _created_at(),
    _one_of("artifact_type", get_args(ArtifactType)),
    sa.Index("ix_artifacts_created_at_id", "created_at", "id"),
    sa.Index("ix_artifacts_source_external_id", "source", "external_id"),
)

artifact_versions = sa.Table(
    "artifact_versions",
    metadata,
    _id(),
    sa.Column("artifact_id", pg.UUID(as_uuid=True), sa.ForeignKey("artifacts.id"), nullable=False),
    sa.Column("version_number", sa.Integer, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("indexing_status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("indexing_error", sa.Text),
    *_claim(),
    _created_at(),
    sa.UniqueConstraint("artifact_id", "version_number"),
    sa.UniqueConstraint("artifact_id", "content_hash"),
    sa.CheckConstraint("version_number >= 1", name="version_number_positive"),
    _one_of("indexing_status", get_args(IndexingStatus)),
    sa.Index(
        "ix_artifact_versions_pending",
        "created_at",
        postgresql_where=sa.text("indexing_status = 'pending'"),
    ),
)

intent_groups = sa.Table(
    "intent_groups",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("merged_into_id", pg.UUID(as_uuid=True), sa.ForeignKey("intent_groups.id")),
    _created_at(),
    _one_of("status", get_args(GroupStatus)),
    sa.Index("ix_intent_groups_created_at_id", "created_at", "id"),
)

intents = sa.Table(
    "intents",
    metadata,
    _id(),
    sa.Column("intent_group_id", pg.UUID(as_uuid=True), sa.ForeignKey("intent_groups.id")),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("proposed_by", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="proposed"),
    _metadata(),
    _created_at(),
    _words("statement"),
    _one_of("status", get_args(IntentStatus)),
    sa.Index("ix_intents_created_at_id", "created_at", "id"),
    sa.Index("ix_intents_intent_group_id", "intent_group_id"),
    sa.Index("ix_intents_tsv", "tsv", postgresql_using="gin", postgresql_with=WRITE_THROUGH),
    sa.Index(
        "ix_intents_statement_trgm",
        "statement",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    ),
)

decisions = sa.Table(
    "decisions",
    metadata,
    _id(),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="tentative"),
    sa.Column("superseded_by_id", pg.UUID(as_uuid=True), sa.ForeignKey("decisions.id")),
    _metadata(),
    _created_at(),
    _words("statement || ' ' || rationale"),
    _one_of("status", get_args(DecisionStatus)),
    sa.CheckConstraint("superseded_by_id <> id", name="not_self_superseded"),
    sa.Index("ix_decisions_created_at_id", "created_at", "id"),
    sa.Index("ix_decisions_superseded_by_id", "superseded_by_id"),
    sa.Index("ix_decisions_tsv", "tsv", postgresql_using="gin", postgresql_with=WRITE_THROUGH),
    sa.Index(
        "ix_decisions_statement_trgm",
        "statement",
        postgresql_using="gin",
        postgresql_ops={"statement": "public.gin_trgm_ops"},
    ),
)

spans = sa.Table(
    "spans",
    metadata,
    _id(),
    sa.Column(
        "artifact_version_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey("artifact_versions.id"),
        nullable=False,
    ),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("span_type", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    _words("content"),
    _metadata(),
    _created_at(),
    sa.CheckConstraint("0 <= start_offset AND start_offset < end_offset", name="offsets"),
    sa.Index("ix_spans_artifact_version_id_start_offset", "artifact_version_id", "start_offset"),
    sa.Index(
        "ix_spans_chunk_version_start_offset",
        "artifact_version_id",
        "start_offset",
        postgresql_where=sa.text("span_type = 'chunk'"),
    ),
    sa.Index("ix_spans_created_at_id", "created_at", "id"),
    sa.Index(
        "ix_spans_chunk_tsv",
        "tsv",
        postgresql_using="gin",
        postgresql_where=sa.text("span_type = 'chunk'"),
        postgresql_with=WRITE_THROUGH,
    ),
)

relations = sa.Table(
    "relations",
    metadata,
    _id(),
    sa.Column("source_type", sa.Text, nullable=False),
    sa.Column("source_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("relation_type", sa.Text, nullable=False),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", pg.UUID(as_uuid=True), nullable=False),
    _metadata(),
    _created_at(),
    sa.UniqueConstraint("source_type", "source_id", "relation_type", "target_type", "target_id"),
    sa.Index("ix_relations_target_type_target_id", "target_type", "target_id"),
    sa.Index("ix_relations_created_at_id", "created_at", "id"),
)

provenance = sa.Table(
    "provenance",
    metadata,
    _id(),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("model_id", sa.Text),
    sa.Column("prompt_version", sa.Text),
    sa.Column("pipeline_version", sa.Text),
    sa.Column(
        "evidence_span_ids",
        pg.ARRAY(pg.UUID(as_uuid=True)),
        nullable=False,
        server_default=sa.text("'{}'::uuid[]"),
    ),
    _metadata(),
    _created_at(),
    sa.Index("ix_provenance_target_type_target_id", "target_type", "target_id"),
)

embedding_spaces = sa.Table(
    "embedding_spaces",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("provider", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("dimensions", sa.Integer, nullable=False),
    sa.Column("distance", sa.Text, nullable=False, server_default="cosine"),
    sa.Column("status", sa.Text, nullable=False, server_default="ready"),
    # While in the future, a bulk load runs without the space's HNSW index (0009).
    sa.Column("index_deferred_until", sa.DateTime(timezone=True)),
    *_claim(),
    _created_at(),
    _one_of("provider", get_args(Provider)),
    _one_of("distance", get_args(Distance)),
    _one_of("status", get_args(SpaceStatus)),
    sa.CheckConstraint("dimensions BETWEEN 1 AND 2000", name="dimensions_range"),
)

embeddings = sa.Table(
    "embeddings",
    metadata,
    _id(),
    sa.Column(
        "space_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey("embedding_spaces.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("span_id", pg.UUID(as_uuid=True), sa.ForeignKey("spans.id"), nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("vector", Vector(), nullable=False),
    _created_at(),
    sa.UniqueConstraint("space_id", "span_id"),
    sa.Index("ix_embeddings_span_id", "span_id"),
)

record_embeddings = sa.Table(
    "record_embeddings",
    metadata,
    _id(),
    sa.Column(
        "space_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey("embedding_spaces.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("target_type", sa.Text, nullable=False),
    sa.Column("target_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("vector", Vector(), nullable=False),
    _created_at(),
    _one_of("target_type", get_args(RecordType)),
    sa.UniqueConstraint("space_id", "target_type", "target_id"),
)

external_entities = sa.Table(
    "external_entities",
    metadata,
    sa.Column("entity_type", sa.Text, nullable=False),
    sa.Column("entity_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("state", sa.Text),
    sa.Column("project_id", pg.UUID(as_uuid=True)),
    _metadata(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_event_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("last_event_type", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("entity_type", "entity_id"),
    _one_of("entity_type", get_args(ExternalType)),
    sa.Index("ix_external_entities_project_id", "project_id"),
)
