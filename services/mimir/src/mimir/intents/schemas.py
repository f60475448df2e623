"""Request and response bodies of /api/v1/intents and /api/v1/intents/groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from envelope.limits import NAME_LENGTH, JsonObject
from mimir.text import Said

IntentStatus = Literal["proposed", "accepted", "rejected"]
GroupStatus = Literal["active", "deprecated", "merged"]

GROUP_ID = "3f1c2b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
STATEMENT = "What is intended, in one sentence"
PROPOSED_BY = '"human" or the proposing model\'s id'
GROUP_NAME = "Unique name of the group"
GROUP_DESCRIPTION = "What the group's intents have in common"


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

    statement: Said = Field(min_length=1, description=STATEMENT)
    proposed_by: str = Field(min_length=1, description=PROPOSED_BY, examples=["human"])
    intent_group_id: UUID | None = Field(None, description="Group to file it under")
    metadata: JsonObject = Field(default_factory=dict, description="Free-form properties")


class IntentUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "accepted"}]})

    status: IntentStatus = Field(
        description="Only a proposed intent can be accepted or rejected (409 otherwise)"
    )


class Intent(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
                    "intent_group_id": GROUP_ID,
                    "statement": "Retry failed payments twice before giving up",
                    "proposed_by": "gpt-4-turbo",
                    "status": "accepted",
                    "metadata": {"artifact": "conv-8812"},
                    "created_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    id: UUID = Field(description="Intent id")
    intent_group_id: UUID | None = Field(description="The group it is filed under, if any")
    statement: str = Field(description=STATEMENT)
    proposed_by: str = Field(description=PROPOSED_BY)
    status: IntentStatus = Field(description="proposed, then accepted or rejected")
    metadata: dict[str, Any] = Field(description="Free-form properties")
    created_at: datetime = Field(description="When it was proposed")


class GroupCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "payments-reliability", "description": "..."}]}
    )

    name: Said = Field(
        min_length=1, max_length=NAME_LENGTH, description=f"{GROUP_NAME} (409 if taken)"
    )
    description: str = Field("", description=GROUP_DESCRIPTION)


class GroupUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "deprecated"}]})

    status: GroupStatus = Field(
        description="An active group can be deprecated (409 otherwise); merge with POST .../merge"
    )


class GroupMerge(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"into_id": GROUP_ID}]})

    into_id: UUID = Field(description="The active group that absorbs this one and its intents")


class Group(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": GROUP_ID,
                    "name": "payments-reliability",
                    "description": "Keeping payments going when providers fail",
                    "status": "active",
                    "merged_into_id": None,
                    "created_at": "2026-02-11T10:00:00Z",
                    "intent_count": 4,
                }
            ]
        }
    )

    id: UUID = Field(description="Group id")
    name: str = Field(description=GROUP_NAME)
    description: str = Field(description=GROUP_DESCRIPTION)
    status: GroupStatus = Field(description="active, deprecated, or merged (into `merged_into_id`)")
    merged_into_id: UUID | None = Field(description="The group it was merged into; null until then")
    created_at: datetime = Field(description="When it was created")
    intent_count: int = Field(0, description="Intents currently in the group")
