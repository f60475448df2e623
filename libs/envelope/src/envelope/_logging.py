"""JSON logs through structlog, with request and event context, and never a secret."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|dsn|conninfo", re.I)


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in event:
        if _SECRET_KEY.search(key):
            event[key] = "[redacted]"
    return event


def _rename_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event["message"] = event.pop("event", "")
    return event


def _error_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Levels in capitals; a traceback under `stack_trace`, with `error_type` and
    `error_message` of the exception at its end unless the call named them."""
    event["level"] = str(event.get("level", "")).upper()
    frames = event.pop("exception", None)
    if frames:
        event["stack_trace"] = frames
        last = frames[-1] if isinstance(frames, list) and frames else {}
        event.setdefault("error_type", last.get("exc_type"))
        event.setdefault("error_message", last.get("exc_value"))
    return event


def configure_logging(level: str = "INFO") -> None:
    """One JSON object per line on stdout: timestamp, level (`INFO`, ...), logger, message and
    context; an exception as `error_type`, `error_message` and `stack_trace`."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _redact,
    ]
    structlog.configure(
        # Below the level, a call costs one check: nothing is rendered.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks without local variables: a frame's locals may hold a secret or a row.
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            _error_fields,
            _rename_event,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries' own debug output would drown ours in the development profile (DEBUG).
    for noisy in ("uvicorn.access", "aiormq", "aio_pika", "httpx", "httpcore", "psycopg", "mcp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").propagate = True
