-- name: insert_decision
-- The new decision.
INSERT INTO decisions (statement, rationale, status, metadata)
VALUES (%(statement)s, %(rationale)s, %(status)s, %(metadata)s)
RETURNING id, statement, rationale, status, superseded_by_id, metadata, created_at;

-- name: get_decision
-- One decision.
SELECT id, statement, rationale, status, superseded_by_id, metadata, created_at
FROM decisions WHERE id = %(id)s;

-- name: lock_decision
-- One decision, locked until commit.
SELECT id, statement, rationale, status, superseded_by_id, metadata, created_at
FROM decisions WHERE id = %(id)s FOR UPDATE;

-- name: update_decision_status
-- The decision with its new status (and successor, when superseded).
UPDATE decisions SET status = %(status)s, superseded_by_id = %(superseded_by_id)s
WHERE id = %(id)s
RETURNING id, statement, rationale, status, superseded_by_id, metadata, created_at;

-- name: list_decisions
-- A page of decisions matching the composed filters.
SELECT d.id, d.statement, d.rationale, d.status, d.superseded_by_id, d.metadata, d.created_at
FROM decisions d
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s;

-- name: get_decision_chain
-- The supersession chain through a decision, oldest first, each with its position (0 = itself).
WITH RECURSIVE earlier AS (
    SELECT d.id, 0 AS position, ARRAY[d.id] AS seen FROM decisions d WHERE d.id = %(id)s
  UNION ALL
    SELECT p.id, e.position - 1, e.seen || p.id
    FROM earlier e JOIN decisions p ON p.superseded_by_id = e.id
    WHERE p.id <> ALL (e.seen)
), later AS (
    SELECT d.id, d.superseded_by_id AS next_id, 0 AS position, ARRAY[d.id] AS seen
    FROM decisions d WHERE d.id = %(id)s
  UNION ALL
    SELECT n.id, n.superseded_by_id, l.position + 1, l.seen || n.id
    FROM later l JOIN decisions n ON n.id = l.next_id
    WHERE n.id <> ALL (l.seen)
), chain AS (
    SELECT id, position FROM earlier WHERE position < 0
    UNION ALL
    SELECT id, position FROM later
)
SELECT d.id, d.statement, d.rationale, d.status, d.superseded_by_id, d.metadata, d.created_at,
       c.position
FROM chain c JOIN decisions d ON d.id = c.id
ORDER BY c.position, d.created_at, d.id;
