"""The `imi` command line: a client of imi's REST API. Options, errors and output come from
`service_cli`. (Importing iMi v2's database writes to the database directly, so it is the
service's management command `python -m imi migrate-v2`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from imi_cli import work
from imi_cli.git import Repository
from service_cli import ApiError, Column, JsonFlag, Tree, service_app, session

app = service_app("imi", "http://127.0.0.1:8400", "imi: projects, work items and their trace.")
app.add_typer(work.app, name="work")


@app.command()
def register(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A path inside the repository.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Default: the remote's repository name.")] = None,
    default_branch: Annotated[
        str | None, typer.Option(help="Default: origin's HEAD, else main or master.")
    ] = None,
    description: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register the repository at PATH by its `origin` remote. Registering it again is not an
    error: the existing project is reported."""
    cli = session(ctx, as_json)
    repo = Repository.at(path)
    body = {
        "name": name or repo.name,
        "remote_origin": repo.remote,
        "default_branch": default_branch or repo.default_branch(),
        "trunk_path": str(repo.path),
        "description": description,
    }
    try:
        project = cli.api.post("/projects", body)
    except ApiError as error:
        existing = error.params.get("project_id")
        if error.status != 409 or not existing:
            raise
        project = cli.api.get(f"/projects/{existing}")
        cli.out.message(f"already registered: {project['name']} ({project['id']})", data=project)
        return
    cli.out.message(f"registered {project['name']} ({project['id']})", data=project)


@app.command()
def projects(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Option("-q", help="Fuzzy search on the name.")] = None,
    removed: Annotated[bool, typer.Option(help="List deactivated projects instead.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Registered projects."""
    cli = session(ctx, as_json)
    page = cli.api.get("/projects", q=query, active=not removed, limit=200)
    columns: list[Column] = [
        "name",
        ("remote", "remote_origin"),
        ("trunk", "default_branch"),
        "id",
    ]
    cli.out.table(page["items"], columns, data=page, empty="no projects")


@app.command()
def status(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A path inside the repository.")] = Path("."),
    all_items: Annotated[bool, typer.Option("--all", help="Include completed work.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Work items of the repository at PATH with their computed status."""
    cli = session(ctx, as_json)
    project = work.project_of(cli.api, Repository.at(path))
    active = None if all_items else True
    page = cli.api.get("/work", project_id=project["id"], active=active, limit=200)
    cli.out.table(page["items"], work.WORK_COLUMNS, data=page, empty="no work items")


def _trace_tree(trace: dict[str, Any]) -> Tree:
    root = Tree(f"{trace['ref']} ({trace['kind']})")
    items: list[dict[str, Any]] = trace["work_items"]
    links = [link for item in items for link in item["ticket_links"]]
    titles = {link["plane_ticket_id"]: link.get("ticket_title") for link in links}
    for key in trace["tickets"]:
        linked = [i for i in items if any(t["plane_ticket_id"] == key for t in i["ticket_links"])]
        title = titles.get(key)
        node = root.add(f"ticket {key}" + (f"  {title}" if title else ""))
        for item in linked:
            _work_node(node, item)
    for item in items:
        if not item["ticket_links"]:
            _work_node(root, item)
    return root


def _work_node(parent: Tree, item: dict[str, Any]) -> None:
    node = parent.add(f"{item['branch_name']}  [{item['status']}]  {item['id']}")
    for pr in item["pr_links"]:
        node.add(
            f"PR #{pr['pr_number']} {pr['pr_state']}"
            + (f"  {pr['pr_title']}" if pr.get("pr_title") else "")
        )
    for deploy in item["deploy_links"]:
        node.add(
            f"deploy {deploy['environment']}  {deploy['commit_hash'][:12]}  {deploy['deployed_at']}"
        )
    if item.get("merge_commit_hash"):
        node.add(f"merge commit {item['merge_commit_hash'][:12]}")


@app.command()
def trace(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(help="Ticket key, PR number, commit, work item or deploy id.")
    ],
    project_id: Annotated[str | None, typer.Option(help="For a PR number: its project.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The chain ticket → work items → pull requests → deploys around REF, as a tree."""
    cli = session(ctx, as_json)
    result = cli.api.get(f"/trace/{ref}", project_id=project_id)
    cli.out.tree(_trace_tree(result), data=result)


@app.command()
def stats(
    ctx: typer.Context,
    project_id: Annotated[str | None, typer.Option(help="Only this project.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Work item counts by status, type and project, and lead times."""
    cli = session(ctx, as_json)
    result = cli.api.get("/stats", project_id=project_id)
    if cli.out.as_json:
        cli.out.json(result)
        return
    typer.echo(f"work items: {result['work_items']}")
    for title, counts in (("by status", result["by_status"]), ("by type", result["by_type"])):
        typer.echo(f"{title}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "-"))
    typer.echo()
    cli.out.table(result["by_project"], ["name", "work_items", "project_id"], data=result)
    if result["lead_time"]:
        typer.echo("\nlead time, ticket linked to deploy:")
        columns = ["environment", "work_items", "median_seconds", "p90_seconds"]
        cli.out.table(result["lead_time"], columns, data=result)
