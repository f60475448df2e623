"""The chain ticket → work items → pull requests → deploys."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from imi.links.schemas import DeployLinkOut, PrLinkOut, TicketLinkOut
from imi.mimir.schemas import MimirEntityOut
from imi.work.schemas import WorkItemOut

TraceKind = Literal["ticket", "work", "pr", "commit", "deploy"]


class TracedWorkItem(WorkItemOut):
    ticket_links: list[TicketLinkOut]
    pr_links: list[PrLinkOut]
    deploy_links: list[DeployLinkOut]


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
                    "work_items": [
                        {
                            "id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
                            "branch_name": "feat/PROJ-123-login",
                            "status": "merged",
                            "ticket_links": [{"plane_ticket_id": "PROJ-123"}],
                            "pr_links": [{"pr_number": 42, "pr_state": "merged"}],
                            "deploy_links": [{"environment": "production"}],
                        }
                    ],
                    "decisions": [
                        {
                            "id": "8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
                            "kind": "decision",
                            "title": "Use OIDC for login",
                            "status": "active",
                            "superseded_by_id": None,
                            "superseded_by_title": None,
                            "relations": [
                                {
                                    "relation_type": "explains",
                                    "direction": "from_mimir",
                                    "imi_type": "pr",
                                }
                            ],
                        }
                    ],
                    "intents": [],
                    "artifacts": [],
                }
            ]
        }
    )

    kind: TraceKind = Field(description="What the reference was taken to be")
    ref: str
    tickets: list[str] = Field(description="Ticket keys in the chain", examples=[["PROJ-123"]])
    work_items: list[TracedWorkItem]
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
