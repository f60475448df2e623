"""One service's REST API, with every failure turned into one line for a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

API_PREFIX = "/api/v1"


class CliError(Exception):
    """A failure the user can act on: an `App` command prints it as one line on stderr
    (`Error: ...`) and exits with 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiError(CliError):
    """The service answered with an error; `message` is its `detail.message`."""

    def __init__(self, status: int, code: str, message: str, params: dict[str, Any]) -> None:
        super().__init__(f"{message}{_first_problem(params)} ({status} {code})")
        self.status = status
        self.code = code
        self.detail_message = message
        self.params = params


def _first_problem(params: dict[str, Any]) -> str:
    """`: body.work_type: Input should be ...` from a validation error's `params.errors`."""
    errors = params.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", []))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f": {where}: {first.get('msg', '')}{more}"


@dataclass(frozen=True)
class Connection:
    """Where a service is: its name (for messages), base URL and optional API key."""

    service: str
    url: str
    api_key: str | None = None
    timeout: float = 30.0

    @property
    def base_url(self) -> str:
        """The URL given, with or without `/api/v1`, normalised to end with it."""
        url = self.url.rstrip("/")
        return url if url.endswith(API_PREFIX) else url + API_PREFIX


@dataclass
class Api:
    """A synchronous client of `/api/v1`; methods return the decoded JSON body."""

    connection: Connection
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        headers = {"X-API-Key": self.connection.api_key} if self.connection.api_key else {}
        self.client = httpx.Client(
            base_url=self.connection.base_url, headers=headers, timeout=self.connection.timeout
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json=body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, json=body)

    def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Raises `ApiError` for an error status, `CliError` when the service is unreachable."""
        query = {key: value for key, value in (params or {}).items() if value is not None}
        try:
            response = self.client.request(method, path, json=json, params=query)
        except httpx.TransportError as error:
            raise self._unreachable(error) from error
        if response.is_error:
            raise self._error(response)
        return response.json() if response.content else None

    def _unreachable(self, error: httpx.TransportError) -> CliError:
        name, url = self.connection.service, self.connection.url
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            return CliError(f"{name} is not reachable at {url}")
        return CliError(f"{name} at {url} failed to answer: {type(error).__name__}")

    @staticmethod
    def _error(response: httpx.Response) -> ApiError:
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, dict) and isinstance(detail.get("message"), str):
            params = detail.get("params")
            return ApiError(
                response.status_code,
                str(detail.get("code", "ERROR")),
                detail["message"],
                params if isinstance(params, dict) else {},
            )
        text = response.text.strip().splitlines()[0] if response.text.strip() else ""
        return ApiError(response.status_code, "ERROR", text or response.reason_phrase, {})
