"""Response bodies of /api/v1/external-entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

ExternalType = Literal[
    "imi.project", "imi.work_item", "imi.pr", "imi.deploy", "imi.ticket", "imi.component"
]


class ExternalEntity(BaseModel):
    entity_type: ExternalType
    id: UUID = Field(description="The entity's id in imi")
    display_name: str = Field(examples=["feature/retry-payments", "PR #42 Retry payments"])
    state: str | None = Field(None, description="active/inactive, work status, PR state, ...")
    project_id: UUID | None = Field(None, description="The imi project the entity belongs to")
    metadata: dict[str, Any] = Field(description="The other fields of imi's events")
    updated_at: datetime = Field(description="Time of the newest imi event applied")
