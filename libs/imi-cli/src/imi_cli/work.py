"""`imi work ...`: start, sync and finish the work item of a branch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from imi_cli.git import Repository
from service_cli import Api, App, CliError, Column, JsonFlag, session

app = App(help="Work items: one per branch being worked on.", no_args_is_help=True)

WORK_COLUMNS: list[Column] = [
    ("branch", "branch_name"),
    ("type", "work_type"),
    "status",
    ("ahead", "ahead_of_trunk"),
    ("behind", "behind_trunk"),
    ("uncommitted", "uncommitted_files_count"),
    ("source", "source_ref"),
    ("owner", "owner_id"),
    ("synced", "last_sync_at"),
    "id",
]
RepoPath = Annotated[
    Path, typer.Option("--repo", help="A path inside the repository.", show_default=False)
]


def project_of(api: Api, repo: Repository) -> dict[str, Any]:
    """The active project registered for the repository's `origin` remote."""
    page = api.get("/projects", remote_origin=repo.remote, active=True)
    if not page["items"]:
        raise CliError(f"{repo.remote} is not registered: run `imi register {repo.path}`")
    project: dict[str, Any] = page["items"][0]
    return project


def current_item(api: Api, repo: Repository, branch: str | None = None) -> dict[str, Any]:
    """The active work item of `branch` (default: the checked-out branch)."""
    project = project_of(api, repo)
    branch = branch or repo.current_branch()
    page = api.get("/work", project_id=project["id"], branch_name=branch, active=True)
    if not page["items"]:
        raise CliError(f"no active work item for branch {branch!r}: run `imi work start {branch}`")
    item: dict[str, Any] = page["items"][0]
    return item


@app.command()
def start(
    ctx: typer.Context,
    branch: Annotated[str, typer.Argument(help="The branch being worked on.")],
    work_type: Annotated[
        str,
        typer.Option(
            "--type", help="The kind of work; an unknown kind is refused with the allowed ones."
        ),
    ] = "feature",
    ticket: Annotated[
        str | None, typer.Option(help="Plane ticket key (PROJ-12): the work's source.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who works on it (agent:name).")] = None,
    repo_path: RepoPath = Path("."),
    as_json: JsonFlag = False,
) -> None:
    """Start a work item on BRANCH of the repository in the current directory."""
    cli = session(ctx, as_json)
    repo = Repository.at(repo_path)
    project = project_of(cli.api, repo)
    body: dict[str, Any] = {
        "project_id": project["id"],
        "branch_name": branch,
        "work_type": work_type,
        "owner_id": owner,
        "worktree_path": str(repo.path),
    }
    if ticket:
        body["source"] = {"type": "plane_ticket", "ref": ticket}
    item = cli.api.post("/work", body)
    cli.out.message(
        f"started {item['work_type']} {item['branch_name']} on {project['name']} ({item['id']})",
        data=item,
    )


@app.command()
def sync(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A path inside the repository.")] = Path("."),
    as_json: JsonFlag = False,
) -> None:
    """Send the current branch's git state (ahead/behind the default branch, uncommitted
    files, last commit) to its work item."""
    cli = session(ctx, as_json)
    repo = Repository.at(path)
    project = project_of(cli.api, repo)
    item = current_item(cli.api, repo)
    ahead, behind = repo.ahead_behind(project["default_branch"])
    files = repo.uncommitted_files()
    state: dict[str, Any] = {
        "ahead_of_trunk": ahead,
        "behind_trunk": behind,
        "has_uncommitted_changes": files > 0,
        "uncommitted_files_count": files,
        "worktree_path": str(repo.path),
    }
    if (last := repo.last_commit()) is not None:
        state["last_commit_hash"], state["last_commit_message"] = last
    updated = cli.api.patch(f"/work/{item['id']}/git-state", state)
    cli.out.message(
        f"{updated['branch_name']}: {updated['status']} (ahead {ahead}, behind {behind}, "
        f"{files} uncommitted)",
        data=updated,
    )


@app.command()
def done(
    ctx: typer.Context,
    merged: Annotated[bool, typer.Option("--merged", help="Merged into the trunk.")] = False,
    abandoned: Annotated[bool, typer.Option("--abandoned", help="Given up.")] = False,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Replaced by other work.")
    ] = False,
    commit: Annotated[str | None, typer.Option(help="The merge commit.")] = None,
    branch: Annotated[
        str | None, typer.Option(help="Another branch than the checked-out one.")
    ] = None,
    repo_path: RepoPath = Path("."),
    as_json: JsonFlag = False,
) -> None:
    """Complete the current branch's work item: exactly one of --merged, --abandoned,
    --superseded."""
    chosen = [name for name, on in (("merged", merged), ("abandoned", abandoned),
                                    ("superseded", superseded)) if on]  # fmt: skip
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --merged, --abandoned, --superseded")
    cli = session(ctx, as_json)
    item = current_item(cli.api, Repository.at(repo_path), branch)
    body = {"completion_type": chosen[0], "merge_commit_hash": commit}
    completed = cli.api.post(f"/work/{item['id']}/complete", body)
    cli.out.message(f"{completed['branch_name']}: {completed['status']}", data=completed)
