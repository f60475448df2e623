"""`python -m imi migrate-v2 SQLITE_PATH`: import iMi v2's SQLite database into imi v3, once or
again.

A management command of the service, not of the `imi` command line: it writes to PostgreSQL
directly with the imi role's settings (`IMI_DB_*`, as the service reads them) through the ORM
models, because the REST API assigns new ids and the v2 UUIDs must survive. It emits no
events: it restores state, it does not announce new work.

The v2 schema it reads (columns not listed are ignored):

    repositories(id TEXT PRIMARY KEY  -- a UUID
                 name TEXT, remote_url TEXT, default_branch TEXT, path TEXT,
                 created_at TEXT)     -- ISO 8601 (or Unix seconds); naive means UTC
    worktrees(id TEXT PRIMARY KEY     -- a UUID
              repository_id TEXT REFERENCES repositories(id),
              branch TEXT, path TEXT,
              type TEXT,              -- feat/feature, fix, experiment, review/pr, devops,
                                      -- aiops, trunk
              created_at TEXT, ...)
    claims(worktree_id TEXT, agent_id TEXT, ...)  -- the last row per worktree wins
    agent_activities(...)             -- dropped: hookd reports activity now

Mapping: repository → project (same id; remote_url → remote_origin, path → trunk_path);
worktree → work item (same id; branch → branch_name, type → work_type, path →
worktree_path, source_type manual, claim → owner_id). Trunk worktrees are the project's
trunk, not work, and are skipped. Both get `metadata.migrated_from = "imi-v2"`.

Idempotent: a row whose id already exists is skipped, and so is a repository whose remote
already has another active project (with its worktrees), or a worktree whose branch already
has another active work item. `--dry-run` reports the same counts and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from envelope.events.imi import WorkType
from imi.models import Project, WorkItem
from imi.settings import ImiSettings

MARK = {"migrated_from": "imi-v2"}
# v2's worktree types: imi's own work types, and two older names.
V2_WORK_TYPES: dict[str, WorkType] = {
    **{work_type: work_type for work_type in get_args(WorkType)},
    "feat": "feature",
    "pr": "review",
}


@dataclass
class Plan:
    projects: list[Project] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    activities_dropped: int = 0

    def skip(self, table: str, row_id: str, reason: str) -> None:
        self.skipped.append({"table": table, "id": row_id, "reason": reason})

    def report(self, dry_run: bool) -> dict[str, Any]:
        def skipped(table: str) -> int:
            return sum(1 for s in self.skipped if s["table"] == table)

        return {
            "dry_run": dry_run,
            "projects": {"create": len(self.projects), "skip": skipped("repositories")},
            "work_items": {"create": len(self.work_items), "skip": skipped("worktrees")},
            "owners_from_claims": sum(1 for item in self.work_items if item.owner_id),
            "agent_activities_dropped": self.activities_dropped,
            "skipped": self.skipped,
        }


def _time(value: object) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


READ = {
    "repositories": "SELECT * FROM repositories ORDER BY rowid",
    "worktrees": "SELECT * FROM worktrees ORDER BY rowid",
    "claims": "SELECT * FROM claims ORDER BY rowid",
    "agent_activities": "SELECT * FROM agent_activities ORDER BY rowid",
}


def _rows(db: sqlite3.Connection, table: str) -> list[sqlite3.Row]:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if not exists:
        return []
    return db.execute(READ[table]).fetchall()


def _ids(db: Session, model: type[Project] | type[WorkItem], ids: Iterable[UUID]) -> set[UUID]:
    return set(db.scalars(sa.select(model.id).where(model.id.in_(list(ids)))))


def plan(v2: sqlite3.Connection, db: Session) -> Plan:
    """What importing `v2` into `db` would create and skip; reads only."""
    result = Plan(activities_dropped=len(_rows(v2, "agent_activities")))
    repositories = _rows(v2, "repositories")
    worktrees = _rows(v2, "worktrees")
    owners = {row["worktree_id"]: row["agent_id"] for row in _rows(v2, "claims")}
    existing = _ids(db, Project, (UUID(r["id"]) for r in repositories))
    usable: dict[str, UUID] = {}  # v2 repository id -> project id that worktrees may join
    for repo in repositories:
        project_id = UUID(repo["id"])
        if project_id in existing:
            result.skip("repositories", repo["id"], "already imported")
            usable[repo["id"]] = project_id
            continue
        taken = db.scalar(
            sa.select(Project.id).where(Project.active, Project.remote_origin == repo["remote_url"])
        )
        if taken is not None:
            result.skip("repositories", repo["id"], f"remote already registered as {taken}")
            continue
        usable[repo["id"]] = project_id
        created = _time(repo["created_at"])
        result.projects.append(
            Project(
                id=project_id,
                name=repo["name"],
                remote_origin=repo["remote_url"],
                default_branch=repo["default_branch"] or "main",
                trunk_path=repo["path"],
                meta=dict(MARK),
                active=True,
                created_at=created,
                updated_at=created,
            )
        )
    existing = _ids(db, WorkItem, (UUID(w["id"]) for w in worktrees))
    branches: set[tuple[UUID, str]] = set()
    for tree in worktrees:
        item_id, kind = UUID(tree["id"]), (tree["type"] or "feature").lower()
        project_id_or_none = usable.get(tree["repository_id"])
        if item_id in existing:
            result.skip("worktrees", tree["id"], "already imported")
        elif kind == "trunk":
            result.skip("worktrees", tree["id"], "trunk worktree")
        elif project_id_or_none is None:
            result.skip("worktrees", tree["id"], "its repository is not imported")
        elif (project_id_or_none, tree["branch"]) in branches or db.scalar(
            sa.select(WorkItem.id).where(
                WorkItem.active,
                WorkItem.project_id == project_id_or_none,
                WorkItem.branch_name == tree["branch"],
            )
        ):
            result.skip("worktrees", tree["id"], f"branch {tree['branch']} has active work")
        else:
            branches.add((project_id_or_none, tree["branch"]))
            created = _time(tree["created_at"])
            result.work_items.append(
                WorkItem(
                    id=item_id,
                    project_id=project_id_or_none,
                    branch_name=tree["branch"],
                    work_type=V2_WORK_TYPES.get(kind, "feature"),
                    source_type="manual",
                    owner_id=owners.get(tree["id"]),
                    worktree_path=tree["path"],
                    meta={**MARK, "v2_type": kind},
                    created_at=created,
                    updated_at=created,
                )
            )
    return result


class MigrationError(Exception):
    """The import cannot run: printed as one `Error: ...` line, exit status 1."""


def migrate_v2(sqlite_path: Path, *, dry_run: bool) -> dict[str, Any]:
    """Import iMi v2's SQLite database (repositories, worktrees, claims), keeping its UUIDs.
    Connects to PostgreSQL with the IMI_DB_* settings; running it again changes nothing."""
    if not sqlite_path.is_file():
        raise MigrationError(f"{sqlite_path} is not a file")
    v2 = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    v2.row_factory = sqlite3.Row
    engine = sa.create_engine(ImiSettings().sqlalchemy_url, connect_args={"connect_timeout": 5})
    try:
        with Session(engine) as db, db.begin():
            result = plan(v2, db)
            report = result.report(dry_run)
            if not dry_run:
                db.add_all(result.projects)
                db.flush()
                db.add_all(result.work_items)
    except OperationalError as error:
        raise MigrationError(f"imi's database is not reachable: {error.orig}") from error
    except (sqlite3.Error, KeyError, IndexError, ValueError) as error:
        raise MigrationError(f"{sqlite_path} is not an iMi v2 database: {error}") from error
    finally:
        v2.close()
        engine.dispose()
    return report


def summary(report: dict[str, Any]) -> str:
    verb = "would create" if report["dry_run"] else "created"
    lines = [
        f"projects: {verb} {report['projects']['create']}, skipped {report['projects']['skip']}",
        f"work items: {verb} {report['work_items']['create']}, "
        f"skipped {report['work_items']['skip']}",
        f"owners from claims: {report['owners_from_claims']}",
        f"agent activities dropped: {report['agent_activities_dropped']}",
        *(f"  skipped {s['table']} {s['id']}: {s['reason']}" for s in report["skipped"]),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m imi migrate-v2",
        description="Import iMi v2's SQLite database into imi v3, keeping its ids; "
        "running it again changes nothing.",
    )
    parser.add_argument("sqlite_path", type=Path, help="iMi v2's SQLite database")
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = migrate_v2(args.sqlite_path, dry_run=args.dry_run)
    except MigrationError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2) if args.json else summary(report))
    return 0
