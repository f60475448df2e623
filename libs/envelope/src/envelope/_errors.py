"""The error shape both services speak, and the mapping from exceptions to HTTP statuses."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = structlog.get_logger("envelope.errors")
RETRY_AFTER_SECONDS = "2"
ROUTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code", examples=["NOT_FOUND"])
    message: str = Field(
        description="What went wrong, for a person", examples=["project not found"]
    )
    params: dict[str, Any] = Field(default_factory=dict, description="The values involved")


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx body."""

    detail: ErrorDetail = Field(description="The error's code, message and values")


class DomainError(Exception):
    """Base of the errors services raise; the edge maps them to HTTP."""

    status_code = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class BadRequest(DomainError):
    status_code, code = 400, "BAD_REQUEST"


class BadReference(DomainError):
    status_code, code = 400, "BAD_REFERENCE"


class Unauthorized(DomainError):
    status_code, code = 401, "UNAUTHORIZED"


class NotFound(DomainError):
    status_code, code = 404, "NOT_FOUND"


class Conflict(DomainError):
    status_code, code = 409, "CONFLICT"


class InvalidTransition(DomainError):
    status_code, code = 409, "INVALID_TRANSITION"


class ValueTooLong(DomainError):
    status_code, code = 422, "VALUE_TOO_LONG"


class Busy(DomainError):
    """A lock or a concurrent transaction got in the way; the same request may succeed later."""

    status_code, code = 409, "BUSY"


class TooExpensive(DomainError):
    status_code, code = 400, "TOO_EXPENSIVE"


class InvalidValues(DomainError):
    status_code, code = 422, "VALIDATION_ERROR"


class InternalError(DomainError):
    status_code, code = 500, "INTERNAL_ERROR"


class Unavailable(DomainError):
    status_code, code = 503, "SERVICE_UNAVAILABLE"


_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
}

_DESCRIPTIONS = {
    400: "Bad reference, filter or request",
    401: "Missing or wrong X-API-Key",
    404: "Unknown id",
    409: "Conflict with existing state",
    413: "Request body too large",
    415: "Unsupported media type of the body",
    422: "Invalid fields, or a value too long to store",
    503: "Database unavailable or pool exhausted",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given error statuses, all in the shared shape."""
    return {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
    }


def error_body(code: str, message: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"detail": {"code": code, "message": message, "params": params or {}}}


def _json(
    status: int,
    code: str,
    message: str,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, params), status_code=status, headers=headers)


# Failures of the connection or the server, not of what was asked: waited out in place.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# Two transactions collided; running the same work again is expected to succeed.
_CONTENTION_STATES = frozenset({"40001", "40P01"})


def _driver_error(error: BaseException) -> BaseException:
    """The psycopg exception under a SQLAlchemy wrapper (or the error itself)."""
    orig = getattr(error, "orig", None)
    return orig if isinstance(orig, BaseException) else error


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached, is restarting or the pool is exhausted: a wait.

    Decided by SQLSTATE, since PostgreSQL also reports faults of the statement itself (an
    index entry too large, a cancelled statement, a lock timeout) as `OperationalError`.
    """
    if isinstance(error, PoolTimeout | sa_exc.TimeoutError | OSError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    cause = _driver_error(error)
    if isinstance(cause, pg_errors.Error):
        state = cause.sqlstate
        if state is None:  # raised by the client: connection lost, closed or refused
            return isinstance(cause, pg_errors.OperationalError | pg_errors.InterfaceError)
        return state.startswith("08") or state in _UNAVAILABLE_STATES
    return isinstance(error, sa_exc.InterfaceError)


def is_contention(error: BaseException) -> bool:
    """A serialization failure or deadlock: worth a bounded number of immediate retries."""
    return getattr(_driver_error(error), "sqlstate", None) in _CONTENTION_STATES


def database_error(error: BaseException) -> DomainError | None:
    """What a database error caused by the request or message itself means to its sender.

    None for failures that are nobody's input (unavailable database, unknown faults).
    """
    cause = _driver_error(error)
    if isinstance(cause, UnicodeEncodeError):  # JSON may escape a lone surrogate; UTF-8 cannot
        return BadRequest("a text holds a lone surrogate (\\ud800-\\udfff): not valid Unicode")
    if not isinstance(cause, pg_errors.Error) or is_unavailable(error):
        return None
    constraint = {"constraint": cause.diag.constraint_name} if cause.diag.constraint_name else {}
    if isinstance(cause, pg_errors.UniqueViolation | pg_errors.ExclusionViolation):
        return Conflict("a conflicting record already exists", **constraint)
    if isinstance(cause, pg_errors.ForeignKeyViolation):
        return BadReference("a referenced record does not exist", **constraint)
    if isinstance(cause, pg_errors.IntegrityError):
        return BadRequest("the request violates a constraint", **constraint)
    if isinstance(cause, pg_errors.ProgramLimitExceeded | pg_errors.StringDataRightTruncation):
        return ValueTooLong("a value is too long to store or index")
    if isinstance(cause, pg_errors.DataError):  # says which value and why, never the schema
        reason = cause.diag.message_primary or str(cause)
        return BadRequest("a value is out of range or malformed", reason=reason)
    if is_contention(cause) or isinstance(cause, pg_errors.LockNotAvailable):
        return Busy("the record is being changed by another request; retry")
    if isinstance(cause, pg_errors.QueryCanceled):
        return TooExpensive("the request took longer than the database allows; narrow it")
    return None


def failure_of(error: Exception) -> DomainError | None:
    """What to answer the sender of a message that failed with `error`.

    None when the failure is transient (database unavailable or contended) and the message
    should be tried again; anything else is a property of the message itself.
    """
    if isinstance(error, DomainError):
        return error
    if is_unavailable(error) or is_contention(error):
        return None
    if isinstance(error, ValidationError):
        fields = [".".join(map(str, e["loc"])) for e in error.errors(include_input=False)]
        return InvalidValues("invalid values", fields=fields)
    return database_error(error) or InternalError(
        "could not be applied", error_type=type(error).__name__
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at the request's path (Starlette's 405 names only the
    first route it found there), with HEAD where GET is. Each method is tried on the routes'
    own matching, which sees through included routers."""
    routes = request.app.router.routes
    methods = [
        method
        for method in ROUTED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return sorted([*methods, "HEAD"] if "GET" in methods else methods)


def _unavailable() -> JSONResponse:
    return _json(
        503,
        "SERVICE_UNAVAILABLE",
        "the database is unavailable; retry shortly",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to the shared shape; nothing else (no trace, no SQL) leaves."""

    @app.exception_handler(DomainError)
    async def domain(_: Request, error: DomainError) -> JSONResponse:
        headers = {"Retry-After": RETRY_AFTER_SECONDS} if error.status_code == 503 else None
        return _json(error.status_code, error.code, error.message, error.params, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return _json(422, "VALIDATION_ERROR", "request validation failed", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, "HTTP_ERROR")
        message = error.detail if isinstance(error.detail, str) else code.lower()
        headers = getattr(error, "headers", None)
        if error.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return _json(error.status_code, code, message, headers=headers)

    async def database(_: Request, error: Exception) -> JSONResponse:
        if is_unavailable(error):
            log.warning("database unavailable", error_type=type(error).__name__)
            return _unavailable()
        known = database_error(error)
        if known is not None:
            return _json(known.status_code, known.code, known.message, known.params)
        return _internal(error)

    # Registered per class (not for Exception) so Starlette answers without re-raising.
    for error_class in (
        sa_exc.SQLAlchemyError,
        pg_errors.Error,
        PoolTimeout,
        OSError,
        UnicodeEncodeError,
    ):
        app.add_exception_handler(error_class, database)  # type: ignore[arg-type]

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        return _internal(error)


def _internal(error: Exception) -> JSONResponse:
    log.error(
        "unhandled error", error_type=type(error).__name__, error_message=str(error), exc_info=error
    )
    return _json(500, "INTERNAL_ERROR", "internal error")
