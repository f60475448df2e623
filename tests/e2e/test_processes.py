"""Both services start as `make run` starts them and answer on their own ports."""

import time
from pathlib import Path

import httpx
import psutil
import pytest
from harness import ServiceProcess

from envelope._serve import SUPERVISOR

pytestmark = pytest.mark.e2e


def test_both_services_are_healthy(
    imi_process: ServiceProcess, mimir_process: ServiceProcess
) -> None:
    for process, name in ((imi_process, "imi"), (mimir_process, "mimir")):
        health = httpx.get(f"{process.url}/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "service": name,
            "version": health.json()["version"],
            "database": "up",
            "broker": "up",
            "outbox_backlog": 0,
            "outbox_oldest_age_s": None,
            "tasks": {
                task: {"state": "running", "restarts": 0, "last_error": None}
                for task in ("broker", "outbox-relay", *(("embedding-worker",) * (name == "mimir")))
            },
        }
        docs = httpx.get(f"{process.url}/openapi.json", timeout=5)
        assert docs.json()["info"]["title"] == name
        started = [line for line in process.logs() if line.get("message") == "bus connected"]
        assert started, "the service logs JSON and reports its bus connection"


def test_workers_share_the_port_each_with_its_own_bus(
    imi_env: dict[str, str], logs_dir: Path
) -> None:
    process = ServiceProcess("imi", {**imi_env, "IMI_WORKERS": "2"}, logs_dir / "imi-2.log")
    process.start()
    try:
        for _ in range(20):
            assert httpx.get(f"{process.url}/api/v1/projects", timeout=5).status_code == 200

        def connected() -> int:
            return sum(line.get("message") == "bus connected" for line in process.logs())

        deadline = time.monotonic() + 30
        while connected() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert connected() == 2
        # the parent that supervises them is a bare interpreter, not the imported service
        assert psutil.Process(process.process.pid).cmdline()[1:3] == ["-c", SUPERVISOR]
    finally:
        process.stop()
