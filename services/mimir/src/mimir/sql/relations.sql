-- name: entity_exists
-- One row, `found`: whether {table} (an allow-listed mimir table) has a row with this id.
SELECT EXISTS (SELECT 1 FROM {table} WHERE id = %(id)s) AS found;

-- name: insert_relation
-- The new relation.
INSERT INTO relations (source_type, source_id, relation_type, target_type, target_id, metadata)
VALUES (%(source_type)s, %(source_id)s, %(relation_type)s, %(target_type)s, %(target_id)s,
        %(metadata)s)
RETURNING id, source_type, source_id, relation_type, target_type, target_id, metadata,
          created_at;

-- name: delete_relation
-- The deleted relation, or nothing if there was none with this id.
DELETE FROM relations WHERE id = %(id)s
RETURNING id, source_type, source_id, relation_type, target_type, target_id, metadata,
          created_at;

-- name: list_relations
-- A page of relations matching the composed filters.
SELECT r.id, r.source_type, r.source_id, r.relation_type, r.target_type, r.target_id,
       r.metadata, r.created_at
FROM relations r
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;

-- name: list_relations_of_entity
-- Every relation with the entity at either end, newest first.
SELECT id, source_type, source_id, relation_type, target_type, target_id, metadata, created_at
FROM relations
WHERE (source_type = %(type)s AND source_id = %(id)s)
   OR (target_type = %(type)s AND target_id = %(id)s)
ORDER BY created_at DESC, id DESC;

-- name: traverse_relations
-- Relations within %(depth)s hops of the start, each with its hop count and the entity it reaches.
WITH RECURSIVE walk AS (
    SELECT r.id, r.source_type, r.source_id, r.relation_type, r.target_type, r.target_id,
           r.metadata, r.created_at, 1 AS depth, nxt.node_type, nxt.node_id,
           ARRAY[%(type)s || ':' || %(id)s::text, nxt.node_type || ':' || nxt.node_id::text]
               AS path
    FROM relations r
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.source_type = %(type)s AND r.source_id = %(id)s
                    THEN r.target_type ELSE r.source_type END AS node_type,
               CASE WHEN r.source_type = %(type)s AND r.source_id = %(id)s
                    THEN r.target_id ELSE r.source_id END AS node_id
    ) nxt
    WHERE ((%(outgoing)s AND r.source_type = %(type)s AND r.source_id = %(id)s)
        OR (%(incoming)s AND r.target_type = %(type)s AND r.target_id = %(id)s))
      AND (%(relation_type)s::text IS NULL OR r.relation_type = %(relation_type)s)
  UNION ALL
    SELECT r.id, r.source_type, r.source_id, r.relation_type, r.target_type, r.target_id,
           r.metadata, r.created_at, w.depth + 1, nxt.node_type, nxt.node_id,
           w.path || (nxt.node_type || ':' || nxt.node_id::text)
    FROM walk w
    JOIN relations r
      ON (%(outgoing)s AND r.source_type = w.node_type AND r.source_id = w.node_id)
      OR (%(incoming)s AND r.target_type = w.node_type AND r.target_id = w.node_id)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.source_type = w.node_type AND r.source_id = w.node_id
                    THEN r.target_type ELSE r.source_type END AS node_type,
               CASE WHEN r.source_type = w.node_type AND r.source_id = w.node_id
                    THEN r.target_id ELSE r.source_id END AS node_id
    ) nxt
    WHERE w.depth < %(depth)s
      AND NOT (nxt.node_type || ':' || nxt.node_id::text) = ANY (w.path)
      AND (%(relation_type)s::text IS NULL OR r.relation_type = %(relation_type)s)
)
SELECT DISTINCT ON (id) id, source_type, source_id, relation_type, target_type, target_id,
       metadata, created_at, depth, node_type, node_id
FROM walk
ORDER BY id, depth
LIMIT %(max_edges)s;
