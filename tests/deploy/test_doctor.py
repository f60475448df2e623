"""`make doctor`: the whole checklist, and a non-zero exit exactly when something blocks.

The ports are the real ones: 5432 and 5672 are held by the local PostgreSQL and RabbitMQ the
suite runs against, and a port taken by a plain listener stands in for a stranger.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_host import FakeHost
from harness import ROOT, ServiceProcess, free_port

DOCTOR = str(ROOT / "deploy/local/doctor")
CHECKLIST = {
    "python", "uv", "servers", "postgresql", "pgvector", "rabbitmq", "git", "shellcheck",
    "port 5432", "port 5672", "port 8400", "port 38000", ".env",
}  # fmt: skip


def checklist(output: str) -> dict[str, tuple[str, str]]:
    """label -> (status, detail), from the doctor's fixed-width lines."""
    rows = {}
    for line in output.splitlines():
        status, label, detail = line[:8].strip(), line[9:21].strip(), line[22:]
        rows[label] = (status, detail)
    return rows


@pytest.fixture
def stranger() -> Iterator[int]:
    """A port held by something that is neither PostgreSQL, RabbitMQ nor our services."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def doctor_on_this_host(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DOCTOR], capture_output=True, text=True, timeout=60, check=False, env=env or None
    )


def test_this_host_passes_the_whole_checklist() -> None:
    result = doctor_on_this_host()
    assert result.returncode == 0, result.stdout
    rows = checklist(result.stdout)
    assert set(rows) == CHECKLIST
    assert rows["port 5432"] == ("ok", "held by PostgreSQL")
    assert rows["port 5672"] == ("ok", "held by RabbitMQ")
    assert rows["postgresql"][1].startswith("postgres (PostgreSQL) ")
    assert all(status == "ok" for status, _ in rows.values()), result.stdout


def test_bare_host_without_root_is_blocked_and_says_why(host_env: FakeHost) -> None:
    result = host_env.run_file(DOCTOR, FAKE_UID="1000", IMI_PORT=str(free_port()))
    assert result.returncode == 1
    rows = checklist(result.stdout)
    for label in ("postgresql", "rabbitmq", "pgvector"):
        assert rows[label][0] == "MISSING", result.stdout
    assert "sudo apt-get install -y rabbitmq-server" in rows["rabbitmq"][1]
    assert rows["git"][0] == "note"  # tests need it, make run does not
    assert rows["servers"] == (
        "ok",
        "make run uses the local PostgreSQL and RabbitMQ (no Docker engine)",
    )


def test_bare_host_as_root_is_fixable_by_setup(host_env: FakeHost) -> None:
    result = host_env.run_file(DOCTOR, IMI_PORT=str(free_port()))
    assert result.returncode == 0, result.stdout
    rows = checklist(result.stdout)
    assert rows["postgresql"] == (
        "setup",
        "not installed: make setup installs postgresql with apt-get (as root)",
    )
    assert rows["pgvector"][0] == "setup"
    assert "dpkg-dev make gcc postgresql-server-dev-15" in rows["pgvector"][1]


def test_docker_engine_without_local_servers_names_the_compose_path(host_env: FakeHost) -> None:
    result = host_env.run_file(DOCTOR, FAKE_UID="1000", FAKE_DOCKER_INFO="0")
    assert result.returncode == 0, result.stdout
    rows = checklist(result.stdout)
    assert rows["servers"][1].endswith("make run uses docker compose")
    assert rows["postgresql"] == (
        "ok",
        "not installed: the compose stack runs its own (with pgvector)",
    )


def test_port_held_by_a_stranger_blocks(host_env: FakeHost, stranger: int) -> None:
    result = host_env.run_file(DOCTOR, IMI_PORT=str(stranger))
    assert result.returncode == 1
    rows = checklist(result.stdout)
    assert rows[f"port {stranger}"][0] == "MISSING"
    assert "not imi" in rows[f"port {stranger}"][1]


@pytest.mark.e2e
def test_ports_held_by_our_running_services_are_fine(
    imi_process: ServiceProcess, mimir_process: ServiceProcess, host_env: FakeHost
) -> None:
    ours = host_env.run_file(
        DOCTOR, IMI_PORT=str(imi_process.port), MIMIR_PORT=str(mimir_process.port)
    )
    rows = checklist(ours.stdout)
    assert rows[f"port {imi_process.port}"] == ("ok", "held by imi")
    assert rows[f"port {mimir_process.port}"] == ("ok", "held by mimir")
    swapped = host_env.run_file(DOCTOR, IMI_PORT=str(mimir_process.port))
    assert checklist(swapped.stdout)[f"port {mimir_process.port}"][0] == "MISSING"
    assert swapped.returncode == 1


@pytest.fixture
def host_env(tmp_path: Path) -> FakeHost:
    return FakeHost.create(tmp_path)
