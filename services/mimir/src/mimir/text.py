"""Fields that must say something: a statement, a name or a query of blanks alone is refused
(422), since it would be stored, searched or embedded as if it meant something."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _said(value: str) -> str:
    if value and not value.strip():
        raise ValueError("holds only blanks")
    return value


Said = Annotated[str, AfterValidator(_said)]
