"""Column types and defaults every imi table shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, ForeignKey, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


UUIDPk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
Str = Annotated[str, mapped_column(Text)]
OptStr = Annotated[str | None, mapped_column(Text)]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]
OptTimestamp = Annotated[datetime | None, mapped_column(DateTime(timezone=True))]


def metadata_column() -> Mapped[dict[str, Any]]:
    """`metadata` in the table (the attribute is `meta`: declarative reserves the name)."""
    return mapped_column(
        "metadata", JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now()
    )


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
    )


def flag_column(default: bool) -> Mapped[bool]:
    return mapped_column(
        nullable=False, default=default, server_default=text("true" if default else "false")
    )


def count_column() -> Mapped[int]:
    return mapped_column(nullable=False, default=0, server_default=text("0"))


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK condition: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def reference(table: str, *, nullable: bool = False) -> Any:
    """A uuid foreign key to `imi.<table>.id`, deleted with its parent."""
    return mapped_column(ForeignKey(f"imi.{table}.id", ondelete="CASCADE"), nullable=nullable)
