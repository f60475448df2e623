"""`python -m imi migrate-v2`, imi's management command, on an iMi v2 SQLite database built here."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from harness import ServiceProcess

Migrate = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def migrate_v2(imi_env: dict[str, str]) -> Migrate:
    """`python -m imi migrate-v2 ...` with the run's IMI_DB_* settings, as an operator runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "imi", "migrate-v2", *args]
        env = {**os.environ, **imi_env}
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    return run


V2_SCHEMA = """
CREATE TABLE repositories (id TEXT PRIMARY KEY, name TEXT NOT NULL, remote_url TEXT NOT NULL,
    default_branch TEXT NOT NULL DEFAULT 'main', path TEXT, created_at TEXT NOT NULL);
CREATE TABLE worktrees (id TEXT PRIMARY KEY, repository_id TEXT NOT NULL REFERENCES repositories,
    branch TEXT NOT NULL, path TEXT, type TEXT NOT NULL, created_at TEXT NOT NULL,
    agent_id TEXT);
CREATE TABLE claims (worktree_id TEXT NOT NULL, agent_id TEXT NOT NULL, claimed_at TEXT);
CREATE TABLE agent_activities (id INTEGER PRIMARY KEY, agent_id TEXT, worktree_id TEXT,
    activity_type TEXT, created_at TEXT);
"""


def build_v2(path: Path) -> dict[str, str]:
    ids = {name: str(uuid.uuid4()) for name in ("repo", "trunk", "feat", "fix")}
    remote = f"git@example.invalid:team/v2-{ids['repo'][:8]}.git"
    with sqlite3.connect(path) as db:
        db.executescript(V2_SCHEMA)
        db.execute(
            "INSERT INTO repositories VALUES (?, 'legacy', ?, 'main', '/code/legacy',"
            " '2024-03-01T10:00:00')",
            (ids["repo"], remote),
        )
        for key, branch, kind in (
            ("trunk", "main", "trunk"),
            ("feat", "feat/search", "feat"),
            ("fix", "fix/LEGACY-7-crash", "fix"),
        ):
            db.execute(
                "INSERT INTO worktrees VALUES (?, ?, ?, ?, ?, '2024-03-02 09:30:00', NULL)",
                (ids[key], ids["repo"], branch, f"/code/legacy/{kind}", kind),
            )
        db.execute("INSERT INTO claims VALUES (?, 'agent:old', NULL)", (ids["feat"],))
        db.execute("INSERT INTO claims VALUES (?, 'agent:new', NULL)", (ids["feat"],))
        db.execute("INSERT INTO agent_activities (agent_id) VALUES ('agent:new'), ('agent:old')")
    db.close()
    ids["remote"] = remote
    return ids


def test_dry_run_then_import_then_nothing(
    migrate_v2: Migrate, imi_process: ServiceProcess, tmp_path: Path
) -> None:
    ids = build_v2(tmp_path / "imi.db")
    api = f"{imi_process.url}/api/v1"

    dry = migrate_v2(str(tmp_path / "imi.db"), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["projects"] == {"create": 1, "skip": 0}
    assert report["work_items"] == {"create": 2, "skip": 1}
    assert report["owners_from_claims"] == 1
    assert report["agent_activities_dropped"] == 2
    assert report["skipped"] == [
        {"table": "worktrees", "id": ids["trunk"], "reason": "trunk worktree"}
    ]
    assert httpx.get(f"{api}/projects/{ids['repo']}").status_code == 404

    done = migrate_v2(str(tmp_path / "imi.db"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "projects: created 1, skipped 0",
        "work items: created 2, skipped 1",
    ]
    project = httpx.get(f"{api}/projects/{ids['repo']}").json()
    assert (project["name"], project["remote_origin"], project["trunk_path"]) == (
        "legacy",
        ids["remote"],
        "/code/legacy",
    )
    assert project["created_at"].startswith("2024-03-01T10:00:00")
    feat = httpx.get(f"{api}/work/{ids['feat']}").json()
    assert (feat["project_id"], feat["branch_name"], feat["work_type"]) == (
        ids["repo"],
        "feat/search",
        "feature",
    )
    assert feat["owner_id"] == "agent:new"
    assert feat["metadata"] == {"migrated_from": "imi-v2", "v2_type": "feat"}
    fix = httpx.get(f"{api}/work/{ids['fix']}").json()
    assert (fix["work_type"], fix["owner_id"], fix["status"]) == ("fix", None, "clean")

    again = json.loads(migrate_v2(str(tmp_path / "imi.db"), "--json").stdout)
    assert again["projects"] == {"create": 0, "skip": 1}
    assert again["work_items"] == {"create": 0, "skip": 3}
    listed = httpx.get(f"{api}/work", params={"project_id": ids["repo"]}).json()
    assert listed["total"] == 2


def test_not_a_v2_database(migrate_v2: Migrate, tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE repositories (id TEXT)")
        db.execute("INSERT INTO repositories VALUES ('not-a-uuid')")
    db.close()
    result = migrate_v2(str(path), "--dry-run")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {path} is not an iMi v2 database")
    assert result.stderr.count("\n") == 1
