"""State machines of mimir's entities: a move not in the allowed set is a 409."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from envelope import InvalidTransition


def check_transition(
    entity: str, allowed: Mapping[str, frozenset[str]], current: str, new: str, entity_id: UUID
) -> None:
    """Raise InvalidTransition (409) unless `current -> new` is in `allowed`."""
    if new not in allowed.get(current, frozenset()):
        raise InvalidTransition(
            f"{entity} cannot go from {current} to {new}",
            id=str(entity_id),
            status=current,
            requested=new,
            allowed=sorted(allowed.get(current, frozenset())),
        )
