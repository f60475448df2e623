-- name: insert_intent
-- The new intent (status proposed).
INSERT INTO intents (intent_group_id, statement, proposed_by, metadata)
VALUES (%(intent_group_id)s, %(statement)s, %(proposed_by)s, %(metadata)s)
RETURNING id, intent_group_id, statement, proposed_by, status, metadata, created_at;

-- name: get_intent
-- One intent.
SELECT id, intent_group_id, statement, proposed_by, status, metadata, created_at
FROM intents WHERE id = %(id)s;

-- name: lock_intent
-- One intent, locked until commit.
SELECT id, intent_group_id, statement, proposed_by, status, metadata, created_at
FROM intents WHERE id = %(id)s FOR UPDATE;

-- name: update_intent_status
-- The intent with its new status.
UPDATE intents SET status = %(status)s WHERE id = %(id)s
RETURNING id, intent_group_id, statement, proposed_by, status, metadata, created_at;

-- name: list_intents
-- A page of intents matching the composed filters.
SELECT i.id, i.intent_group_id, i.statement, i.proposed_by, i.status, i.metadata, i.created_at
FROM intents i
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;

-- name: insert_intent_group
-- The new intent group (status active), or nothing when a group has the name already.
INSERT INTO intent_groups (name, description)
VALUES (%(name)s, %(description)s)
ON CONFLICT (name) DO NOTHING
RETURNING id, name, description, status, merged_into_id, created_at;

-- name: get_intent_group_id_by_name
-- The id of the intent group of this name, if there is one.
SELECT id FROM intent_groups WHERE name = %(name)s;

-- name: get_intent_group
-- One intent group with the number of intents in it.
SELECT g.id, g.name, g.description, g.status, g.merged_into_id, g.created_at,
       (SELECT count(*) FROM intents i WHERE i.intent_group_id = g.id) AS intent_count
FROM intent_groups g WHERE g.id = %(id)s;

-- name: lock_intent_group
-- One intent group, locked until commit.
SELECT id, name, description, status, merged_into_id, created_at
FROM intent_groups WHERE id = %(id)s FOR UPDATE;

-- name: update_intent_group_status
-- The group with its new status (and, for a merge, the group it was merged into).
UPDATE intent_groups SET status = %(status)s, merged_into_id = %(merged_into_id)s
WHERE id = %(id)s
RETURNING id, name, description, status, merged_into_id, created_at;

-- name: move_group_intents
-- Nothing: every intent of one group now belongs to another.
UPDATE intents SET intent_group_id = %(into_id)s WHERE intent_group_id = %(from_id)s;

-- name: list_intent_groups
-- A page of intent groups matching the composed filters, with their intent counts.
SELECT g.id, g.name, g.description, g.status, g.merged_into_id, g.created_at,
       (SELECT count(*) FROM intents i WHERE i.intent_group_id = g.id) AS intent_count
FROM intent_groups g
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;
