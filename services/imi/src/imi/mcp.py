"""imi's tools for agents at `/mcp`: projects, work items, links, the trace, statistics.

Every tool is one call of imi's REST API (`envelope.RestBridge`), with the REST request models
as input schemas; descriptions are written for the model that picks the tool.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from mcp.server.mcpserver import MCPServer

from envelope import RestBridge
from imi import __version__
from imi.links.schemas import DeployLinkCreate, PrLinkCreate, PrLinkUpdate, TicketLinkCreate
from imi.projects.schemas import ProjectCreate
from imi.trace.schemas import TraceKind
from imi.work.schemas import GitStateUpdate, WorkComplete, WorkCreate, WorkFilters

INSTRUCTIONS = """imi knows the team's git projects, the work items (branches) on them and how
they link to tickets, pull requests and deploys. Register a project once per remote, start a
work item when a branch starts, link tickets and PRs to it, and use trace to answer "where is
ticket X?" or "what shipped with this deploy?"."""


def mcp_server(rest: RestBridge) -> MCPServer:
    server = MCPServer("imi", version=__version__, instructions=INSTRUCTIONS)

    @server.tool()
    async def list_projects(
        q: str | None = None, limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        """The registered git projects, newest first; `q` is a fuzzy match on the name.
        Returns a page: `items`, `total`, `limit`, `offset`."""
        params = {"q": q, "limit": limit, "offset": offset}
        return dict(await rest.call("GET", "/projects", params=params))

    @server.tool()
    async def register_project(project: ProjectCreate) -> dict[str, Any]:
        """Register a git remote as a project. One project per remote: registering a known
        remote again, in any spelling, is refused with the existing project's id
        (`project_id`), and a remote whose project was deleted is re-activated. Returns the
        project."""
        return dict(await rest.call("POST", "/projects", body=project))

    @server.tool()
    async def start_work(work: WorkCreate) -> dict[str, Any]:
        """Start a work item: a branch (or worktree) on a project, with its type, owner and
        (optionally) its git state. Ticket keys in the branch name are linked automatically.
        Returns the work item."""
        return dict(await rest.call("POST", "/work", body=work))

    @server.tool()
    async def list_work(
        filters: WorkFilters | None = None, limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        """Work items, newest first, narrowed by project, branch, owner, status, type or
        whether they are active: e.g. find the item of the branch you are on. Returns a
        page: `items`, `total`, `limit`, `offset`."""
        narrowed = (filters or WorkFilters()).model_dump(mode="json")
        params = {**narrowed, "limit": limit, "offset": offset}
        return dict(await rest.call("GET", "/work", params=params))

    @server.tool()
    async def complete_work(work_item_id: UUID, completion: WorkComplete) -> dict[str, Any]:
        """Complete a work item: merged (with its merge commit), abandoned or superseded. It
        leaves the active set and frees its branch; the same completion again changes
        nothing. Returns the work item."""
        path = f"/work/{work_item_id}/complete"
        return dict(await rest.call("POST", path, body=completion))

    @server.tool()
    async def update_git_state(work_item_id: UUID, state: GitStateUpdate) -> dict[str, Any]:
        """Record a work item's git state: head commit, commits ahead of and behind trunk.
        Returns the updated work item."""
        path = f"/work/{work_item_id}/git-state"
        return dict(await rest.call("PATCH", path, body=state))

    @server.tool()
    async def link_ticket(link: TicketLinkCreate) -> dict[str, Any]:
        """Link a ticket (e.g. a Plane issue) to a work item. Linking it again answers the
        existing link. Returns the link."""
        return dict(await rest.call("POST", "/links/ticket", body=link))

    @server.tool()
    async def link_pr(link: PrLinkCreate) -> dict[str, Any]:
        """Link a pull request to a work item, with its number, URL and state. Returns the
        link."""
        return dict(await rest.call("POST", "/links/pr", body=link))

    @server.tool()
    async def set_pr_state(pr_link_id: UUID, change: PrLinkUpdate) -> dict[str, Any]:
        """Move a linked pull request: open → merged | closed, closed → open (merged is
        final). Merging (give `merge_commit_hash`) completes its work item as merged.
        `pr_link_id` is the id `link_pr` answered. Returns the PR link."""
        return dict(await rest.call("PATCH", f"/links/pr/{pr_link_id}", body=change))

    @server.tool()
    async def record_deploy(deploy: DeployLinkCreate) -> dict[str, Any]:
        """Record that a commit was deployed to an environment, for the work item given or
        the one whose last or merge commit it is (7 hex digits or more). A `deploy_id`
        recorded before answers with that deploy. Returns the deploy link."""
        return dict(await rest.call("POST", "/links/deploy", body=deploy))

    @server.tool()
    async def trace(
        ref: str, kind: TraceKind | None = None, project_id: UUID | None = None
    ) -> dict[str, Any]:
        """Follow the chain ticket → work items → pull requests → deploys from any reference:
        a ticket key (PROJ-123), a work item id, a PR number (give `project_id`), a commit
        hash (or a prefix of at least 7 digits) or a deploy link id; `kind` names which when
        detection cannot tell, and is needed for a CI system's deploy id (`deploy`). Use it
        for "where is ticket X?" or "what did deploy Y ship?"."""
        segment = quote(ref, safe="")  # the reference is one path segment, as in REST
        path = f"/trace/{kind}/{segment}" if kind else f"/trace/{segment}"
        return dict(await rest.call("GET", path, params={"project_id": project_id}))

    @server.tool()
    async def stats(project_id: UUID | None = None) -> dict[str, Any]:
        """Counts of work items by status, type and project, and lead times per environment
        (median and p90, from a ticket's first link to the first deploy of its work), for one
        project or all."""
        return dict(await rest.call("GET", "/stats", params={"project_id": project_id}))

    return server
