"""Correlation ids carried from a request or a consumed event into everything it causes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_correlation_ids: ContextVar[tuple[uuid.UUID, ...]] = ContextVar("correlation_ids", default=())

# Request ids that are not UUIDs map into this namespace, so one id always gives one UUID.
REQUEST_ID_NAMESPACE = uuid.UUID("6f1d3c2e-5b1a-4f7e-9a53-3d1b2c7e8a40")


REQUEST_ID_LENGTH = 200
"""The longest request id kept: a longer `X-Request-ID` is cut to this."""


def clean_request_id(given: str) -> str:
    """A request id as the service keeps it: without surrounding blanks, at most 200 long."""
    return given.strip()[:REQUEST_ID_LENGTH]


def request_id_to_uuid(request_id: str) -> uuid.UUID:
    """Bloodbank correlation ids are UUIDs: keep a UUID request id, map anything else by uuid5."""
    try:
        return uuid.UUID(request_id)
    except ValueError:
        return uuid.uuid5(REQUEST_ID_NAMESPACE, request_id)


def current_correlation_ids() -> list[uuid.UUID]:
    """The ids that events created now should carry in `correlation_ids`."""
    return list(_correlation_ids.get())


@contextmanager
def correlation_scope(ids: Iterable[uuid.UUID], **log_context: object) -> Iterator[None]:
    """Within this block, new events carry `ids` and log lines carry `log_context`."""
    unique = tuple(dict.fromkeys(ids))
    token = _correlation_ids.set(unique)
    with structlog.contextvars.bound_contextvars(
        correlation_ids=[str(i) for i in unique], **log_context
    ):
        try:
            yield
        finally:
            _correlation_ids.reset(token)
