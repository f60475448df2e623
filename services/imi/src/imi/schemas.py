"""Schema pieces shared by every domain: ORM reading, `metadata`, pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, Self, TypeVar

from fastapi import Query
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import MAX_OFFSET, page_examples
from envelope.limits import JsonObject

T = TypeVar("T")


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


Metadata = Annotated[
    JsonObject,
    Field(
        default_factory=dict,
        validation_alias=AliasChoices("metadata", "meta"),  # the first names it in OpenAPI
        description="Free-form JSON (also accepted as `meta`)",
        examples=[{"team": "platform"}],
    ),
]
"""A request's `metadata`."""

StoredMetadata = Annotated[
    JsonObject,
    Field(
        default_factory=dict,
        validation_alias=AliasChoices("meta", "metadata"),
        description="Free-form JSON",
        examples=[{"team": "platform"}],
    ),
]
"""A response's `metadata`: a row's `meta` attribute (SQLAlchemy keeps `metadata` for itself)
or the `metadata` key of the trace's JSON."""


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_extra=page_examples(total=1, limit=50, offset=0))

    items: list[T] = Field(description="The rows of this page, in the list's order")
    total: int = Field(description="Rows matching the filters, ignoring limit/offset")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Rows skipped")

    @classmethod
    def of(cls, rows: Sequence[Any], total: int, page: PageParams) -> Self:
        """A page of `rows` (ORM objects), read into the page's item model."""
        return cls.model_validate(
            {"items": rows, "total": total, "limit": page.limit, "offset": page.offset},
            from_attributes=True,
        )


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=200, description="Page size: rows to return, 1 to 200")
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description=f"Rows to skip, at most {MAX_OFFSET}; narrow the filters to reach further",
    )


PageQuery = Annotated[PageParams, Query()]


async def fetch_page(
    session: AsyncSession, query: Select[T], page: PageParams
) -> tuple[list[T], int]:
    """One page of `query`'s rows and the total count of rows it matches."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.scalars(query.limit(page.limit).offset(page.offset))
    return list(rows), int(total or 0)
