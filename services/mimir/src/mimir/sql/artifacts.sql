-- name: insert_artifact
-- The new artifact row.
INSERT INTO artifacts (artifact_type, external_id, source, metadata)
VALUES (%(artifact_type)s, %(external_id)s, %(source)s, %(metadata)s)
RETURNING id, artifact_type, external_id, source, metadata, created_at;

-- name: lock_external_id
-- One row: the artifact id `external_id` of `source` is locked until commit, so that two
-- requests naming it create one artifact.
SELECT pg_advisory_xact_lock(
           hashtextextended('mimir.artifacts' || chr(31) || %(source)s || chr(31)
                            || %(external_id)s, 0)) AS locked;

-- name: get_artifact_by_external_id
-- The (oldest) artifact that holds `external_id` in `source`, if any.
SELECT id, artifact_type, external_id, source, metadata, created_at
FROM artifacts WHERE source = %(source)s AND external_id = %(external_id)s
ORDER BY created_at, id
LIMIT 1;

-- name: lock_artifact
-- The artifact row, locked until commit so its versions are numbered one at a time.
SELECT id, artifact_type, external_id, source, metadata, created_at
FROM artifacts WHERE id = %(id)s FOR UPDATE;

-- name: get_version_by_hash
-- The artifact's version holding exactly this content (by sha256), if any.
SELECT id, artifact_id, version_number, content, content_hash, created_by,
       indexing_status, created_at
FROM artifact_versions
WHERE artifact_id = %(artifact_id)s AND content_hash = %(content_hash)s;

-- name: insert_version
-- The new version, numbered one after the artifact's latest.
INSERT INTO artifact_versions (artifact_id, version_number, content, content_hash, created_by)
SELECT %(artifact_id)s, coalesce(max(version_number), 0) + 1, %(content)s, %(content_hash)s,
       %(created_by)s
FROM artifact_versions WHERE artifact_id = %(artifact_id)s
RETURNING id, artifact_id, version_number, content, content_hash, created_by,
          indexing_status, created_at;

-- name: insert_chunk
-- Nothing: one `chunk` or `passage` span of a version, its text copied from the content.
INSERT INTO spans (artifact_version_id, start_offset, end_offset, span_type, content, metadata)
VALUES (%(version_id)s, %(start)s, %(end)s, %(span_type)s, %(content)s, %(metadata)s);

-- name: get_artifact
-- One artifact with its latest version number and that version's indexing status.
SELECT a.id, a.artifact_type, a.external_id, a.source, a.metadata, a.created_at,
       v.version_number AS latest_version, v.indexing_status
FROM artifacts a
LEFT JOIN LATERAL (
    SELECT version_number, indexing_status FROM artifact_versions
    WHERE artifact_id = a.id ORDER BY version_number DESC LIMIT 1
) v ON TRUE
WHERE a.id = %(id)s;

-- name: list_versions
-- All versions of an artifact, oldest first.
SELECT id, artifact_id, version_number, content, content_hash, created_by,
       indexing_status, created_at
FROM artifact_versions WHERE artifact_id = %(artifact_id)s ORDER BY version_number;

-- name: list_artifacts
-- A page of artifacts matching the composed filters (and the full-text query `q`, if given).
SELECT a.id, a.artifact_type, a.external_id, a.source, a.metadata, a.created_at,
       v.version_number AS latest_version, v.indexing_status
FROM artifacts a
LEFT JOIN LATERAL (
    SELECT version_number, indexing_status FROM artifact_versions
    WHERE artifact_id = a.id ORDER BY version_number DESC LIMIT 1
) v ON TRUE
WHERE {where}
  AND (%(q)s::text IS NULL OR EXISTS (
        SELECT 1 FROM artifact_versions av JOIN spans s ON s.artifact_version_id = av.id
        WHERE av.artifact_id = a.id AND s.span_type = 'chunk'
          AND s.tsv @@ websearch_to_tsquery('english', searchable_text(%(q)s))))
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;
