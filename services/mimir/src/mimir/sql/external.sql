-- name: upsert_external_entity
-- The stored row if this event was applied; nothing if a newer event was already applied.
INSERT INTO external_entities AS e (entity_type, entity_id, display_name, state, project_id,
                                    metadata, updated_at, last_event_id, last_event_type)
VALUES (%(entity_type)s, %(entity_id)s, %(display_name)s, %(state)s, %(project_id)s,
        %(metadata)s, %(updated_at)s, %(event_id)s, %(event_type)s)
ON CONFLICT (entity_type, entity_id) DO UPDATE
SET display_name = EXCLUDED.display_name,
    state = coalesce(EXCLUDED.state, e.state),
    project_id = coalesce(EXCLUDED.project_id, e.project_id),
    metadata = e.metadata || EXCLUDED.metadata,
    updated_at = EXCLUDED.updated_at,
    last_event_id = EXCLUDED.last_event_id,
    last_event_type = EXCLUDED.last_event_type
WHERE e.updated_at < EXCLUDED.updated_at
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
