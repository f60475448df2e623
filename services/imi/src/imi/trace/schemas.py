"""The chain ticket → work items → pull requests → deploys."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from imi.links.schemas import (
    DEPLOY_LINK_EXAMPLE,
    PR_LINK_EXAMPLE,
    TICKET_LINK_EXAMPLE,
    DeployLinkOut,
    PrLinkOut,
    TicketLinkOut,
)
from imi.mimir.schemas import DECISION_EXAMPLE, MimirEntityOut
from imi.work.schemas import WORK_ITEM_EXAMPLE, WorkItemOut

TraceKind = Literal["ticket", "work", "pr", "commit", "deploy"]


TRACED_WORK_ITEM_EXAMPLE: dict[str, Any] = {
    **WORK_ITEM_EXAMPLE,
    "status": "merged",
    "ahead_of_trunk": 0,
    "completed_at": "2026-02-12T09:00:00Z",
    "completion_type": "merged",
    "merge_commit_hash": "9f2c1ab",
    "active": False,
    "updated_at": "2026-02-12T09:00:00Z",
    "ticket_links": [TICKET_LINK_EXAMPLE],
    "pr_links": [PR_LINK_EXAMPLE],
    "deploy_links": [DEPLOY_LINK_EXAMPLE],
}


class TracedWorkItem(WorkItemOut):
    model_config = ConfigDict(json_schema_extra={"examples": [TRACED_WORK_ITEM_EXAMPLE]})

    ticket_links: list[TicketLinkOut] = Field(description="Its tickets, oldest link first")
    pr_links: list[PrLinkOut] = Field(description="Its pull requests, oldest link first")
    deploy_links: list[DeployLinkOut] = Field(description="Its deploys, oldest first")


class Trace(BaseModel):
    """Everything connected to the starting point, one ticket hop wide: the starting work
    items, their tickets, and every other work item linked to those tickets; and the mimir
    decisions, intents and artifacts related to any of them, their projects or links."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "ticket",
                    "ref": "PROJ-123",
                    "tickets": ["PROJ-123"],
                    "work_items": [TRACED_WORK_ITEM_EXAMPLE],
                    "decisions": [DECISION_EXAMPLE],
                    "intents": [],
                    "artifacts": [],
                }
            ]
        }
    )

    kind: TraceKind = Field(description="What the reference was taken to be")
    ref: str = Field(description="The reference as given")
    tickets: list[str] = Field(description="Ticket keys in the chain", examples=[["PROJ-123"]])
    work_items: list[TracedWorkItem] = Field(
        description="The work items in the chain, each with its links"
    )
    decisions: list[MimirEntityOut] = Field(
        description="mimir decisions related to the chain, with status and supersession"
    )
    intents: list[MimirEntityOut] = Field(description="mimir intents related to the chain")
    artifacts: list[MimirEntityOut] = Field(
        description="mimir artifacts (conversations, documents, notes) related to the chain"
    )

    @classmethod
    def of(
        cls,
        kind: TraceKind,
        ref: str,
        traced: list[TracedWorkItem],
        related: list[MimirEntityOut],
    ) -> Self:
        """The trace of the chain's work items (with their links) and related mimir entities."""
        tickets = dict.fromkeys(
            link.plane_ticket_id for item in traced for link in item.ticket_links
        )
        by_kind: dict[str, list[MimirEntityOut]] = {"decision": [], "intent": [], "artifact": []}
        for entity in related:
            by_kind[entity.kind].append(entity)
        return cls(
            kind=kind,
            ref=ref,
            tickets=list(tickets),
            work_items=traced,
            decisions=by_kind["decision"],
            intents=by_kind["intent"],
            artifacts=by_kind["artifact"],
        )
