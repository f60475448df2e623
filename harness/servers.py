"""Where the tests find PostgreSQL (with pgvector) and RabbitMQ.

The local servers are the default: `make test` installs and starts them. `TEST_PG_ADMIN_DSN`,
`TEST_AMQP_HOST` and `TEST_MANAGEMENT_URL` name others. When a server is neither configured
nor listening on its local port and a Docker engine answers, the run starts its own with
testcontainers (`pgvector/pgvector:pg15`, `rabbitmq:3-management`), points those variables at
it, and removes it when the run ends. Commands the tests run inside a server (`psql`,
`rabbitmqctl`) then go through `docker exec`, so the Docker CLI is needed beside the engine.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

LOCAL_HOST = "127.0.0.1"
POSTGRES_IMAGE = "pgvector/pgvector:pg15"
RABBITMQ_IMAGE = "rabbitmq:3-management"
STARTUP_SECONDS = 120


@dataclass(frozen=True)
class Server:
    name: str
    variable: str  # the variable that names a server of this kind
    port: int  # its local port


POSTGRES = Server("PostgreSQL", "TEST_PG_ADMIN_DSN", 5432)
RABBITMQ = Server("RabbitMQ", "TEST_AMQP_HOST", 5672)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((LOCAL_HOST, port)) == 0


def docker_answers() -> bool:
    with contextlib.suppress(Exception):
        from testcontainers.core.docker_client import DockerClient

        DockerClient().client.ping()
        return True
    return False


def missing(
    environ: Mapping[str, str],
    is_listening: Callable[[int], bool] = listening,
    has_docker: Callable[[], bool] = docker_answers,
) -> list[Server]:
    """The servers to start in containers: neither configured nor local, with Docker there."""
    absent = [
        server
        for server in (POSTGRES, RABBITMQ)
        if not environ.get(server.variable) and not is_listening(server.port)
    ]
    return absent if absent and has_docker() else []


def provide() -> None:
    """Start a container for each missing server and point the TEST_* variables at it."""
    for server in missing(os.environ):
        start = _postgres if server is POSTGRES else _rabbitmq
        os.environ.update(start())


def _started(image: str, *ports: int, **environment: str) -> Any:
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image).with_exposed_ports(*ports)
    for key, value in environment.items():
        container = container.with_env(key, value)
    container.start()
    atexit.register(container.stop)
    return container


def _postgres() -> dict[str, str]:
    password = secrets.token_urlsafe(16)
    container = _started(POSTGRES_IMAGE, 5432, POSTGRES_PASSWORD=password)
    host, port = container.get_container_host_ip(), container.get_exposed_port(5432)
    dsn = f"postgresql://postgres:{password}@{host}:{port}/postgres"
    _wait(lambda: psycopg.connect(dsn, connect_timeout=2).close())
    return {
        POSTGRES.variable: dsn,
        "POSTGRES_PASSWORD": password,
        "TEST_PG_CONTAINER": container.get_wrapped_container().id,
    }


def _rabbitmq() -> dict[str, str]:
    from testcontainers.core.waiting_utils import wait_for_logs

    container = _started(RABBITMQ_IMAGE, 5672, 15672)
    wait_for_logs(container, "Server startup complete", timeout=STARTUP_SECONDS)
    host = container.get_container_host_ip()
    return {
        RABBITMQ.variable: f"{host}:{container.get_exposed_port(5672)}",
        "TEST_MANAGEMENT_URL": f"http://{host}:{container.get_exposed_port(15672)}",
        "TEST_RABBITMQ_CONTAINER": container.get_wrapped_container().id,
    }


def _wait(attempt: Callable[[], None]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            attempt()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def in_container(variable: str, command: list[str], **environment: str) -> list[str]:
    """`command` as run inside the run's container named by `variable`, or as is when the
    server is not a container of this run."""
    container = os.environ.get(variable)
    if not container:
        return command
    flags = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
    return ["docker", "exec", "-i", *flags, container, *command]
