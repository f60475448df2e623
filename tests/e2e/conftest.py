"""Both services as real processes on free ports, against the run's database and vhost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import ServiceProcess


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-logs")


@pytest.fixture(scope="session")
def imi_process(imi_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("imi", imi_env, logs_dir / "imi.log").start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def mimir_process(mimir_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("mimir", mimir_env, logs_dir / "mimir.log").start()
    yield process
    process.stop()
