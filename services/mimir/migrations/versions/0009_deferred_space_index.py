"""Bulk vector loads that defer a space's HNSW index.

`embedding_spaces.index_deferred_until`: while it lies in the future a bulk load is under
way and the index builder leaves the space without an index; the load clears it when done and
the builder then rebuilds the index `CONCURRENTLY`.

`drop_deferred_space_index(space)`: the runtime role may not run DDL, so this function, owned
by the schema's owner, drops one space's index, and only while that space's load has marked
it. It runs in its own short transaction before the load, with a short `lock_timeout`, so the
brief exclusive lock it needs on `embeddings` never waits long behind other work.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DROP_FUNCTION = """
CREATE FUNCTION mimir.drop_deferred_space_index(space uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = mimir, pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $$
DECLARE
    name text := 'embeddings_hnsw_' || replace(space::text, '-', '');
BEGIN
    IF NOT EXISTS (
        SELECT FROM mimir.embedding_spaces WHERE id = space AND index_deferred_until > now()
    ) THEN
        RAISE EXCEPTION 'the space % has no bulk load under way', space
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF to_regclass(format('mimir.%I', name)) IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP INDEX mimir.%I', name);
    RETURN true;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "embedding_spaces",
        sa.Column("index_deferred_until", sa.DateTime(timezone=True), nullable=True),
        schema="mimir",
    )
    op.execute(DROP_FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION mimir.drop_deferred_space_index(uuid)")
    op.drop_column("embedding_spaces", "index_deferred_until", schema="mimir")
