-- name: entity_exists
-- One row, `found`: whether {table} (an allow-listed mimir table) has a row with this id.
SELECT EXISTS (SELECT 1 FROM {table} WHERE id = %(id)s) AS found;

-- name: insert_relation
-- The new relation, or nothing when the same (source, type, target) is there already.
INSERT INTO relations (source_type, source_id, relation_type, target_type, target_id, metadata)
VALUES (%(source_type)s, %(source_id)s, %(relation_type)s, %(target_type)s, %(target_id)s,
        %(metadata)s)
ON CONFLICT (source_type, source_id, relation_type, target_type, target_id) DO NOTHING
RETURNING id, source_type, source_id, relation_type, target_type, target_id, metadata,
          created_at;

-- name: get_relation_by_ends
-- The relation of this type from the source to the target, if there is one.
SELECT id, source_type, source_id, relation_type, target_type, target_id, metadata, created_at
FROM relations
WHERE source_type = %(source_type)s AND source_id = %(source_id)s
  AND relation_type = %(relation_type)s
  AND target_type = %(target_type)s AND target_id = %(target_id)s;

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

-- name: relations_around
-- One breadth-first hop: unseen relations at the frontier's nodes, oldest first, at most limit.
SELECT r.id, r.source_type, r.source_id, r.relation_type, r.target_type, r.target_id,
       r.metadata, r.created_at
FROM relations r
WHERE ((%(outgoing)s AND (r.source_type, r.source_id) IN
           (SELECT * FROM unnest(%(types)s::text[], %(ids)s::uuid[])))
    OR (%(incoming)s AND (r.target_type, r.target_id) IN
           (SELECT * FROM unnest(%(types)s::text[], %(ids)s::uuid[]))))
  AND (%(relation_type)s::text IS NULL OR r.relation_type = %(relation_type)s)
  AND r.id <> ALL (%(seen)s::uuid[])
ORDER BY r.created_at, r.id
LIMIT %(limit)s;
