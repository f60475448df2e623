"""Every trace statement reads its tables by index, as PostgreSQL plans it over a realistic
data set (docs/trace-plans.md shows the plans at 100k work items)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from harness import Database, migrate, run_id
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from imi.trace.queries import STATEMENTS, commit_prefix

WORK_ITEMS = 20_000

# Deterministic rows, so the statistics and therefore the plans are the same on every run:
# 200 projects; every 2nd work item has a ticket shared with one other, every 4th a PR
# (numbers repeat across projects), every 4th another a staging deploy of its last commit,
# every 3rd a merge commit; a decision per 8th work item and an artifact per project.
LOAD = f"""
INSERT INTO imi.projects (id, name, remote_origin)
SELECT md5('project' || n)::uuid, 'plans-' || n, 'git@example.com:plans/' || n || '.git'
FROM generate_series(0, 199) AS n;
INSERT INTO imi.work_items (id, project_id, branch_name, last_commit_hash, merge_commit_hash)
SELECT md5('item' || n)::uuid, md5('project' || n % 200)::uuid, 'feature/' || n,
       md5('commit' || n), CASE WHEN n % 3 = 0 THEN md5('merge' || n) END
FROM generate_series(0, {WORK_ITEMS - 1}) AS n;
INSERT INTO imi.ticket_links (id, work_item_id, plane_ticket_id)
SELECT gen_random_uuid(), md5('item' || n)::uuid, 'PLAN-' || n / 4
FROM generate_series(0, {WORK_ITEMS - 1}, 2) AS n;
INSERT INTO imi.pr_links (id, work_item_id, pr_number)
SELECT gen_random_uuid(), md5('item' || n)::uuid, n / 4 % 100 + 1
FROM generate_series(0, {WORK_ITEMS - 1}, 4) AS n;
INSERT INTO imi.deploy_links
    (id, work_item_id, deploy_id, environment, commit_hash, deployed_at)
SELECT gen_random_uuid(), md5('item' || n)::uuid, 'deploy-' || n, 'staging', md5('commit' || n),
       now()
FROM generate_series(1, {WORK_ITEMS - 1}, 4) AS n;
INSERT INTO imi.mimir_entities (id, kind, title, last_event_id)
SELECT md5('entity' || n)::uuid, CASE WHEN n < 0 THEN 'artifact' ELSE 'decision' END,
       'entity ' || n, gen_random_uuid()
FROM generate_series(-200, {WORK_ITEMS - 1}, 8) AS n;
INSERT INTO imi.mimir_relations
    (relation_id, mimir_id, imi_type, imi_id, relation_type, direction, last_event_id)
SELECT gen_random_uuid(), md5('entity' || n)::uuid,
       CASE WHEN n < 0 THEN 'project' ELSE 'work_item' END,
       CASE WHEN n < 0 THEN md5('project' || -n - 1) ELSE md5('item' || n) END::uuid,
       'explains', 'from_mimir', gen_random_uuid()
FROM generate_series(-200, {WORK_ITEMS - 1}, 8) AS n;
"""

# The index each statement must find its seeds by.
SEED_INDEXES = {
    "ticket": {"ix_ticket_links_ticket"},
    "work": {"pk_work_items"},
    "pr": {"ix_pr_links_pr"},
    "pr_in_project": {"ix_pr_links_pr", "pk_work_items"},
    "commit": {
        "ix_deploy_links_commit_prefix",
        "ix_work_items_last_commit_prefix",
        "ix_work_items_merge_commit_prefix",
    },
    "deploy": {"ix_deploy_links_deploy"},
    "deploy_or_id": {"ix_deploy_links_deploy", "pk_deploy_links"},
}


@pytest.fixture(scope="module")
def loaded() -> Iterator[Database]:
    """A database of its own: the rows would otherwise show in other tests' lists."""
    database = Database.create(run_id())
    try:
        migrate("imi", database)
        with psycopg.connect(database.admin_conninfo(), autocommit=True) as conn:
            conn.execute(LOAD)
            conn.execute("VACUUM ANALYZE")
        yield database
    finally:
        database.drop()


def one(conn: psycopg.Connection[Any], sql: str, values: dict[str, Any] | None = None) -> Any:
    row = conn.execute(sql, values).fetchone()
    assert row is not None
    return row


def references(conn: psycopg.Connection[Any]) -> dict[str, dict[str, Any]]:
    """Values for each statement that name rows of the loaded chains."""
    item, project, number, deploy, deploy_id, commit = one(
        conn,
        "SELECT w.id, w.project_id, p.pr_number, d.id, d.deploy_id, d.commit_hash"
        " FROM imi.work_items w JOIN imi.pr_links p ON p.work_item_id = w.id"
        " JOIN imi.deploy_links d ON d.deploy_id = 'deploy-401'"
        " WHERE w.id = md5('item400')::uuid",
    )
    return {
        "ticket": {"ref": "PLAN-100"},
        "work": {"id": item},
        "pr": {"number": number},
        "pr_in_project": {"number": number, "project_id": project},
        "commit": {"prefix": commit_prefix(commit[:12])},
        "deploy": {"ref": deploy_id},
        "deploy_or_id": {"ref": str(deploy), "id": deploy},
    }


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan, init plans and sub plans included."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def seq_scans(explained: Any) -> list[str]:
    plan = explained[0][0]["Plan"]
    return [node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"]


def test_every_statement_is_checked() -> None:
    assert set(SEED_INDEXES) == set(STATEMENTS)


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
def test_the_trace_reads_by_index_only(loaded: Database, statement: str) -> None:
    """The plan for the values, and the generic plan if PostgreSQL switches to it once the
    statement is prepared (psycopg prepares a statement run five times on a connection)."""
    sql = str(STATEMENTS[statement].compile(dialect=psycopg_dialect.dialect()))
    with psycopg.connect(loaded.service_conninfo("imi"), autocommit=True) as conn:
        # Sequential scans only where no index can serve: the check then depends on the
        # indexes, not on cost estimates that a busy host's statistics can tip.
        conn.execute("SET enable_seqscan = off")
        values = {**references(conn)[statement], "max_rows": 2000}
        explained = one(conn, "EXPLAIN (FORMAT JSON) " + sql, values)
        for _ in range(10):
            work_items = conn.execute(sql, values, prepare=True).fetchone()
        name, parameters, generic_plans = one(
            conn,
            "SELECT name, cardinality(parameter_types), generic_plans FROM pg_prepared_statements",
        )
        conn.execute("SET plan_cache_mode = force_generic_plan")
        nulls = ", ".join(["NULL"] * parameters)  # a generic plan does not depend on values
        generic = one(conn, f"EXPLAIN (FORMAT JSON) EXECUTE {name}({nulls})")
    assert work_items is not None
    assert work_items[0] > 0  # the values name a real chain
    assert seq_scans(explained) == []
    plan = list(nodes(explained[0][0]["Plan"]))
    assert SEED_INDEXES[statement] <= {node["Index Name"] for node in plan if "Index Name" in node}
    if generic_plans:
        assert seq_scans(generic) == []
