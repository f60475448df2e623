"""The two services as `make run` starts them, started once per `make bench` and shared."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import psycopg

from bench.core import Figure, rss_mb
from bench.http import Client

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
CONCURRENCY = 32
RSS_TARGETS_MB = {"imi": 150.0, "mimir": 350.0}
# Server processes per service: the services' default (one per core) unless BENCH_WORKERS says.
WORKERS = os.environ.get("BENCH_WORKERS", "0")


def settled_rss_mb(pid: int, timeout: float = 60.0) -> float:
    """The RSS of a service's processes once it stops growing: /health answers as soon as one
    worker is up, while another may still be importing the service."""
    import time

    deadline, last = time.monotonic() + timeout, rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = rss_mb(pid)
        if abs(now - last) < 1.0:
            return now
        last = now
    return last


def scaled(size: int, minimum: int = 100) -> int:
    """A data set or run size times `BENCH_SCALE`, never below `minimum`."""
    return max(minimum, int(size * SCALE))


@dataclass
class Services:
    """imi and mimir processes against the run's database and vhost, with their idle RSS."""

    database: Any
    broker: Any
    names: tuple[str, ...] = ("imi", "mimir")
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-logs-")))
    processes: dict[str, Any] = field(default_factory=dict)
    idle_rss: dict[str, float] = field(default_factory=dict)

    def start(self) -> None:
        for service in self.names:
            harness.migrate(service, self.database)
            env = harness.service_env(service, self.database, self.broker)
            env[f"{service.upper()}_WORKERS"] = WORKERS
            process = harness.ServiceProcess(service, env, self.logs / f"{service}.log")
            self.processes[service] = process.start()
        # The local model loads on first use; one search-free embed call would skew "idle".
        for service, process in self.processes.items():
            self.idle_rss[service] = settled_rss_mb(process.process.pid)

    def url(self, service: str) -> str:
        return str(self.processes[service].url) + "/api/v1"

    def client(self, service: str) -> Client:
        return Client(self.url(service), CONCURRENCY)

    def conninfo(self, service: str, superuser: bool = False) -> str:
        if superuser:
            return str(self.database.admin_conninfo())
        return str(self.database.service_conninfo(service))

    async def build_space_indexes(self) -> None:
        """What the migration step and mimir's index builder do for new spaces."""
        from psycopg.rows import dict_row

        from mimir.embedding.indexes import build_space_indexes

        conninfo = self.database.migrator_conninfo("mimir")
        conn = await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, row_factory=dict_row
        )
        async with conn:
            await build_space_indexes(conn)

    def memory(self) -> list[Figure]:
        figures = []
        for service, process in self.processes.items():
            target = RSS_TARGETS_MB[service]
            after = rss_mb(process.process.pid)
            for label, value in (("idle", self.idle_rss[service]), ("after the runs", after)):
                figures.append(
                    Figure(
                        name=f"{service} RSS {label}",
                        value=value,
                        unit="MB",
                        target=f"< {target:.0f} MB",
                        met=value < target,
                        notes="" if value < target else f"{value - target:.0f} MB over",
                    )
                )
        return figures

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()
        self.processes.clear()


async def hammer(
    call: Any, count: int, concurrency: int = CONCURRENCY, max_seconds: float = 60.0
) -> tuple[list[float], float]:
    """Run `await call(i)` for i < count from `concurrency` workers, bounded by `max_seconds`.

    Returns each call's latency in ms and the wall time in seconds.
    """
    import asyncio
    import time

    samples: list[float] = []
    started = time.perf_counter()
    deadline = started + max_seconds
    counter = iter(range(count))

    async def worker() -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            await call(i)
            samples.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, time.perf_counter() - started
