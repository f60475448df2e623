"""The error shape both services speak, and the mapping from exceptions to HTTP statuses."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("envelope.errors")
RETRY_AFTER_SECONDS = "2"


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code", examples=["NOT_FOUND"])
    message: str = Field(
        description="What went wrong, for a person", examples=["project not found"]
    )
    params: dict[str, Any] = Field(default_factory=dict, description="The values involved")


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx body."""

    detail: ErrorDetail


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
    422: "Invalid fields",
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


def _integrity(error: Exception) -> JSONResponse:
    """Constraint violations are the caller's doing: 409 for duplicates, 400 otherwise."""
    cause = getattr(error, "orig", error)
    diag = getattr(cause, "diag", None)
    params = {"constraint": getattr(diag, "constraint_name", None)}
    if isinstance(cause, pg_errors.UniqueViolation | pg_errors.ExclusionViolation):
        return _json(409, "CONFLICT", "a conflicting record already exists", params)
    if isinstance(cause, pg_errors.ForeignKeyViolation):
        return _json(400, "BAD_REFERENCE", "a referenced record does not exist", params)
    return _json(400, "BAD_REQUEST", "the request violates a constraint", params)


def _unavailable() -> JSONResponse:
    return _json(
        503,
        "SERVICE_UNAVAILABLE",
        "the database is unavailable; retry shortly",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def _is_integrity(error: Exception) -> bool:
    return isinstance(error, sa_exc.IntegrityError | pg_errors.IntegrityError)


def is_cancelled(error: BaseException) -> bool:
    """The role's `statement_timeout` cancelled the statement: the work asked for too much,
    so waiting and retrying in place would only repeat it."""
    return isinstance(getattr(error, "orig", error), pg_errors.QueryCanceled)


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or the pool is exhausted: a wait, not a fault."""
    if is_cancelled(error):
        return False
    if isinstance(error, PoolTimeout | sa_exc.TimeoutError | pg_errors.OperationalError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or isinstance(error.orig, pg_errors.OperationalError)
    return isinstance(error, sa_exc.InterfaceError | OSError)


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
    async def http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, "HTTP_ERROR")
        message = error.detail if isinstance(error.detail, str) else code.lower()
        return _json(error.status_code, code, message, headers=getattr(error, "headers", None))

    async def database(_: Request, error: Exception) -> JSONResponse:
        if _is_integrity(error):
            return _integrity(error)
        if is_cancelled(error):
            log.warning("statement cancelled by its time limit", error_type=type(error).__name__)
            return _json(503, "SERVICE_UNAVAILABLE", "the request took longer than allowed")
        if is_unavailable(error):
            log.warning("database unavailable", error_type=type(error).__name__)
            return _unavailable()
        if isinstance(getattr(error, "orig", error), pg_errors.DataError):
            return _json(400, "BAD_REQUEST", "a value is out of range or malformed")
        return _internal(error)

    # Registered per class (not for Exception) so Starlette answers without re-raising.
    for database_error in (sa_exc.SQLAlchemyError, pg_errors.Error, PoolTimeout, OSError):
        app.add_exception_handler(database_error, database)  # type: ignore[arg-type]

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        return _internal(error)


def _internal(error: Exception) -> JSONResponse:
    log.error(
        "unhandled error", error_type=type(error).__name__, error_message=str(error), exc_info=error
    )
    return _json(500, "INTERNAL_ERROR", "internal error")
