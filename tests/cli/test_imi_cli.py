"""`imi` against the real service, on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from cli_helpers import Run, commit, git
from harness import ServiceProcess, free_port


def test_register_is_idempotent(imi: Run, repo: Path) -> None:
    first = imi("--json", "register", str(repo))
    assert first.exit_code == 0, first.output
    project = json.loads(first.stdout)
    assert project["remote_origin"] == git(repo, "remote", "get-url", "origin")
    assert project["default_branch"] == "main"
    assert project["trunk_path"] == str(repo)
    assert project["name"].startswith("x-")

    again = imi("register", str(repo / "."))
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == f"already registered: {project['name']} ({project['id']})"

    listed = imi("projects")
    assert listed.exit_code == 0
    assert project["id"] in listed.stdout
    assert listed.stdout.splitlines()[0].split()[:3] == ["NAME", "REMOTE", "TRUNK"]


def test_work_from_start_to_merged(
    imi: Run, imi_process: ServiceProcess, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert imi("register", str(repo)).exit_code == 0
    git(repo, "checkout", "-q", "-b", "fix/PROJ-12-retry")
    monkeypatch.chdir(repo)

    started = imi(
        "work", "start", "fix/PROJ-12-retry", "--type", "fix", "--ticket", "PROJ-12", "--json"
    )
    assert started.exit_code == 0, started.output
    item = json.loads(started.stdout)
    assert (item["work_type"], item["source_type"], item["source_ref"]) == (
        "fix",
        "plane_ticket",
        "PROJ-12",
    )
    assert item["status"] == "clean"

    head = commit(repo, "retry.py")
    git(repo, "checkout", "-q", "main")
    commit(repo, "other.py")
    git(repo, "checkout", "-q", "fix/PROJ-12-retry")
    (repo / "wip.py").write_text("pass\n")

    synced = imi("--json", "work", "sync")
    assert synced.exit_code == 0, synced.output
    state = json.loads(synced.stdout)
    assert (state["ahead_of_trunk"], state["behind_trunk"]) == (1, 1)
    assert (state["uncommitted_files_count"], state["status"]) == (1, "uncommitted")
    assert state["last_commit_hash"] == head

    (repo / "wip.py").unlink()
    plain = imi("work", "sync", str(repo))
    assert plain.stdout.strip() == "fix/PROJ-12-retry: diverged (ahead 1, behind 1, 0 uncommitted)"

    status = imi("status")
    assert status.exit_code == 0
    row = next(line for line in status.stdout.splitlines() if "fix/PROJ-12-retry" in line)
    assert row.split()[:5] == ["fix/PROJ-12-retry", "fix", "diverged", "1", "1"]

    traced = imi("trace", "PROJ-12")
    assert traced.exit_code == 0, traced.output
    lines = traced.stdout.splitlines()
    assert lines[0] == "PROJ-12 (ticket)"
    assert lines[1] == "└── ticket PROJ-12"
    assert lines[2].startswith("    └── fix/PROJ-12-retry  [diverged]")

    api = f"{imi_process.url}/api/v1"
    pr = {"work_item_id": item["id"], "pr_number": 7, "pr_state": "open", "pr_title": "Retry"}
    assert httpx.post(f"{api}/links/pr", json=pr).status_code == 201
    deploy = {"work_item_id": item["id"], "environment": "staging", "commit_hash": head}
    assert httpx.post(f"{api}/links/deploy", json=deploy).status_code == 201
    by_commit = imi("trace", head[:10]).stdout.splitlines()
    assert by_commit[0] == f"{head[:10]} (commit)"
    assert by_commit[3] == "        ├── PR #7 open  Retry"
    assert by_commit[4].startswith(f"        └── deploy staging  {head[:12]}  ")

    done = imi("work", "done", "--merged", "--commit", head)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "fix/PROJ-12-retry: merged"
    assert imi("status").stdout.strip() == "no work items"
    assert "merged" in imi("status", "--all").stdout
    assert "└── merge commit " + head[:12] in imi("trace", "PROJ-12").stdout

    stats = json.loads(imi("stats", "--json").stdout)
    assert stats["by_status"]["merged"] >= 1
    assert "work items:" in imi("stats").stdout


def test_service_down_is_one_line(imi: Run) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = imi("--url", url, "projects")
    assert result.exit_code == 1
    assert result.stderr == f"Error: imi is not reachable at {url}\n"
    assert result.stdout == ""


def test_api_errors_show_the_detail_message(
    imi: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    unregistered = imi("work", "start", "feat/a")
    assert unregistered.exit_code == 1
    assert "is not registered: run `imi register" in unregistered.stderr

    imi("register")
    assert imi("work", "start", "feat/a").exit_code == 0
    taken = imi("work", "start", "feat/a")
    assert taken.exit_code == 1
    assert taken.stderr.count("\n") == 1
    assert taken.stderr.startswith("Error: ")
    assert "(409 CONFLICT)" in taken.stderr

    bad_type = imi("work", "start", "feat/b", "--type", "bogus")
    assert bad_type.exit_code == 1
    assert bad_type.stderr.startswith("Error: request validation failed: body.work_type: Input ")
    assert bad_type.stderr.endswith("(422 VALIDATION_ERROR)\n")

    missing = imi("trace", "NOPE-424242")
    assert missing.exit_code == 1
    assert missing.stderr == "Error: nothing is linked to this reference (404 NOT_FOUND)\n"

    on_main = imi("work", "sync")
    assert on_main.exit_code == 1
    assert (
        on_main.stderr
        == "Error: no active work item for branch 'main': run `imi work start main`\n"
    )


def test_done_needs_exactly_one_outcome(imi: Run) -> None:
    result = imi("work", "done", "--merged", "--abandoned")
    assert result.exit_code == 2
    assert "exactly one of --merged, --abandoned, --superseded" in result.output


def test_register_needs_an_origin_remote(imi: Run, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    result = imi("register", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path} has no remote 'origin'\n"

    outside = imi("register", str(tmp_path.parent))
    assert outside.exit_code == 1
    assert outside.stderr.startswith("Error: git rev-parse --show-toplevel failed in ")
    assert outside.stderr.count("\n") == 1
