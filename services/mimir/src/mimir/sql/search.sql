-- name: list_query_units
-- One row per query unit (ord, negated, query, lexemes) after English stemming and stop
-- words; a unit of stop words only is left out. The text is read as the stored words are
-- (`searchable_text`), so a path typed whole is the phrase of its parts.
SELECT u.ord, u.negated, q.query::text AS query,
       tsvector_to_array(to_tsvector('english', w.text)) AS lexemes
FROM unnest(%(texts)s::text[], %(negated)s::bool[]) WITH ORDINALITY AS u(text, negated, ord)
CROSS JOIN LATERAL (SELECT searchable_text(u.text) AS text) w
CROSS JOIN LATERAL (SELECT phraseto_tsquery('english', w.text) AS query) q
WHERE numnode(q.query) > 0
ORDER BY u.ord;

-- name: get_statistics_version
-- One row: when spans was last analyzed, by hand or by autovacuum (null before the first).
SELECT greatest(pg_stat_get_last_analyze_time(c.oid),
                pg_stat_get_last_autoanalyze_time(c.oid)) AS analyzed_at
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = 'spans' AND n.nspname = current_schema();

-- name: get_lexeme_statistics
-- One row from the last ANALYZE of spans: its row count, the share of chunk rows, the most
-- common lexemes with the share of rows holding each (then min, max and null shares).
SELECT c.reltuples AS spans,
       (SELECT st.most_common_freqs[array_position(st.most_common_vals::text::text[], 'chunk')]
        FROM pg_stats st
        WHERE st.schemaname = n.nspname AND st.tablename = 'spans' AND st.attname = 'span_type')
           AS chunk_share,
       lx.most_common_elems::text::text[] AS lexemes, lx.most_common_elem_freqs AS shares
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stats lx ON lx.schemaname = n.nspname AND lx.tablename = 'spans'
     AND lx.attname = 'tsv'
WHERE c.relname = 'spans' AND n.nspname = current_schema();

-- name: count_scope_chunks
-- One row: how many chunks the filters cover, counted up to %(limit)s + 1.
SELECT count(*) AS chunks
FROM (
    SELECT 1
    FROM spans s
    JOIN artifact_versions v ON v.id = s.artifact_version_id
    JOIN artifacts a ON a.id = v.artifact_id
    WHERE s.span_type = 'chunk' AND {filters}
    LIMIT %(limit)s + 1
) counted;

-- name: fragment_lexical_ranked
-- Fragment (id, rank, score, ceiling, weights): chunks matching %(match)s ranked by BM25
-- (k1, b): the chunk's own score, and for the %(rescored)s best of them the mean of that
-- and of their best passage's (words found together in one turn count for more than words
-- scattered over a chunk); with the sum of the query's term weights (what a chunk holding
-- each term once scores at the mean length) and the weights by lexeme, the same on every
-- row. At most %(cap)s chunks matching %(candidates)s are scored, and when %(widen)s and
-- they are fewer than %(enough)s, up to %(cap)s of the other matches too (PostgreSQL skips
-- that branch otherwise). A term weighs %(idf)s, or, when %(scope_chunks)s (the chunks in
-- scope) is given, is weighed by the chunks holding it.
WITH candidates AS MATERIALIZED (
    SELECT s.id, length(s.tsv) AS dl,
           ts_filter(setweight(s.tsv, 'A', %(lexemes)s::text[]), ARRAY['a']::"char"[]) AS terms
    FROM spans s
    JOIN artifact_versions v ON v.id = s.artifact_version_id
    JOIN artifacts a ON a.id = v.artifact_id
    -- %(candidates)s implies %(match)s (some of its units, all of its exclusions); testing
    -- both made PostgreSQL expect a third of the rows and collect every match in a bitmap
    WHERE s.span_type = 'chunk' AND s.tsv @@ %(candidates)s::tsquery AND {filters}
    LIMIT %(cap)s
),
matches AS MATERIALIZED (
    SELECT * FROM candidates
    UNION ALL
    (SELECT s.id, length(s.tsv) AS dl,
            ts_filter(setweight(s.tsv, 'A', %(lexemes)s::text[]), ARRAY['a']::"char"[])
     FROM spans s
     JOIN artifact_versions v ON v.id = s.artifact_version_id
     JOIN artifacts a ON a.id = v.artifact_id
     WHERE %(widen)s AND (SELECT count(*) FROM candidates) < %(enough)s
       AND s.span_type = 'chunk' AND s.tsv @@ %(match)s::tsquery
       AND NOT s.tsv @@ %(candidates)s::tsquery AND {filters}
     LIMIT %(cap)s)
),
postings AS MATERIALIZED (
    SELECT m.id, m.dl, u.lexeme, coalesce(array_length(u.positions, 1), 1) AS tf
    FROM matches m CROSS JOIN LATERAL unnest(m.terms) AS u(lexeme, positions, weights)
),
weights AS MATERIALIZED (
    SELECT t.lexeme,
           CASE WHEN %(scope_chunks)s > 0
                THEN ln(1 + (greatest(%(scope_chunks)s - count(p.id), 0) + 0.5)
                            / (count(p.id) + 0.5))
                ELSE t.idf END AS idf
    FROM unnest(%(lexemes)s::text[], %(idf)s::float8[]) AS t(lexeme, idf)
    LEFT JOIN postings p ON p.lexeme = t.lexeme
    GROUP BY t.lexeme, t.idf
),
lengths AS MATERIALIZED (SELECT coalesce(avg(m.dl), 1) AS mean FROM matches m),
chunks AS MATERIALIZED (
    SELECT p.id,
           sum(w.idf * p.tf * (%(k1)s + 1)
               / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.dl / l.mean))) AS score
    FROM postings p JOIN weights w ON w.lexeme = p.lexeme CROSS JOIN lengths l
    GROUP BY p.id
    ORDER BY score DESC, p.id
    LIMIT %(rescored)s
),
passage_postings AS MATERIALIZED (
    SELECT c.id, ps.id AS passage_id, length(ps.tsv) AS dl, u.lexeme,
           coalesce(array_length(u.positions, 1), 1) AS tf
    FROM chunks c
    JOIN spans s ON s.id = c.id
    JOIN spans ps ON ps.artifact_version_id = s.artifact_version_id
     AND ps.start_offset >= s.start_offset AND ps.start_offset < s.end_offset
     AND ps.end_offset <= s.end_offset
    CROSS JOIN LATERAL unnest(
        ts_filter(setweight(ps.tsv, 'A', %(lexemes)s::text[]), ARRAY['a']::"char"[])
    ) AS u(lexeme, positions, weights)
    WHERE ps.span_type = 'passage' AND ps.tsv @@ %(match)s::tsquery
),
passage_lengths AS MATERIALIZED (
    SELECT coalesce(avg(d.dl), 1) AS mean
    FROM (SELECT DISTINCT p.passage_id, p.dl FROM passage_postings p) d
),
best_passages AS (
    SELECT q.id, max(q.score) AS score
    FROM (
        SELECT p.id,
               sum(w.idf * p.tf * (%(k1)s + 1)
                   / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.dl / l.mean))) AS score
        FROM passage_postings p JOIN weights w ON w.lexeme = p.lexeme
        CROSS JOIN passage_lengths l
        GROUP BY p.id, p.passage_id
    ) q
    GROUP BY q.id
)
SELECT r.id, row_number() OVER (ORDER BY r.score DESC, r.id) AS rank, r.score,
       (SELECT sum(w.idf) FROM weights w) AS ceiling,
       (SELECT jsonb_object_agg(w.lexeme, w.idf) FROM weights w) AS weights
FROM (  -- a chunk stored without passages counts as its own best passage
    SELECT c.id, (c.score + coalesce(b.score, c.score)) / 2 AS score
    FROM chunks c LEFT JOIN best_passages b ON b.id = c.id
) r
ORDER BY rank
LIMIT %(depth)s;

-- name: fragment_nearest_chunks
-- Fragment (id, rank, distance): chunks ranked by their nearest embedded span (a passage
-- inside them, or the chunk itself) to the vector, from one space's HNSW index; a chunk
-- matching %(excluded)s (a query's exclusions; null for none) is left out.
SELECT c.id, row_number() OVER (ORDER BY c.distance, c.id) AS rank, c.distance
FROM (
    SELECT DISTINCT ON (ch.id) ch.id, n.distance
    FROM (
        SELECT s.artifact_version_id, s.start_offset, s.end_offset,
               e.vector::vector({dimensions}) {operator} %(vector)s::vector({dimensions})
                   AS distance
        FROM embeddings e
        JOIN spans s ON s.id = e.span_id
        JOIN artifact_versions v ON v.id = s.artifact_version_id
        JOIN artifacts a ON a.id = v.artifact_id
        WHERE e.space_id = {space_id} AND {filters}
        ORDER BY distance
        LIMIT %(neighbours)s
    ) n
    CROSS JOIN LATERAL (  -- the chunk holding the span: an index probe per neighbour
        SELECT c.id FROM spans c
        WHERE c.artifact_version_id = n.artifact_version_id AND c.span_type = 'chunk'
          AND c.start_offset <= n.start_offset AND c.end_offset >= n.end_offset
          AND (%(excluded)s::tsquery IS NULL OR NOT c.tsv @@ %(excluded)s::tsquery)
        ORDER BY c.start_offset DESC
        LIMIT 1
    ) ch
    ORDER BY ch.id, n.distance
) c
ORDER BY rank
LIMIT %(depth)s;

-- name: configure_session
-- One row: this session plans every statement with its values, reads a table from its first
-- page (a capped scan then returns the same rows every time) and scans HNSW iteratively.
SELECT set_config('plan_cache_mode', 'force_custom_plan', false) AS plan_cache_mode,
       set_config('synchronize_seqscans', 'off', false) AS synchronize_seqscans,
       set_config('hnsw.iterative_scan', 'relaxed_order', false) AS iterative_scan,
       set_config('hnsw.ef_search', %(ef_search)s, false) AS ef_search;

-- name: search_text
-- Full-text hits (chunk, artifact, version, offsets, text, snippet, passages), best first,
-- each with the query's term weights.
WITH lexical AS ({lexical})
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       ts_headline('english', s.content, %(match)s::tsquery, %(headline)s) AS snippet,
       l.score, l.rank AS lexical_rank, l.weights AS term_weights, {passages} AS passage_rows
FROM lexical l
JOIN spans s ON s.id = l.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
ORDER BY l.rank
LIMIT %(limit)s;

-- name: search_semantic
-- Vector hits (chunk, artifact, version, offsets, text, distance, passages), nearest first.
WITH dense AS ({dense})
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       d.distance, {score} AS score, d.rank AS semantic_rank, {passages} AS passage_rows
FROM dense d
JOIN spans s ON s.id = d.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
ORDER BY d.rank
LIMIT %(limit)s;

-- name: search_hybrid
-- Hits of both rankings fused, with each rank: BM25 as a share of the query's term weights
-- (1 for a chunk holding each term once at the mean length, near 0 for one holding only a
-- common term) and distance scaled to [0, 1] within this query (the nearest 1, the farthest
-- 0, a lone hit 1), weighted by %(lexical_weight)s and %(semantic_weight)s and summed; a
-- chunk absent from a ranking gets 0 there. Each hit carries its passages and the query's
-- term weights (null when no chunk matched the words).
WITH lexical AS ({lexical}),
dense AS ({dense}),
lb AS (SELECT max(ceiling) AS ceiling, (SELECT weights FROM lexical LIMIT 1) FROM lexical),
db AS (SELECT min(distance) AS lo, max(distance) - min(distance) AS span FROM dense),
fused AS (
    SELECT coalesce(l.id, d.id) AS id, l.rank AS lexical_rank, d.rank AS semantic_rank,
           d.distance,
           %(lexical_weight)s * CASE WHEN l.id IS NULL OR NOT lb.ceiling > 0 THEN 0
                                     ELSE l.score / lb.ceiling END
               + %(semantic_weight)s * CASE WHEN d.id IS NULL THEN 0
                                            WHEN db.span > 0
                                            THEN (db.lo + db.span - d.distance) / db.span
                                            ELSE 1 END AS score
    FROM lexical l FULL OUTER JOIN dense d ON d.id = l.id CROSS JOIN lb CROSS JOIN db
    ORDER BY score DESC, id
    LIMIT %(limit)s
)
SELECT s.id AS span_id, v.artifact_id, s.artifact_version_id AS version_id, v.version_number,
       a.artifact_type, a.source, s.start_offset, s.end_offset, s.content AS text, s.metadata,
       ts_headline('english', s.content, %(match)s::tsquery, %(headline)s) AS snippet,
       f.score, f.lexical_rank, f.semantic_rank, f.distance, lb.weights AS term_weights,
       {passages} AS passage_rows
FROM fused f
CROSS JOIN lb
JOIN spans s ON s.id = f.id
JOIN artifact_versions v ON v.id = s.artifact_version_id
JOIN artifacts a ON a.id = v.artifact_id
ORDER BY f.score DESC, s.id;

-- name: fragment_hit_passages
-- Fragment: the passages inside the hit chunk `s` (the chunk itself when its version has
-- none) as a JSON array in offset order, each with its offsets, text, metadata, length,
-- the count of each of %(lexemes)s it holds and {distance}.
(SELECT jsonb_agg(jsonb_build_object(
            'passage_id', u.id, 'start_offset', u.start_offset, 'end_offset', u.end_offset,
            'text', u.content, 'metadata', u.metadata, 'length', length(u.tsv),
            'counts', (SELECT coalesce(jsonb_object_agg(
                                           t.lexeme, coalesce(array_length(t.positions, 1), 1)),
                                       jsonb_build_object())
                       FROM unnest(u.tsv) AS t(lexeme, positions, weights)
                       WHERE t.lexeme = ANY(%(lexemes)s::text[])),
            'distance', {distance})
        ORDER BY u.start_offset)
 FROM (SELECT coalesce(p.id, s.id) AS id,
              coalesce(p.start_offset, s.start_offset) AS start_offset,
              coalesce(p.end_offset, s.end_offset) AS end_offset,
              coalesce(p.content, s.content) AS content, coalesce(p.tsv, s.tsv) AS tsv,
              coalesce(p.metadata, s.metadata) AS metadata
       FROM (VALUES (1)) AS one(x)
       LEFT JOIN spans p ON p.artifact_version_id = s.artifact_version_id
            AND p.span_type = 'passage' AND p.start_offset >= s.start_offset
            AND p.start_offset < s.end_offset AND p.end_offset <= s.end_offset) u)

-- name: fragment_passage_distance
-- Fragment: the distance of passage `u` to the query vector in one space (null without one).
(SELECT e.vector::vector({dimensions}) {operator} %(vector)s::vector({dimensions})
 FROM embeddings e WHERE e.space_id = {space_id} AND e.span_id = u.id)

-- name: search_records_text
-- Decisions and intents of %(target_types)s matching %(match)s (at most %(cap)s scored),
-- ranked by BM25 (k1, b) with each term weighed by the records in scope holding it; each
-- with its text, status, successor, metadata, snippet, score, rank and the sum of the term
-- weights.
WITH matches AS MATERIALIZED (
    SELECT rec.target_type, rec.target_id, length(rec.tsv) AS dl,
           ts_filter(setweight(rec.tsv, 'A', %(lexemes)s::text[]), ARRAY['a']::"char"[]) AS terms
    FROM ({records}) rec
    WHERE rec.target_type = ANY(%(target_types)s) AND rec.tsv @@ %(match)s::tsquery
      AND {filters}
    LIMIT %(cap)s
),
scope AS (
    SELECT count(*) AS records FROM ({records}) rec
    WHERE rec.target_type = ANY(%(target_types)s) AND {filters}
),
postings AS MATERIALIZED (
    SELECT m.target_type, m.target_id, m.dl, u.lexeme,
           coalesce(array_length(u.positions, 1), 1) AS tf
    FROM matches m CROSS JOIN LATERAL unnest(m.terms) AS u(lexeme, positions, weights)
),
weights AS MATERIALIZED (
    SELECT t.lexeme,
           ln(1 + (greatest(s.records - count(p.lexeme), 0) + 0.5) / (count(p.lexeme) + 0.5))
               AS idf
    FROM unnest(%(lexemes)s::text[]) AS t(lexeme)
    LEFT JOIN postings p ON p.lexeme = t.lexeme CROSS JOIN scope s
    GROUP BY t.lexeme, s.records
),
lengths AS (SELECT coalesce(avg(m.dl), 1) AS mean FROM matches m),
ranked AS (
    SELECT p.target_type, p.target_id,
           sum(w.idf * p.tf * (%(k1)s + 1)
               / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.dl / l.mean))) AS score
    FROM postings p JOIN weights w ON w.lexeme = p.lexeme CROSS JOIN lengths l
    GROUP BY p.target_type, p.target_id
    ORDER BY score DESC, p.target_id
    LIMIT %(depth)s
)
SELECT rec.target_type, rec.target_id, rec.text, rec.status, rec.superseded_by_id,
       rec.metadata, ts_headline('english', rec.text, %(match)s::tsquery, %(headline)s) AS snippet,
       k.score, row_number() OVER (ORDER BY k.score DESC, k.target_id) AS lexical_rank,
       (SELECT sum(w.idf)::float8 FROM weights w) AS ceiling
FROM ranked k
JOIN ({records}) rec ON rec.target_type = k.target_type AND rec.target_id = k.target_id
ORDER BY lexical_rank;

-- name: search_records_semantic
-- Decisions and intents of %(target_types)s nearest to the vector in one space (an exact
-- scan: they are few) and matching no %(excluded)s (null for none), each with its text,
-- status, successor, metadata, distance, score and rank.
SELECT d.target_type, d.target_id, d.text, d.status, d.superseded_by_id, d.metadata,
       d.distance, {score} AS score,
       row_number() OVER (ORDER BY d.distance, d.target_id) AS semantic_rank
FROM (
    SELECT rec.target_type, rec.target_id, rec.text, rec.status, rec.superseded_by_id,
           rec.metadata,
           e.vector::vector({dimensions}) {operator} %(vector)s::vector({dimensions})
               AS distance
    FROM record_embeddings e
    JOIN ({records}) rec ON rec.target_type = e.target_type AND rec.target_id = e.target_id
    WHERE e.space_id = {space_id} AND e.target_type = ANY(%(target_types)s) AND {filters}
      AND (%(excluded)s::tsquery IS NULL OR NOT rec.tsv @@ %(excluded)s::tsquery)
    ORDER BY distance, rec.target_id
    LIMIT %(depth)s
) d
ORDER BY semantic_rank;
