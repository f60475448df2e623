"""Ticket, pull request and deploy link requests and responses."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from envelope.events.imi import PrState
from envelope.events.plane import TICKET_KEY
from envelope.limits import HASH_LENGTH, IDENTIFIER_LENGTH, KEY_LENGTH
from imi.schemas import INT32_MAX, Metadata, ORMModel

WORK_ITEM_ID = "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d"


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

    work_item_id: UUID
    plane_ticket_id: str = Field(
        pattern=f"^{TICKET_KEY.pattern}$",
        max_length=IDENTIFIER_LENGTH,
        validation_alias=AliasChoices("plane_ticket_id", "ticket_id", "ticket"),
    )
    ticket_title: str | None = None
    ticket_url: str | None = None
    metadata: Metadata


class TicketLinkOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
                    "work_item_id": WORK_ITEM_ID,
                    "plane_ticket_id": "PROJ-123",
                    "ticket_title": "Login with SSO",
                    "ticket_url": None,
                    "metadata": {"status": "in_progress"},
                    "created_at": "2026-02-11T10:00:00Z",
                    "updated_at": "2026-02-11T10:05:00Z",
                }
            ]
        }
    )

    id: UUID
    work_item_id: UUID
    plane_ticket_id: str
    ticket_title: str | None
    ticket_url: str | None
    metadata: Metadata
    created_at: datetime
    updated_at: datetime


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

    work_item_id: UUID
    pr_number: int = Field(gt=0, le=INT32_MAX)
    pr_url: str | None = None
    pr_state: PrState = "open"
    pr_title: str | None = None
    metadata: Metadata


class PrLinkUpdate(BaseModel):
    """open → merged | closed, closed → open; merged is final."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"pr_state": "merged", "merge_commit_hash": "9f2c1ab"}]}
    )

    pr_state: PrState
    merge_commit_hash: str | None = Field(
        None,
        min_length=4,
        max_length=HASH_LENGTH,
        description="For merged: the work item's merge commit",
    )


class PrLinkOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
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
            ]
        }
    )

    id: UUID
    work_item_id: UUID
    pr_number: int
    pr_url: str | None
    pr_state: PrState
    pr_title: str | None
    metadata: Metadata
    created_at: datetime
    updated_at: datetime


class DeployLinkCreate(BaseModel):
    """Without `work_item_id`, the newest work item whose last or merge commit is the commit."""

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

    work_item_id: UUID | None = None
    environment: str = Field(min_length=1, max_length=KEY_LENGTH)
    commit_hash: str = Field(
        min_length=4, max_length=HASH_LENGTH, validation_alias=AliasChoices("commit_hash", "commit")
    )
    deploy_id: str | None = Field(None, max_length=IDENTIFIER_LENGTH)
    deployed_at: datetime | None = None
    metadata: Metadata


class DeployLinkOut(ORMModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7a8b9c0d-1e2f-4a3b-c4d5-e6f7a8b9c0d1",
                    "work_item_id": WORK_ITEM_ID,
                    "deploy_id": "deploy-2026-02-12-01",
                    "environment": "production",
                    "commit_hash": "9f2c1ab",
                    "deployed_at": "2026-02-12T12:00:00Z",
                    "metadata": {},
                    "created_at": "2026-02-12T12:00:01Z",
                }
            ]
        }
    )

    id: UUID
    work_item_id: UUID
    deploy_id: str | None
    environment: str
    commit_hash: str
    deployed_at: datetime
    metadata: Metadata
    created_at: datetime
