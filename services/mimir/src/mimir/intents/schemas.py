"""Request and response bodies of /api/v1/intents and /api/v1/intents/groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import NAME_LENGTH

IntentStatus = Literal["proposed", "accepted", "rejected"]
GroupStatus = Literal["active", "deprecated", "merged"]


class IntentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "statement": "Retry failed payments twice before giving up",
                    "proposed_by": "gpt-4-turbo",
                    "intent_group_id": None,
                    "metadata": {"artifact": "conv-8812"},
                }
            ]
        }
    )

    statement: str = Field(min_length=1, description="What is intended, in one sentence")
    proposed_by: str = Field(
        min_length=1, description='"human" or the proposing model\'s id', examples=["human"]
    )
    intent_group_id: UUID | None = Field(None, description="Group to file it under")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form properties")


class IntentUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "accepted"}]})

    status: Literal["accepted", "rejected"] = Field(
        description="Only a proposed intent can be accepted or rejected (409 otherwise)"
    )


class Intent(BaseModel):
    id: UUID
    intent_group_id: UUID | None
    statement: str
    proposed_by: str
    status: IntentStatus
    metadata: dict[str, Any]
    created_at: datetime


class GroupCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "payments-reliability", "description": "..."}]}
    )

    name: str = Field(
        min_length=1, max_length=NAME_LENGTH, description="Unique name (409 if taken)"
    )
    description: str = Field("", description="What the group's intents have in common")


class GroupUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "deprecated"}]})

    status: Literal["deprecated"] = Field(
        description="An active group can be deprecated; merge with POST .../merge"
    )


class GroupMerge(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"into_id": "3f1c2b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}]}
    )

    into_id: UUID = Field(description="The active group that absorbs this one and its intents")


class Group(BaseModel):
    id: UUID
    name: str
    description: str
    status: GroupStatus
    merged_into_id: UUID | None = Field(description="Set when merged")
    created_at: datetime
    intent_count: int = Field(0, description="Intents currently in the group")
