"""Ticket, pull request and deploy link requests and responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from envelope.events.imi import PrState
from envelope.events.plane import TICKET_KEY
from envelope.limits import IDENTIFIER_LENGTH, INT32_MAX, KEY_LENGTH, CommitHash
from imi.schemas import Metadata, ORMModel, StoredMetadata

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

WORK_ITEM_ID = "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d"
TICKET_KEY_DESCRIPTION = "The Plane ticket key: an upper-case project prefix, a dash, a number"
PR_STATE = "open, merged or closed"
ENVIRONMENT = "Where the commit was deployed"

TICKET_LINK_EXAMPLE: dict[str, Any] = {
    "id": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    "work_item_id": WORK_ITEM_ID,
    "plane_ticket_id": "PROJ-123",
    "ticket_title": "Login with SSO",
    "ticket_url": None,
    "metadata": {"status": "in_progress"},
    "created_at": "2026-02-11T10:00:00Z",
    "updated_at": "2026-02-11T10:05:00Z",
}

PR_LINK_EXAMPLE: dict[str, Any] = {
    "id": "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0",
    "work_item_id": WORK_ITEM_ID,
    "pr_number": 42,
    "pr_url": "https://github.com/33god/bloodbank/pull/42",
    "pr_state": "merged",
    "pr_title": "PROJ-123: login with SSO",
    "metadata": {},
    "created_at": "2026-02-11T10:00:00Z",
    "updated_at": "2026-02-12T09:00:00Z",
}

DEPLOY_LINK_EXAMPLE: dict[str, Any] = {
    "id": "7a8b9c0d-1e2f-4a3b-c4d5-e6f7a8b9c0d1",
    "work_item_id": WORK_ITEM_ID,
    "deploy_id": "deploy-2026-02-12-01",
    "environment": "production",
    "commit_hash": "9f2c1ab",
    "deployed_at": "2026-02-12T12:00:00Z",
    "metadata": {},
    "created_at": "2026-02-12T12:00:01Z",
}


class TicketLinkCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "work_item_id": WORK_ITEM_ID,
                    "plane_ticket_id": "PROJ-123",
                    "ticket_title": "Login with SSO",
                    "ticket_url": "https://plane.example/proj/issues/123",
                }
            ]
        }
    )

    work_item_id: UUID = Field(description="The work item the ticket is linked to")
    plane_ticket_id: str = Field(
        pattern=f"^{TICKET_KEY.pattern}$",
        max_length=IDENTIFIER_LENGTH,
        validation_alias=AliasChoices("plane_ticket_id", "ticket_id", "ticket"),
        description=f"{TICKET_KEY_DESCRIPTION} (also accepted as `ticket_id` or `ticket`)",
        examples=["PROJ-123"],
    )
    ticket_title: str | None = Field(None, description="The ticket's title")
    ticket_url: str | None = Field(None, description="The ticket's page in Plane")
    metadata: Metadata


class TicketLinkOut(ORMModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TICKET_LINK_EXAMPLE]})

    id: UUID = Field(description="Ticket link id")
    work_item_id: UUID = Field(description="The work item the ticket is linked to")
    plane_ticket_id: str = Field(description=TICKET_KEY_DESCRIPTION, examples=["PROJ-123"])
    ticket_title: str | None = Field(description="The ticket's title, when known")
    ticket_url: str | None = Field(description="The ticket's page in Plane, when known")
    metadata: StoredMetadata
    created_at: datetime = Field(description="When the ticket was linked")
    updated_at: datetime = Field(description="When the link last changed")


class PrLinkCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "work_item_id": WORK_ITEM_ID,
                    "pr_number": 42,
                    "pr_url": "https://github.com/33god/bloodbank/pull/42",
                    "pr_state": "open",
                    "pr_title": "PROJ-123: login with SSO",
                }
            ]
        }
    )

    work_item_id: UUID = Field(description="The work item whose branch the pull request is from")
    pr_number: int = Field(gt=0, le=INT32_MAX, description="Its number in the repository")
    pr_url: str | None = Field(None, description="Its page on the git host")
    pr_state: PrState = Field("open", description=PR_STATE)
    merge_commit_hash: CommitHash | None = Field(
        None, description="Linked as merged: the merge commit, kept on the work item it completes"
    )
    pr_title: str | None = Field(
        None, description="Its title; ticket keys in it are linked to the work item"
    )
    metadata: Metadata


class PrLinkUpdate(BaseModel):
    """open → merged | closed, closed → open; merged is final."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"pr_state": "merged", "merge_commit_hash": "9f2c1ab"}]}
    )

    pr_state: PrState = Field(description="The new state: " + PR_STATE)
    merge_commit_hash: CommitHash | None = Field(
        None, description="For merged: the work item's merge commit"
    )


class PrLinkOut(ORMModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PR_LINK_EXAMPLE]})

    id: UUID = Field(description="Pull request link id")
    work_item_id: UUID = Field(description="The work item whose branch the pull request is from")
    pr_number: int = Field(description="Its number in the repository")
    pr_url: str | None = Field(description="Its page on the git host, when known")
    pr_state: PrState = Field(description=PR_STATE)
    pr_title: str | None = Field(description="Its title, when known")
    metadata: StoredMetadata
    created_at: datetime = Field(description="When the pull request was linked")
    updated_at: datetime = Field(description="When the link last changed (e.g. its state)")


class DeployLinkCreate(BaseModel):
    """Without `work_item_id`, the newest work item whose last or merge commit starts with the
    commit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "work_item_id": WORK_ITEM_ID,
                    "environment": "production",
                    "commit_hash": "9f2c1ab",
                    "deploy_id": "deploy-2026-02-11-01",
                }
            ]
        }
    )

    work_item_id: UUID | None = Field(
        None, description="The work item deployed; left out, found by `commit_hash`"
    )
    environment: str = Field(
        min_length=1, max_length=KEY_LENGTH, description=ENVIRONMENT, examples=["production"]
    )
    commit_hash: CommitHash = Field(
        validation_alias=AliasChoices("commit_hash", "commit"),
        description="The deployed commit, full or abbreviated (also accepted as `commit`)",
    )
    deploy_id: str | None = Field(
        None, max_length=IDENTIFIER_LENGTH, description="The deploy's id in the CI system"
    )
    deployed_at: datetime | None = Field(
        None,
        description="When it was deployed (a time without an offset is UTC; from 1970 to a "
        "day from now); default now",
    )
    metadata: Metadata

    @field_validator("deployed_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Answered as stored and traced: in UTC, whatever offset it came with. A time
        outside the range is a mistake that would skew every lead time of its project."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if not EPOCH <= value <= datetime.now(UTC) + timedelta(days=1):
            raise ValueError("a deploy time lies between 1970 and a day from now")
        return value


class DeployLinkOut(ORMModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DEPLOY_LINK_EXAMPLE]})

    id: UUID = Field(description="Deploy link id")
    work_item_id: UUID = Field(description="The work item deployed")
    deploy_id: str | None = Field(description="The deploy's id in the CI system, if given")
    environment: str = Field(description=ENVIRONMENT, examples=["production"])
    commit_hash: str = Field(description="The deployed commit")
    deployed_at: datetime = Field(description="When it was deployed")
    metadata: StoredMetadata
    created_at: datetime = Field(description="When imi recorded the deploy")
