-- name: get_version_extent
-- One version's id, artifact and content length in characters.
SELECT id, artifact_id, char_length(content) AS length
FROM artifact_versions WHERE id = %(id)s;

-- name: insert_span
-- The new span with the text it quotes, cut from its version's content.
INSERT INTO spans (artifact_version_id, start_offset, end_offset, span_type, content, metadata)
SELECT v.id, %(start_offset)s, %(end_offset)s, %(span_type)s,
       substr(v.content, %(start_offset)s + 1, %(end_offset)s - %(start_offset)s), %(metadata)s
FROM artifact_versions v WHERE v.id = %(artifact_version_id)s
RETURNING id, artifact_version_id, start_offset, end_offset, span_type, content AS text,
          metadata, created_at;

-- name: get_span
-- One span with its artifact id and quoted text.
SELECT s.id, v.artifact_id, s.artifact_version_id, s.start_offset, s.end_offset, s.span_type,
       s.content AS text, s.metadata, s.created_at
FROM spans s JOIN artifact_versions v ON v.id = s.artifact_version_id
WHERE s.id = %(id)s;

-- name: list_spans
-- A page of spans (with artifact id and quoted text) matching the composed filters.
SELECT s.id, s.artifact_id, s.artifact_version_id, s.start_offset, s.end_offset, s.span_type,
       s.text, s.metadata, s.created_at
FROM (
    SELECT sp.id, v.artifact_id, sp.artifact_version_id, sp.start_offset, sp.end_offset,
           sp.span_type, sp.content AS text, sp.metadata, sp.created_at
    FROM spans sp JOIN artifact_versions v ON v.id = sp.artifact_version_id
) s
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;
