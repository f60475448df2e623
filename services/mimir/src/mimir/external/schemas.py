"""Response bodies of /api/v1/external-entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

ExternalType = Literal[
    "imi.project", "imi.work_item", "imi.pr", "imi.deploy", "imi.ticket", "imi.component"
]
EXTERNAL_TYPES: tuple[ExternalType, ...] = get_args(ExternalType)
"""The imi entity types mimir's projection keeps; relations accept no other `imi.` type."""
DISPLAY_NAME = (
    "A readable name: the project's or component's name, the work item's branch, "
    "`PR #<number> <title>`, `deploy <environment> <commit>`, or the ticket key"
)
STATE = (
    "project: active or inactive; work item: its status; PR: its state; deploy: its "
    "environment; ticket: linked; component: its kind"
)


class ExternalEntity(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entity_type": "imi.work_item",
                    "id": "4d0c8a51-3e1f-4b2a-9c7d-6e5f4a3b2c1d",
                    "display_name": "feature/retry-payments",
                    "state": "ahead",
                    "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                    "metadata": {"work_type": "feature", "ahead_of_trunk": 2},
                    "updated_at": "2026-02-11T10:00:00Z",
                }
            ]
        }
    )

    entity_type: ExternalType = Field(description="Which kind of imi entity it is")
    id: UUID = Field(description="The entity's id in imi")
    display_name: str = Field(
        description=DISPLAY_NAME, examples=["feature/retry-payments", "PR #42 Retry payments"]
    )
    state: str | None = Field(None, description=STATE)
    project_id: UUID | None = Field(None, description="The imi project the entity belongs to")
    metadata: dict[str, Any] = Field(description="The other fields of imi's events")
    updated_at: datetime = Field(description="Time of the newest imi event applied")
