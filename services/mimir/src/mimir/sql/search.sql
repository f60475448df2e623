-- name: fragment_lexical_ranked
-- Fragment (id, rank, score): a bounded set of GIN matches of `q`, ranked by ts_rank_cd.
SELECT c.id, row_number() OVER (ORDER BY c.score DESC, c.id) AS rank, c.score
FROM (
    SELECT m.id, ts_rank_cd(m.tsv, q.query) AS score
    FROM (
        SELECT s.id, s.tsv
        FROM spans s
        JOIN artifact_versions v ON v.id = s.artifact_version_id
        JOIN artifacts a ON a.id = v.artifact_id
        CROSS JOIN q
        WHERE s.span_type = 'chunk' AND s.tsv @@ q.query AND {filters}
        LIMIT %(candidates)s
    ) m CROSS JOIN q
) c
ORDER BY rank
LIMIT %(depth)s;

-- name: fragment_nearest_chunks
-- Fragment (id, rank, distance): nearest chunks to the vector, from one space's HNSW index.
SELECT n.id, row_number() OVER (ORDER BY n.distance, n.id) AS rank, n.distance
FROM (
    SELECT e.span_id AS id,
           e.vector::vector({dimensions}) {operator} %(vector)s::vector({dimensions}) AS distance
    FROM embeddings e
    JOIN spans s ON s.id = e.span_id
    JOIN artifact_versions v ON v.id = s.artifact_version_id
    JOIN artifacts a ON a.id = v.artifact_id
    WHERE e.space_id = {space_id} AND {filters}
    ORDER BY distance
    LIMIT %(depth)s
) n
ORDER BY rank;

-- name: configure_search
-- One row: this transaction plans searches per call and scans HNSW iteratively with ef_search.
SELECT set_config('plan_cache_mode', 'force_custom_plan', true) AS plan_cache_mode,
       set_config('hnsw.iterative_scan', 'relaxed_order', true) AS iterative_scan,
       set_config('hnsw.ef_search', %(ef_search)s, true) AS ef_search;

-- name: search_text
-- Full-text hits (chunk, artifact, version, offsets, text, snippet), best first.
WITH q AS (SELECT websearch_to_tsquery('english', %(query)s) AS query),
lexical AS ({lexical})
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       ts_headline('english', s.content, q.query, %(headline)s) AS snippet,
       l.score, l.rank AS lexical_rank
FROM lexical l
JOIN spans s ON s.id = l.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
CROSS JOIN q
ORDER BY l.rank
LIMIT %(limit)s;

-- name: search_semantic
-- Vector hits (chunk, artifact, version, offsets, text, distance), nearest first.
WITH dense AS ({dense})
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       d.distance, {score} AS score, d.rank AS semantic_rank
FROM dense d
JOIN spans s ON s.id = d.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
ORDER BY d.rank
LIMIT %(limit)s;

-- name: search_hybrid
-- Hits of both rankings fused by reciprocal rank (k = %(rrf_k)s), with each list's rank.
WITH q AS (
    SELECT replace(replace(websearch_to_tsquery('english', %(query)s)::text, ' & ', ' | '),
                   ' | !', ' & !')::tsquery AS query
),
lexical AS ({lexical}),
dense AS ({dense}),
fused AS (
    SELECT coalesce(l.id, d.id) AS id, l.rank AS lexical_rank, d.rank AS semantic_rank,
           d.distance,
           coalesce(1.0 / (%(rrf_k)s + l.rank), 0) + coalesce(1.0 / (%(rrf_k)s + d.rank), 0)
               AS score
    FROM lexical l FULL OUTER JOIN dense d ON d.id = l.id
    ORDER BY score DESC, id
    LIMIT %(limit)s
)
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       ts_headline('english', s.content, q.query, %(headline)s) AS snippet,
       f.score, f.lexical_rank, f.semantic_rank, f.distance
FROM fused f
JOIN spans s ON s.id = f.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
CROSS JOIN q
ORDER BY f.score DESC, s.id;
