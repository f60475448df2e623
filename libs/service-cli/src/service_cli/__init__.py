"""What the imi and mimir command lines share.

- `service_app`: a Typer app with the common options (`--url` / `<SERVICE>_URL`, `--api-key` /
  `<SERVICE>_API_KEY`, `--json`); `session(ctx)` hands a command its `Api` and `Output`.
- `Api`: a REST client of one service's `/api/v1`. Every failure is a `CliError`, which an `App`
  command prints as one line on stderr (exit code 1): "imi is not reachable at URL" when nothing
  answers, the error shape's `detail.message` with status and code for a 4xx/5xx (`ApiError`
  keeps `status`, `code` and `params` for callers that handle one).
- `Output`: prints the API's JSON as it came with `--json`, otherwise a table, key/value
  lines, a `Tree` or a sentence.
"""

from service_cli._client import Api, ApiError, CliError, Connection
from service_cli._output import (
    App,
    Column,
    JsonFlag,
    Output,
    Session,
    Tree,
    cell,
    service_app,
    session,
)

__all__ = [
    "Api",
    "ApiError",
    "App",
    "CliError",
    "Column",
    "Connection",
    "JsonFlag",
    "Output",
    "Session",
    "Tree",
    "cell",
    "service_app",
    "session",
]
