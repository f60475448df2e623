"""State machines of mimir's entities: a move not in the allowed set is a 409.

A request for the state the entity is already in (with the same successor or target) is a
repeat, answered 200 with the entity as it is and no event, as imi answers a repeated
completion; the callers check that before `check_transition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from envelope import InvalidTransition


def check_transition(
    entity: str,
    allowed: Mapping[str, frozenset[str]],
    current: str,
    new: str,
    entity_id: UUID,
    **holding: UUID | None,
) -> None:
    """Raise InvalidTransition (409) unless `current -> new` is in `allowed`; the answer
    names what holds (`holding`: the successor or target of the current state, if any)."""
    if new not in allowed.get(current, frozenset()):
        held = {name: str(value) for name, value in holding.items() if value is not None}
        raise InvalidTransition(
            f"{entity} is already {current}"
            if new == current
            else f"{entity} cannot go from {current} to {new}",
            id=str(entity_id),
            status=current,
            requested=new,
            allowed=sorted(allowed.get(current, frozenset())),
            **held,
        )
