-- name: upsert_external_entity
-- The stored row after the event: the newer event wins each field, an older one only fills gaps.
INSERT INTO external_entities AS e (entity_type, entity_id, display_name, state, project_id,
                                    metadata, updated_at, last_event_id, last_event_type)
VALUES (%(entity_type)s, %(entity_id)s, %(display_name)s, %(state)s, %(project_id)s,
        %(metadata)s, %(updated_at)s, %(event_id)s, %(event_type)s)
ON CONFLICT (entity_type, entity_id) DO UPDATE
SET display_name = CASE WHEN e.updated_at < EXCLUDED.updated_at
                        THEN coalesce(EXCLUDED.display_name, e.display_name)
                        ELSE coalesce(e.display_name, EXCLUDED.display_name) END,
    state = CASE WHEN e.updated_at < EXCLUDED.updated_at
                 THEN coalesce(EXCLUDED.state, e.state)
                 ELSE coalesce(e.state, EXCLUDED.state) END,
    project_id = CASE WHEN e.updated_at < EXCLUDED.updated_at
                      THEN coalesce(EXCLUDED.project_id, e.project_id)
                      ELSE coalesce(e.project_id, EXCLUDED.project_id) END,
    metadata = CASE WHEN e.updated_at < EXCLUDED.updated_at
                    THEN e.metadata || EXCLUDED.metadata
                    ELSE EXCLUDED.metadata || e.metadata END,
    updated_at = greatest(e.updated_at, EXCLUDED.updated_at),
    last_event_id = CASE WHEN e.updated_at < EXCLUDED.updated_at
                         THEN EXCLUDED.last_event_id ELSE e.last_event_id END,
    last_event_type = CASE WHEN e.updated_at < EXCLUDED.updated_at
                           THEN EXCLUDED.last_event_type ELSE e.last_event_type END
RETURNING entity_type, entity_id, display_name, state, project_id, metadata, updated_at;

-- name: list_external_entities_by_keys
-- The projected entities among the given (type, id) pairs; unknown pairs have no row.
SELECT e.entity_type, e.entity_id, e.display_name, e.state, e.project_id, e.metadata,
       e.updated_at
FROM unnest(%(types)s::text[], %(ids)s::uuid[]) AS k(entity_type, entity_id)
JOIN external_entities e ON e.entity_type = k.entity_type AND e.entity_id = k.entity_id;

-- name: fragment_in_project
-- Fragment (condition): {id} is related, either way, to imi project {project_id} or its entities.
{id} IN (
    WITH keys (entity_type, entity_id) AS (
        SELECT 'imi.project'::text, {project_id}::uuid
        UNION
        SELECT entity_type, entity_id FROM external_entities WHERE project_id = {project_id}
    )
    SELECT r.source_id FROM keys k
    JOIN relations r ON r.target_type = k.entity_type AND r.target_id = k.entity_id
    WHERE r.source_type = {entity_type}
    UNION ALL
    SELECT r.target_id FROM keys k
    JOIN relations r ON r.source_type = k.entity_type AND r.source_id = k.entity_id
    WHERE r.target_type = {entity_type}
)

-- name: list_external_entities
-- A page of projected imi entities matching the composed filters (keyset on updated_at, id).
SELECT x.entity_type, x.id, x.display_name, x.state, x.project_id, x.metadata, x.updated_at,
       x.created_at
FROM (
    SELECT entity_type, entity_id AS id, display_name, state, project_id, metadata, updated_at,
           updated_at AS created_at
    FROM external_entities
) x
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;

-- name: get_external_entity
-- One projected imi entity by type and id.
SELECT entity_type, entity_id AS id, display_name, state, project_id, metadata, updated_at
FROM external_entities WHERE entity_type = %(entity_type)s AND entity_id = %(id)s;
