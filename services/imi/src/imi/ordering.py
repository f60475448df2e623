"""Events apply in order per entity: a late event never undoes a newer one.

A row that events change remembers the envelope timestamp of the newest event that changed
it. An older event changes nothing on that row; it is still recorded in the inbox and acked,
since the bus promises no order across producers and a late event is no error. An event
with the same timestamp applies; a row no event has changed yet takes any event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from envelope import EventEnvelope

log = structlog.get_logger("imi.ordering")


CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of imi's clock a producer's may run; an event stamped later than that is
taken as of now + this, so that one event from a wrong clock (the year 2099) cannot make
every real event after it stale."""


def event_time(envelope: EventEnvelope[Any]) -> datetime:
    """The envelope's timestamp (one without a time zone is UTC), at most `CLOCK_SKEW` ahead."""
    at = envelope.timestamp
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return min(at, datetime.now(UTC) + CLOCK_SKEW)


def is_stale(at: datetime, last: datetime | None, **entity: str) -> bool:
    """Whether an event of time `at` is older than `last`, the entity's newest (logged if so)."""
    if last is None or at >= last:
        return False
    log.info(
        "stale event ignored", event_at=at.isoformat(), last_event_at=last.isoformat(), **entity
    )
    return True
