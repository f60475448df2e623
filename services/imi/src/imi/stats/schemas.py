"""Counts and lead times."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class ProjectCount(BaseModel):
    project_id: UUID
    name: str
    work_items: int


class LeadTime(BaseModel):
    """Ticket linked → first deploy to the environment after it, over work items."""

    environment: str
    work_items: int
    median_seconds: float
    p90_seconds: float


class Stats(BaseModel):
    work_items: int
    by_status: dict[str, int] = Field(examples=[{"ahead": 3, "merged": 10}])
    by_type: dict[str, int] = Field(examples=[{"feature": 8, "fix": 5}])
    by_project: list[ProjectCount]
    lead_time: list[LeadTime]
