"""Supervised background tasks: restarted with back-off whatever they die of, never silently."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import structlog
from pydantic import Field

log = structlog.get_logger("envelope.supervisor")

FIRST_DELAY, MAX_DELAY = 0.5, 30.0
STABLE_AFTER = 60.0  # a task that ran this long before failing starts again from FIRST_DELAY


@dataclass
class TaskState:
    state: Annotated[
        Literal["starting", "running", "restarting", "stopped"],
        Field(
            description="restarting: it failed and waits to start again (the service is then "
            "degraded); stopped: its work is done or the service is shutting down"
        ),
    ] = "starting"
    restarts: Annotated[int, Field(description="Times it failed and was restarted")] = 0
    last_error: Annotated[
        str | None,
        Field(description="Its latest failure (at most 500 characters); null if it never failed"),
    ] = None


class Supervisor:
    """Runs named coroutines until `stop()`; a task that raises is logged and restarted.

    A task that returns is done (`stopped`), e.g. a connection step that hands over to a
    robust connection; `/health` shows every task's state.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.states: dict[str, TaskState] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        self.states[name] = TaskState()
        task = asyncio.create_task(self._supervise(name, run), name=f"{self.prefix}-{name}")
        self._tasks.append(task)

    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        state, delay = self.states[name], FIRST_DELAY
        while True:
            state.state = "running"
            started = time.monotonic()
            try:
                await run()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if time.monotonic() - started > STABLE_AFTER:
                    delay = FIRST_DELAY
                state.state, state.last_error = "restarting", repr(error)[:500]
                state.restarts += 1
                log.error("task failed; restarting", task=name, retry_in=delay, exc_info=error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
            else:
                state.state = "stopped"
                return

    @property
    def failing(self) -> list[str]:
        return [name for name, s in self.states.items() if s.state == "restarting"]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for state in self.states.values():
            state.state = "stopped"
