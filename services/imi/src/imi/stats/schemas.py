"""Counts and lead times."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class ProjectCount(BaseModel):
    project_id: UUID = Field(description="The project")
    name: str = Field(description="Its name")
    work_items: int = Field(description="Its work items, active and completed")


class LeadTime(BaseModel):
    """Ticket linked → first deploy to the environment after it, over work items."""

    environment: str = Field(description="The deploy environment", examples=["production"])
    work_items: int = Field(description="Work items deployed there after a ticket was linked")
    median_seconds: float = Field(description="Median lead time, in seconds")
    p90_seconds: float = Field(description="90th percentile lead time, in seconds")


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

    work_items: int = Field(description="Work items counted, active and completed")
    by_status: dict[str, int] = Field(
        description="Work items per computed status; statuses with none are left out",
        examples=[{"ahead": 3, "merged": 10}],
    )
    by_type: dict[str, int] = Field(
        description="Work items per work type; types with none are left out",
        examples=[{"feature": 8, "fix": 5}],
    )
    by_project: list[ProjectCount] = Field(description="Work items per project, most first")
    lead_time: list[LeadTime] = Field(
        description="Lead time per environment, by environment name; environments without a "
        "deploy after a ticket link are left out"
    )
