-- name: insert_provenance
-- The new provenance row.
INSERT INTO provenance (target_type, target_id, model_id, prompt_version, pipeline_version,
                        evidence_span_ids, metadata)
VALUES (%(target_type)s, %(target_id)s, %(model_id)s, %(prompt_version)s,
        %(pipeline_version)s, %(evidence_span_ids)s, %(metadata)s)
RETURNING id, target_type, target_id, model_id, prompt_version, pipeline_version,
          evidence_span_ids, metadata, created_at;

-- name: list_provenance_for_target
-- Every provenance row of one entity, oldest first.
SELECT id, target_type, target_id, model_id, prompt_version, pipeline_version,
       evidence_span_ids, metadata, created_at
FROM provenance
WHERE target_type = %(target_type)s AND target_id = %(target_id)s
ORDER BY created_at, id;

-- name: list_missing_spans
-- The given span ids that do not exist, as `id`.
SELECT given.id FROM unnest(%(ids)s::uuid[]) AS given(id)
WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.id = given.id);
