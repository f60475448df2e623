"""The command lines are REST clients: installing one brings no server dependency."""

from __future__ import annotations

from importlib.metadata import distribution

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SERVER_ONLY = {"fastapi", "sqlalchemy", "onnxruntime", "uvicorn", "psycopg", "alembic"}


def requirements(name: str, seen: set[str] | None = None) -> set[str]:
    """Every distribution `name` pulls in when installed here (extras not asked for, and
    requirements for other Pythons or platforms, are left out)."""
    seen = set() if seen is None else seen
    for line in distribution(name).requires or []:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        dependency = canonicalize_name(requirement.name)
        if dependency not in seen:
            seen.add(dependency)
            requirements(dependency, seen)
    return seen


@pytest.mark.parametrize("cli", ["imi-cli", "mimir-cli"])
def test_a_command_line_installs_without_the_server_dependencies(cli: str) -> None:
    installed = requirements(cli)
    assert {"service-cli", "httpx", "typer"} <= installed
    assert installed.isdisjoint(SERVER_ONLY), installed & SERVER_ONLY


def test_the_walk_sees_the_server_dependencies_of_a_service() -> None:
    assert {"fastapi", "sqlalchemy", "onnxruntime"} <= requirements("mimir")


@pytest.mark.parametrize(("cli", "script"), [("imi-cli", "imi"), ("mimir-cli", "mimir")])
def test_the_console_script_comes_from_the_command_line_package(cli: str, script: str) -> None:
    def scripts(name: str) -> dict[str, str]:
        entries = distribution(name).entry_points.select(group="console_scripts")
        return {entry.name: entry.value for entry in entries}

    assert scripts(cli) == {script: f"{script}_cli:app"}
    assert scripts("imi") == scripts("mimir") == {}
