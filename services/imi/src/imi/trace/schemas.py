"""The chain ticket → work items → pull requests → deploys."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from imi.links.schemas import DeployLinkOut, PrLinkOut, TicketLinkOut
from imi.work.schemas import WorkItemOut

TraceKind = Literal["ticket", "work", "pr", "commit", "deploy"]


class TracedWorkItem(WorkItemOut):
    ticket_links: list[TicketLinkOut]
    pr_links: list[PrLinkOut]
    deploy_links: list[DeployLinkOut]


class Trace(BaseModel):
    """Everything connected to the starting point, one ticket hop wide: the starting work
    items, their tickets, and every other work item linked to those tickets."""

    kind: TraceKind = Field(description="What the reference was taken to be")
    ref: str
    tickets: list[str] = Field(description="Ticket keys in the chain", examples=[["PROJ-123"]])
    work_items: list[TracedWorkItem]
