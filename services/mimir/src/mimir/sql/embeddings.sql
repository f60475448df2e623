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
-- Nothing: every embedding of one space (chunks', decisions' and intents') is removed.
WITH records AS (DELETE FROM record_embeddings WHERE space_id = %(space_id)s)
DELETE FROM embeddings WHERE space_id = %(space_id)s;

-- name: create_hnsw_index
-- Nothing: the space's HNSW partial expression index, built without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON embeddings
USING hnsw ((vector::vector({dimensions})) {opclass}) WITH (ef_construction = {ef_construction})
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

-- name: fragment_records
-- Fragment (target_type, target_id, text, status, superseded_by_id, metadata, created_at,
-- tsv): every decision (its statement, then its rationale) and every intent (its statement).
SELECT 'decision'::text AS target_type, d.id AS target_id,
       concat_ws(E'\n\n', d.statement, nullif(d.rationale, '')) AS text,
       d.status, d.superseded_by_id, d.metadata, d.created_at, d.tsv
FROM decisions d
UNION ALL
SELECT 'intent'::text, i.id, i.statement, i.status, NULL::uuid, i.metadata, i.created_at, i.tsv
FROM intents i

-- name: list_records_to_embed
-- Up to %(limit)s decisions and intents (target_type, target_id, text) without a vector from
-- the space's current model.
SELECT rec.target_type, rec.target_id, rec.text
FROM ({records}) rec
WHERE NOT EXISTS (
    SELECT 1 FROM record_embeddings e
    WHERE e.space_id = %(space_id)s AND e.target_type = rec.target_type
      AND e.target_id = rec.target_id AND e.model = %(model)s)
LIMIT %(limit)s;

-- name: upsert_record_embedding
-- Nothing: the decision's or intent's vector in the space, replacing an older one.
INSERT INTO record_embeddings (space_id, target_type, target_id, model, vector)
VALUES (%(space_id)s, %(target_type)s, %(target_id)s, %(model)s, %(vector)s::vector)
ON CONFLICT (space_id, target_type, target_id)
DO UPDATE SET model = EXCLUDED.model, vector = EXCLUDED.vector, created_at = now();

-- name: list_missing_chunks
-- The given span ids that are neither chunks nor passages, as `id`.
SELECT given.id FROM unnest(%(ids)s::uuid[]) AS given(id)
WHERE NOT EXISTS (
    SELECT 1 FROM spans s WHERE s.id = given.id AND s.span_type IN ('chunk', 'passage'));

-- name: claim_pending_version
-- The oldest version still waiting to be embedded that no live worker claims, now claimed for
-- the caller (`claim_id`); a claim not renewed for %(lease_seconds)s is taken over.
UPDATE artifact_versions SET claim_id = gen_random_uuid(), claimed_at = now()
WHERE id = (
    SELECT id FROM artifact_versions
    WHERE indexing_status = 'pending'
      AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => %(lease_seconds)s))
    ORDER BY created_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED)
RETURNING id, claim_id;

-- name: renew_claim
-- Nothing: the lease of a claim on a row of {table} starts again, while the claim holds it.
UPDATE {table} SET claimed_at = now()
WHERE id = %(id)s AND claim_id = %(claim_id)s;

-- name: release_claim
-- Nothing: a claim on a row of {table} is given up, so any worker may take the work at once.
UPDATE {table} SET claim_id = NULL, claimed_at = NULL
WHERE id = %(id)s AND claim_id = %(claim_id)s;

-- name: hold_version_claim
-- The version (`id`), locked until commit, when the caller's claim still holds it.
SELECT id FROM artifact_versions
WHERE id = %(id)s AND claim_id = %(claim_id)s
FOR NO KEY UPDATE;

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
-- Nothing: a version's indexing status (and error, when it failed); its claim is done.
UPDATE artifact_versions
SET indexing_status = %(status)s, indexing_error = %(error)s, claim_id = NULL, claimed_at = NULL
WHERE id = %(id)s AND claim_id = %(claim_id)s;

-- name: lock_reembedding_space
-- One space being re-embedded that no live worker claims (one not renewed for
-- %(lease_seconds)s is free again), locked against other workers but not vector inserts.
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces
WHERE status = 'reembedding'
  AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => %(lease_seconds)s))
ORDER BY created_at
LIMIT 1
FOR NO KEY UPDATE SKIP LOCKED;

-- name: claim_space
-- The space's new claim, as `claim_id`.
UPDATE embedding_spaces SET claim_id = gen_random_uuid(), claimed_at = now()
WHERE id = %(id)s
RETURNING claim_id;

-- name: hold_space_claim
-- The space, locked until commit, when the caller's claim still holds it.
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces
WHERE id = %(id)s AND claim_id = %(claim_id)s
FOR NO KEY UPDATE;

-- name: share_space
-- One embedding space, kept from changing model (`reembed`) until commit.
SELECT id, name, provider, model, dimensions, distance, status, created_at
FROM embedding_spaces WHERE id = %(id)s FOR SHARE;

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
UPDATE embedding_spaces SET status = 'ready', claim_id = NULL, claimed_at = NULL
WHERE id = %(id)s;

-- name: create_vector_load
-- Nothing: the transaction's staging table for a bulk vector load, gone at commit.
CREATE TEMPORARY TABLE vector_load (line integer NOT NULL, span_id uuid NOT NULL,
    vector vector NOT NULL) ON COMMIT DROP;

-- name: copy_vector_load
-- Nothing: binary COPY of (line, span_id, vector) rows into the staging table.
COPY vector_load (line, span_id, vector) FROM STDIN (FORMAT BINARY);

-- name: list_vector_load_strangers
-- Up to 20 staged rows (`line`, `span_id`) whose span is neither a chunk nor a passage.
SELECT l.line, l.span_id FROM vector_load l
WHERE NOT EXISTS (
    SELECT 1 FROM spans s WHERE s.id = l.span_id AND s.span_type IN ('chunk', 'passage'))
ORDER BY l.line
LIMIT 20;

-- name: upsert_vector_load
-- Nothing: every staged span's vector in the space (the last line of a span repeated wins),
-- replacing older ones.
INSERT INTO embeddings (space_id, span_id, model, vector)
SELECT DISTINCT ON (l.span_id) %(space_id)s::uuid, l.span_id, %(model)s, l.vector
FROM vector_load l
ORDER BY l.span_id, l.line DESC
ON CONFLICT (space_id, span_id)
DO UPDATE SET model = EXCLUDED.model, vector = EXCLUDED.vector, created_at = now();

-- name: set_load_timeout
-- One row: this transaction's statement timeout for a bulk load (the role's is shorter).
SELECT set_config('statement_timeout', %(timeout)s, true);

-- name: defer_space_index
-- The space (`index_deferred_until`), marked as under a bulk load until then: the index
-- builder leaves it without an index meanwhile.
UPDATE embedding_spaces
SET index_deferred_until = now() + make_interval(secs => %(seconds)s)
WHERE id = %(id)s
RETURNING index_deferred_until;

-- name: drop_deferred_space_index
-- One row, `dropped`: whether the deferred space had an index, now dropped by its owner.
SELECT drop_deferred_space_index(%(id)s) AS dropped;

-- name: end_space_index_deferral
-- Nothing: the load that set this mark is over (a later load's mark stays), so the index
-- builder rebuilds the index.
UPDATE embedding_spaces SET index_deferred_until = NULL
WHERE id = %(id)s AND index_deferred_until = %(until)s;

-- name: list_deferred_spaces
-- The ids of the spaces with a bulk load under way that defers their index.
SELECT id FROM embedding_spaces WHERE index_deferred_until > now();
