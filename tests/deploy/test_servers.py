"""Which servers a test run starts in containers: only those neither configured nor local."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from harness.servers import POSTGRES, RABBITMQ, in_container, missing


def listening(*ports: int) -> Callable[[int], bool]:
    return lambda port: port in ports


def docker(answers: bool) -> Callable[[], bool]:
    return lambda: answers


def test_local_servers_are_the_default() -> None:
    assert missing({}, listening(5432, 5672), docker(True)) == []


def test_configured_servers_are_used_even_when_not_local() -> None:
    environ = {POSTGRES.variable: "postgresql://db.example/postgres", RABBITMQ.variable: "mq:5672"}
    assert missing(environ, listening(), docker(True)) == []


def test_only_what_is_missing_is_started_and_only_with_docker() -> None:
    assert missing({}, listening(), docker(True)) == [POSTGRES, RABBITMQ]
    assert missing({}, listening(5432), docker(True)) == [RABBITMQ]
    assert missing({RABBITMQ.variable: "mq:5672"}, listening(), docker(True)) == [POSTGRES]
    assert missing({}, listening(), docker(False)) == []


def test_commands_run_inside_the_runs_container(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_PG_CONTAINER", raising=False)
    assert in_container("TEST_PG_CONTAINER", ["psql", "-f", "-"]) == ["psql", "-f", "-"]
    monkeypatch.setenv("TEST_PG_CONTAINER", "c0ffee")
    assert in_container("TEST_PG_CONTAINER", ["psql", "-f", "-"], SECRET="s") == [
        "docker", "exec", "-i", "-e", "SECRET=s", "c0ffee", "psql", "-f", "-",
    ]  # fmt: skip
