"""Running a service: settings checked first, then uvicorn with our JSON logging, in as many
worker processes as `<PREFIX>_WORKERS` says (0: one per core this process may use).

With several workers, the supervising parent is a bare interpreter running uvicorn alone.
Each worker builds its own app from the factory: its own pool, bus, relay and consumers, all
safe beside each other (outbox rows are claimed with SKIP LOCKED, the inbox deduplicates).
"""

from __future__ import annotations

import json
import os
import sys

import uvicorn

from envelope._settings import InsecureSettings, ServiceSettings

SUPERVISOR = "import json, sys, uvicorn; uvicorn.run(**json.loads(sys.argv[1]))"


def serve(settings_class: type[ServiceSettings], factory: str) -> None:
    """Serve the app `factory` ("module:function", called with no arguments in each worker).

    Exit with a one-line message naming the variable when a secret is weak or missing."""
    try:
        settings = settings_class.load()
    except InsecureSettings as error:
        print(f"refusing to start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    options = {
        "app": factory,
        "factory": True,
        "workers": settings.processes(),
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
    }
    if options["workers"] == 1:
        uvicorn.run(**options)  # type: ignore[arg-type]
        return
    # The workers are spawned and import the app themselves, so the parent that supervises
    # them needs uvicorn alone: this process, which has imported the whole service, becomes
    # a bare interpreter running it (same pid; about 27 MB instead of 110).
    os.execv(sys.executable, [sys.executable, "-c", SUPERVISOR, json.dumps(options)])  # noqa: S606
