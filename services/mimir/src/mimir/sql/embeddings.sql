-- name: insert_space
-- The new embedding space.
INSERT INTO embedding_spaces (name, provider, model, dimensions, distance, status)
VALUES (%(name)s, %(provider)s, %(model)s, %(dimensions)s, %(distance)s, %(status)s)
ON CONFLICT (name) DO NOTHING
RETURNING id, name, provider, model, dimensions, distance, status, created_at;

-- name: get_space
-- One embedding space with its number of embeddings.
SELECT sp.id, sp.name, sp.provider, sp.model, sp.dimensions, sp.distance, sp.status,
       sp.created_at,
       (SELECT count(*) FROM embeddings e WHERE e.space_id = sp.id) AS embedding_count
FROM embedding_spaces sp
WHERE sp.id = %(id)s;

-- name: get_space_by_name
-- One embedding space, by name.
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces WHERE name = %(name)s;

-- name: lock_space
-- One embedding space, locked until commit (vectors for it may still be inserted meanwhile).
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces WHERE id = %(id)s FOR NO KEY UPDATE;

-- name: list_spaces
-- Every embedding space with its number of embeddings, by name.
SELECT sp.id, sp.name, sp.provider, sp.model, sp.dimensions, sp.distance, sp.status,
       sp.created_at,
       (SELECT count(*) FROM embeddings e WHERE e.space_id = sp.id) AS embedding_count
FROM embedding_spaces sp
ORDER BY sp.name;

-- name: update_space_model
-- The space with its new provider, model and dimensions, marked for re-embedding.
UPDATE embedding_spaces
SET provider = %(provider)s, model = %(model)s, dimensions = %(dimensions)s,
    status = 'reembedding'
WHERE id = %(id)s
RETURNING id, name, provider, model, dimensions, distance, status, created_at;

-- name: delete_space_embeddings
-- Nothing: every embedding of one space is removed.
DELETE FROM embeddings WHERE space_id = %(space_id)s;

-- name: create_hnsw_index
-- Nothing: the space's HNSW partial expression index, built without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON embeddings
USING hnsw ((vector::vector({dimensions})) {opclass})
WHERE space_id = {space_id};

-- name: drop_hnsw_index
-- Nothing: an HNSW index is dropped without blocking writes.
DROP INDEX CONCURRENTLY IF EXISTS {index};

-- name: list_hnsw_indexes
-- Every space index: name, definition, whether it is valid (a failed build leaves it invalid).
SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition, i.indisvalid AS valid
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname LIKE %(prefix)s || '%%';

-- name: stale_hnsw_index
-- One row, `stale`: whether the space still has an index built for other dimensions.
SELECT EXISTS (
    SELECT FROM pg_indexes
    WHERE schemaname = current_schema() AND indexname = %(name)s
      AND indexdef NOT LIKE '%%' || %(cast)s || '%%'
) AS stale;

-- name: upsert_embedding
-- Nothing: the span's vector in the space, replacing an older one.
INSERT INTO embeddings (space_id, span_id, model, vector)
VALUES (%(space_id)s, %(span_id)s, %(model)s, %(vector)s::vector)
ON CONFLICT (space_id, span_id)
DO UPDATE SET model = EXCLUDED.model, vector = EXCLUDED.vector, created_at = now();

-- name: list_missing_chunks
-- The given span ids that are neither chunks nor passages, as `id`.
SELECT given.id FROM unnest(%(ids)s::uuid[]) AS given(id)
WHERE NOT EXISTS (
    SELECT 1 FROM spans s WHERE s.id = given.id AND s.span_type IN ('chunk', 'passage'));

-- name: claim_pending_version
-- The oldest version still waiting to be embedded, locked (skipping ones another worker holds).
SELECT id FROM artifact_versions
WHERE indexing_status = 'pending'
ORDER BY created_at
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: list_version_chunks
-- The spans of one version that get vectors, in order, with their text: its passages, or its
-- chunks when it has none (versions stored before passages existed).
SELECT id, content FROM spans s
WHERE s.artifact_version_id = %(version_id)s
  AND (s.span_type = 'passage'
       OR (s.span_type = 'chunk' AND NOT EXISTS (
           SELECT 1 FROM spans p
           WHERE p.artifact_version_id = s.artifact_version_id AND p.span_type = 'passage')))
ORDER BY s.start_offset;

-- name: list_computed_spaces
-- The spaces whose vectors the server computes (every provider but `client`).
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces WHERE provider <> 'client' ORDER BY created_at;

-- name: set_version_indexing
-- Nothing: a version's indexing status (and error, when it failed).
UPDATE artifact_versions SET indexing_status = %(status)s, indexing_error = %(error)s
WHERE id = %(id)s;

-- name: claim_reembedding_space
-- One space being re-embedded, locked against other workers but not against vector inserts.
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces WHERE status = 'reembedding'
ORDER BY created_at
LIMIT 1
FOR NO KEY UPDATE SKIP LOCKED;

-- name: list_chunks_to_reembed
-- Up to %(limit)s spans that get vectors (as in list_version_chunks) without one from the
-- space's current model.
SELECT s.id, s.content FROM spans s
WHERE (s.span_type = 'passage'
       OR (s.span_type = 'chunk' AND NOT EXISTS (
           SELECT 1 FROM spans p
           WHERE p.artifact_version_id = s.artifact_version_id AND p.span_type = 'passage')))
  AND NOT EXISTS (
      SELECT 1 FROM embeddings e
      WHERE e.space_id = %(space_id)s AND e.span_id = s.id AND e.model = %(model)s)
LIMIT %(limit)s;

-- name: set_space_ready
-- Nothing: the space has a current vector for every chunk.
UPDATE embedding_spaces SET status = 'ready' WHERE id = %(id)s;
