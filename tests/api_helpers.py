"""Checks that hold for both services' apps."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts


def threaded_calls(app: FastAPI) -> list[str]:
    """The endpoints and dependencies FastAPI would run in a worker thread (plain `def`)."""

    def on_loop(call: Any) -> bool:
        if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
            return True
        return inspect.iscoroutinefunction(type(call).__call__)  # e.g. a security scheme

    def walk(dependant: Dependant) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from walk(sub)

    found = set()
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:  # not an API route (the OpenAPI document, the docs' files)
            continue
        for call in (route.endpoint, *walk(dependant)):
            if call is not None and not on_loop(call):
                found.add(f"{call.__module__}.{call.__qualname__}")
    return sorted(found)
