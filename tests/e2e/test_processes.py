"""Both services start as `make run` starts them and answer on their own ports."""

import httpx
import pytest
from harness import ServiceProcess

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
