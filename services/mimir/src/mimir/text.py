"""Fields that must say something: a statement, a name or a query of blanks alone is refused
(422), since it would be stored, searched or embedded as if it meant something; so is one
holding a lone surrogate, which JSON can escape but no model or UTF-8 column can read."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _said(value: str) -> str:
    if value and not value.strip():
        raise ValueError("holds only blanks")
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError("holds a lone surrogate: not valid Unicode") from None
    return value


Said = Annotated[str, AfterValidator(_said)]
