"""Counts and lead times."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "work_items": 13,
                    "by_status": {"ahead": 3, "merged": 10},
                    "by_type": {"feature": 8, "fix": 5},
                    "by_project": [
                        {
                            "project_id": "0b5f0d7e-8f6c-4c1e-9a53-1c2b3d4e5f60",
                            "name": "bloodbank",
                            "work_items": 13,
                        }
                    ],
                    "lead_time": [
                        {
                            "environment": "production",
                            "work_items": 10,
                            "median_seconds": 86400.0,
                            "p90_seconds": 259200.0,
                        }
                    ],
                }
            ]
        }
    )

    work_items: int
    by_status: dict[str, int] = Field(examples=[{"ahead": 3, "merged": 10}])
    by_type: dict[str, int] = Field(examples=[{"feature": 8, "fix": 5}])
    by_project: list[ProjectCount]
    lead_time: list[LeadTime]
