"""`python -m bench.trace_plans`: `EXPLAIN (ANALYZE, BUFFERS)` of each trace statement over
100k work items (the `imi_api` data set), written to docs/trace-plans.md.

A throwaway database like `make bench`'s; `BENCH_SCALE` sizes the data set as there.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import harness
import psycopg

from bench.core import ROOT
from bench.imi_api import DEPLOY_EVERY, MIMIR_EVERY, TRACE_MAX_ROWS, WORK_ITEMS, trace_sql
from bench.imi_data import WorkSet, load_deploys, load_mimir, load_work
from bench.services import scaled
from imi.trace.queries import commit_prefix

DOC = ROOT / "docs" / "trace-plans.md"
INTRO = """# Trace query plans

`GET /api/v1/trace/...` runs one statement (`imi.trace.queries`): the work items the reference
names (`seeds`, the only part that differs per kind), every work item sharing a ticket with
them, the chain's size (the limit check), then, within the limit, the chain's work items with
their ticket, PR and deploy links and the related mimir entities, built as JSON. Below, that
statement's plan for each way of finding the seeds, with `EXPLAIN (ANALYZE, BUFFERS)`, over
{items:,} work items ({projects:,} projects, {tickets:,} ticket links, {prs:,} PR links,
{deploys:,} deploy links, {relations:,} mimir relations). Every table is read by an index;
there is no sequential scan.

The chain travels as an array, and each table is read with `= ANY(<array>)` on an index, which
PostgreSQL plans as index lookups whatever it guesses of the array's length. These are the
plans for the values shown; psycopg prepares a statement once it has run five times on a
connection, after which PostgreSQL may switch to a generic plan and skip the planning time
below. The commit statement keeps a plan per execution, because its generic plan (a `LIKE`
pattern it does not know) would read every work item and PostgreSQL prices it so.
`tests/imi/test_trace_plans.py` checks both plans over 20,000 work items on every test run,
with sequential scans disabled: a sequential scan then means that no index serves the read,
whatever the statistics of a busy host make of the costs. `uv run --no-sync python -m bench.trace_plans` rewrites this page
({when}, PostgreSQL {server}).
"""


def references(conn: psycopg.Connection[Any], data: WorkSet) -> dict[str, dict[str, Any]]:
    """A reference of each kind into the loaded chains, as each statement's values."""
    key = data.tickets[len(data.tickets) // 2]
    item, number, project = conn.execute(
        "SELECT t.work_item_id, p.pr_number, w.project_id FROM imi.ticket_links t"
        " JOIN imi.pr_links p USING (work_item_id) JOIN imi.work_items w ON w.id = t.work_item_id"
        " WHERE t.plane_ticket_id = %s",
        (key,),
    ).fetchone() or (None, None, None)
    deploy_id, deploy_ref, commit = conn.execute(
        "SELECT id, deploy_id, commit_hash FROM imi.deploy_links ORDER BY deploy_id LIMIT 1"
    ).fetchone() or (None, None, None)
    return {
        "ticket": {"ref": key},
        "work": {"id": item},
        "pr": {"number": number},
        "pr_in_project": {"number": number, "project_id": project},
        "commit": {"prefix": commit_prefix(commit[:12])},
        "deploy": {"ref": deploy_ref},
        "deploy_or_id": {"ref": str(deploy_id), "id": deploy_id},
    }


def explain(conn: psycopg.Connection[Any], statement: str, values: dict[str, Any]) -> str:
    """The fastest of three runs: the first warms the caches, as a running service has them,
    and the host's other work stretches some runs."""
    sql = "EXPLAIN (ANALYZE, BUFFERS) " + trace_sql(statement)
    runs = [
        [row[0] for row in conn.execute(sql, {**values, "max_rows": TRACE_MAX_ROWS})]
        for _ in range(3)
    ]
    return "\n".join(min(runs, key=lambda lines: float(lines[-1].split()[2])))


def main() -> None:
    database = harness.Database.create(harness.run_id())
    try:
        harness.migrate("imi", database)
        admin = database.admin_conninfo()
        data = load_work(admin, scaled(WORK_ITEMS, 1000), 100, 5, "load")
        relations = load_mimir(admin, data, MIMIR_EVERY, 6)
        deploys = load_deploys(admin, data, DEPLOY_EVERY, 7)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled table
        with psycopg.connect(database.service_conninfo("imi")) as conn:
            counts = dict(
                conn.execute(
                    "SELECT 'tickets', count(*) FROM imi.ticket_links UNION ALL"
                    " SELECT 'prs', count(*) FROM imi.pr_links"
                ).fetchall()
            )
            sections = [
                f"## {statement}\n\nValues: {', '.join(f'`{k}` = `{v}`' for k, v in values.items())}"
                f"\n\n```\n"
                f"{explain(conn, statement, values)}\n```\n"
                for statement, values in references(conn, data).items()
            ]
            server = conn.execute("SHOW server_version").fetchone()
        intro = INTRO.format(
            items=len(data.items),
            projects=len(data.projects),
            deploys=deploys,
            relations=relations,
            when=datetime.now(UTC).strftime("%Y-%m-%d"),
            server=server[0] if server else "?",
            **counts,
        )
        DOC.write_text(intro + "\n" + "\n".join(sections))
        print(f"wrote {DOC}", file=sys.stderr)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
