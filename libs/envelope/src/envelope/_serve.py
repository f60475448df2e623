"""Running a service: settings checked first, then uvicorn with our JSON logging."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import uvicorn

from envelope._settings import InsecureSettings, ServiceSettings


def serve(settings_class: type[ServiceSettings], create_app: Callable[[Any], Any]) -> None:
    """Exit with a one-line message naming the variable when a secret is weak or missing."""
    try:
        settings = settings_class.load()
    except InsecureSettings as error:
        print(f"refusing to start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
